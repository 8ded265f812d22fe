//! The command line as a shell user meets it, without a broker.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `wiredesk enrich | head -1`: when the reader closes the pipe, enrich
/// ends quietly and successfully, as a Unix filter does, instead of
/// reporting "Broken pipe" as a failure.
#[test]
fn enrich_ends_quietly_when_its_reader_closes_the_pipe() {
    // Every topic fixture, 20 times: ~7.6 MB of enriched output, far more
    // than a pipe buffers (1 MiB on kernels with 64 KiB pages), so enrich
    // is still writing when the pipe closes.
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
    let all = all.repeat(20);
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
    // Stderr is drained on its own, so a chatty run cannot block on it.
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        stderr_pipe.read_to_string(&mut text).ok();
        text
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("read the first record");
    // The reader (and the pipe's read end) is dropped here.
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for wiredesk") {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("wiredesk enrich still running 120 s after its reader closed the pipe");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = stderr_reader.join().expect("stderr reader");
    std::fs::remove_file(&input).ok();

    let record: serde_json::Value = serde_json::from_str(&first).expect("first line is JSON");
    assert!(record["id"].is_string(), "{first}");
    assert!(status.success(), "exit {status}; stderr:\n{stderr}");
    assert!(
        !stderr.lines().any(|l| l.starts_with("error:")) && !stderr.contains("panicked"),
        "stderr:\n{stderr}"
    );
}

/// `wiredesk demo 2>&1 | head -1`: stdout and stderr share a pipe whose
/// reader has gone; the demo stops quietly instead of panicking when it
/// writes its summary.
#[test]
fn demo_ends_quietly_when_stdout_and_stderr_share_a_closed_pipe() {
    let script = format!(
        "set -o pipefail; {:?} --config {:?} demo 2>&1 | head -1 > /dev/null",
        env!("CARGO_BIN_EXE_wiredesk"),
        repo().join("config/wiredesk.toml"),
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .env("RUST_LOG", "info")
        .output()
        .expect("run bash");
    // With pipefail the pipeline fails if wiredesk does (101 on a panic).
    assert!(
        out.status.success(),
        "exit {}; stderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
