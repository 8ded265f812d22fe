//! The command line as a shell user meets it, without a broker.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `wiredesk enrich | head -1`: when the reader closes the pipe, enrich
/// ends quietly and successfully, as a Unix filter does, instead of
/// reporting "Broken pipe" as a failure.
#[test]
fn enrich_ends_quietly_when_its_reader_closes_the_pipe() {
    // Every topic fixture: ~380 KB of enriched output, far more than a
    // pipe buffers, so enrich is still writing when the pipe closes.
    let dir = repo().join("tests/fixtures/topics");
    let mut all = String::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("topic fixtures")
        .map(|e| e.expect("fixture entry").path())
        .collect();
    files.sort();
    for f in files {
        all.push_str(&std::fs::read_to_string(&f).expect("read fixture"));
    }
    let input =
        std::env::temp_dir().join(format!("wiredesk-cli-pipe-{}.jsonl", std::process::id()));
    std::fs::write(&input, &all).expect("write input");

    let mut child = Command::new(env!("CARGO_BIN_EXE_wiredesk"))
        .arg("--config")
        .arg(repo().join("config/wiredesk.toml"))
        .args(["enrich", "--input"])
        .arg(&input)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wiredesk");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("read the first record");
    // The reader (and the pipe's read end) is dropped here.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait for wiredesk");
    std::fs::remove_file(&input).ok();

    let record: serde_json::Value = serde_json::from_str(&first).expect("first line is JSON");
    assert!(record["id"].is_string(), "{first}");
    assert!(status.success(), "exit {status}; stderr:\n{stderr}");
    assert!(
        !stderr.contains("error") && !stderr.contains("panicked"),
        "stderr:\n{stderr}"
    );
}
