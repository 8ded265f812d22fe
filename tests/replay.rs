//! End to end against the real broker: `produce`, `replay`, `dump` and
//! `diff` as a team uses them to test a release or a config change.
//! A day of multilingual wires is loaded; a time slice is replayed into
//! sandbox topics without moving the live group's offsets, and equals the
//! offline `enrich` of the same slice; replays are byte-identical; a
//! threshold change shows up in `diff` exactly as expected.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::*;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};

const CLOCK: &str = "2026-11-29T00:00:00Z";
/// Midnight UTC two days ago, in seconds: recent enough for the local
/// broker's retention (a week), whatever day the tests run.
fn day_start() -> i64 {
    (chrono::Utc::now().timestamp() / 86_400 - 2) * 86_400
}

fn wiredesk(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wiredesk"));
    cmd.arg("--config")
        .arg(repo().join("config/wiredesk.toml"))
        .args(args)
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run wiredesk");
    eprintln!(
        "wiredesk {args:?} -> {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn ok(args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = wiredesk(args, env);
    assert!(out.status.success(), "wiredesk {args:?} failed");
    out
}

fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The day's wires: every fixture (seven languages) plus shortened copies
/// of the first five, with publication times spread over the day out of
/// order. Returns the documents in topic order.
fn day_of_wires(tag: &str, day: i64) -> Vec<serde_json::Value> {
    let mut docs = fixture_docs(&["ar", "en", "fr", "es", "ru", "zh", "de"]);
    let copies: Vec<serde_json::Value> = docs[..5]
        .iter()
        .enumerate()
        .map(|(i, d)| shortened_copy(d, &format!("copy-{i}")))
        .collect();
    docs.extend(copies);
    for (i, d) in docs.iter_mut().enumerate() {
        let id = d["id"].as_str().unwrap().to_string();
        d["id"] = format!("{tag}-{id}").into();
        // Hours jump around (7 is coprime with 24) so the topic is not in
        // time order, as real wires are not.
        let secs = day + ((i as i64 * 7) % 24) * 3600 + i as i64 * 30;
        d["published_at"] = rfc3339(secs).into();
    }
    docs
}

/// Creates a one-partition topic and loads a day of wires into it with
/// `wiredesk produce`. Returns the topic, the day's start and the wires in
/// topic order.
async fn load_day(tag: &str, dir: &Path) -> (String, i64, Vec<serde_json::Value>) {
    let input = format!("{tag}.in");
    create_topics(&[(&input, 1)]).await;
    let day0 = day_start();
    let docs = day_of_wires(tag, day0);
    let file = dir.join("day.jsonl");
    write_jsonl(&file, &docs);
    ok(
        &[
            "produce",
            "--brokers",
            &brokers(),
            "--input",
            file.to_str().unwrap(),
            "--topic",
            &input,
        ],
        &[],
    );
    (input, day0, docs)
}

fn write_jsonl(path: &Path, docs: &[serde_json::Value]) {
    let text: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
    std::fs::write(path, text.join("\n") + "\n").unwrap();
}

fn time_of(doc: &serde_json::Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(doc["published_at"].as_str().unwrap())
        .unwrap()
        .timestamp()
}

/// Records by id, without the fields that name where a record was read
/// from (a topic offset versus a file line).
fn comparable(lines: &[serde_json::Value]) -> HashMap<String, serde_json::Value> {
    lines
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let meta = r["meta"].as_object_mut().unwrap();
            for k in ["topic", "partition", "offset"] {
                meta.remove(k);
            }
            (r["id"].as_str().unwrap().to_string(), r)
        })
        .collect()
}

fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn commit_live_offsets(group: &str, topic: &str, offset: i64) {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", group)
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Offset(offset))
        .unwrap();
    consumer.commit(&tpl, CommitMode::Sync).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the local Kafka broker (scripts/test.sh starts it)"]
async fn a_replayed_slice_is_isolated_exact_deterministic_and_diffable() {
    let tag = unique("replay");
    let dir = tempfile::tempdir().unwrap();
    let live_group = format!("{tag}.live");
    let (input, day0, docs) = load_day(&tag, dir.path()).await;
    let b = brokers();

    // The live service has read 10 records; a replay must not move that.
    commit_live_offsets(&live_group, &input, 10);
    let live_before = committed(&live_group, &input, 1);
    assert_eq!(live_before.get(&0), Some(&10));

    // Slice: 06:00 to 18:00.
    let (since, until) = (day0 + 6 * 3600, day0 + 18 * 3600);
    let (since_s, until_s) = (rfc3339(since), rfc3339(until));
    let slice: Vec<serde_json::Value> = docs
        .iter()
        .filter(|d| (since..until).contains(&time_of(d)))
        .cloned()
        .collect();
    assert!(slice.len() > 10 && slice.len() < docs.len() - 10);

    let prefix = format!("{tag}.sandbox.");
    let out = ok(
        &[
            "replay",
            "--brokers",
            &b,
            "--from-topic",
            &input,
            "--since",
            &since_s,
            "--until",
            &until_s,
            "--output-prefix",
            &prefix,
            "--fixed-clock",
            CLOCK,
        ],
        &[],
    );
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains(&format!("records in {} |", slice.len())),
        "{summary}"
    );
    assert!(summary.contains("top topics"), "{summary}");

    // Only the slice arrived, and it equals the offline enrich of the slice.
    let enriched_topic = format!("{prefix}wires.enriched");
    let replayed: Vec<serde_json::Value> =
        read_topic(&enriched_topic, slice.len(), Duration::from_secs(60))
            .iter()
            .map(Received::json)
            .collect();
    assert_eq!(replayed.len(), slice.len());
    let slice_file = dir.path().join("slice.jsonl");
    write_jsonl(&slice_file, &slice);
    let enrich_to = |name: &str| {
        let path = dir.path().join(name);
        ok(
            &[
                "enrich",
                "--input",
                slice_file.to_str().unwrap(),
                "--output",
                path.to_str().unwrap(),
                "--fixed-clock",
                CLOCK,
            ],
            &[],
        );
        path
    };
    let offline = enrich_to("offline.jsonl");
    // Through files: the same enrich twice is byte-identical.
    let offline_again = enrich_to("offline-again.jsonl");
    assert_eq!(
        std::fs::read(&offline).unwrap(),
        std::fs::read(&offline_again).unwrap()
    );
    let offline_records = jsonl(&offline);
    assert_eq!(comparable(&replayed), comparable(&offline_records));
    assert!(
        offline_records
            .iter()
            .any(|r| r["dedup"]["status"] != "original"),
        "the slice should hold a copy of an earlier wire in it"
    );

    // The live group's offsets did not move.
    assert_eq!(committed(&live_group, &input, 1), live_before);

    // dump of the sandbox topic diffs clean against the offline run.
    let dumped = dir.path().join("dump.jsonl");
    ok(
        &[
            "dump",
            "--brokers",
            &b,
            "--topic",
            &enriched_topic,
            "--output",
            dumped.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(jsonl(&dumped).len(), slice.len());
    let clean = ok(
        &[
            "diff",
            offline.to_str().unwrap(),
            dumped.to_str().unwrap(),
            "--max-changed",
            "0",
        ],
        &[],
    );
    assert!(String::from_utf8_lossy(&clean.stdout).contains("changed 0 (0.0%)"));

    // The same replay twice, to files: byte-identical.
    let run_to = |name: &str, env: &[(&str, &str)]| {
        let path = dir.path().join(name);
        ok(
            &[
                "replay",
                "--brokers",
                &b,
                "--from-topic",
                &input,
                "--since",
                &since_s,
                "--until",
                &until_s,
                "--output",
                path.to_str().unwrap(),
                "--fixed-clock",
                CLOCK,
            ],
            env,
        );
        path
    };
    let first = run_to("first.jsonl", &[]);
    let second = run_to("second.jsonl", &[]);
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap()
    );

    // A stricter topic threshold: diff reports exactly the topics that
    // fall below it (the top topic is always kept), and nothing else.
    let strict = run_to("strict.jsonl", &[("WIREDESK_TOPIC__THRESHOLD", "0.9")]);
    let expected_removed: usize = jsonl(&first)
        .iter()
        .map(|r| {
            let scores: Vec<f64> = r["topics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["score"].as_f64().unwrap())
                .collect();
            let kept = scores.iter().filter(|s| **s >= 0.9).count().max(1);
            scores.len().saturating_sub(kept)
        })
        .sum();
    assert!(
        expected_removed > 0,
        "the fixtures should have secondary topics"
    );
    let gated = wiredesk(
        &[
            "diff",
            first.to_str().unwrap(),
            strict.to_str().unwrap(),
            "--max-changed",
            "0",
        ],
        &[],
    );
    assert_eq!(gated.status.code(), Some(1));
    let table = String::from_utf8_lossy(&gated.stdout);
    assert!(
        table.contains(&format!("topics           0{expected_removed:>9}        0")),
        "{table}"
    );
    for field in ["places", "regions", "dedup"] {
        assert!(
            table.contains(&format!("{field:<10}       0        0        0")),
            "{table}"
        );
    }
    let lenient = wiredesk(
        &[
            "diff",
            first.to_str().unwrap(),
            strict.to_str().unwrap(),
            "--max-changed",
            "100%",
        ],
        &[],
    );
    assert_eq!(lenient.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the local Kafka broker (scripts/test.sh starts it)"]
async fn replay_dedup_state_is_empty_or_taken_from_a_changelog() {
    let tag = unique("replaystate");
    let dir = tempfile::tempdir().unwrap();
    let (input, _, docs) = load_day(&tag, dir.path()).await;
    let b = brokers();
    // A first replay of everything builds a changelog in its sandbox.
    let prefix = format!("{tag}.first.");
    let changelog = format!("{tag}.changelog");
    let env = [("WIREDESK_DEDUP__CHANGELOG_TOPIC", changelog.as_str())];
    ok(
        &[
            "replay",
            "--brokers",
            &b,
            "--from-topic",
            &input,
            "--output-prefix",
            &prefix,
        ],
        &env,
    );
    // The copies come last in the topic; replay only them, by offset.
    let copies_from = format!("0:{}", docs.len() - 5);
    let run = |name: &str, state: Option<&str>| {
        let path = dir.path().join(name);
        let mut args = vec![
            "replay",
            "--brokers",
            &b,
            "--from-topic",
            &input,
            "--from-offsets",
            &copies_from,
            "--output",
            path.to_str().unwrap(),
        ];
        if let Some(s) = state {
            args.extend(["--dedup-state-from", s]);
        }
        ok(&args, &env);
        jsonl(&path)
    };
    let alone = run("alone.jsonl", None);
    assert_eq!(alone.len(), 5);
    assert!(alone.iter().all(|r| r["dedup"]["status"] == "original"));
    let sandbox_changelog = format!("{prefix}{changelog}");
    let with_state = run("state.jsonl", Some(&sandbox_changelog));
    assert_eq!(with_state.len(), 5);
    for (i, r) in with_state.iter().enumerate() {
        assert_ne!(r["dedup"]["status"], "original", "{}", r["dedup"]);
        let original = docs[i]["id"].as_str().unwrap();
        assert_eq!(r["dedup"]["of"], original, "{}", r["dedup"]);
    }

    // A bad slice or a missing source is a clear error, not a hang.
    let bad = wiredesk(
        &[
            "replay",
            "--brokers",
            &b,
            "--from-topic",
            &input,
            "--since",
            "yesterday",
            "--output",
            "-",
        ],
        &[],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("-24h"));
    let live = wiredesk(&["replay", "--brokers", &b, "--from-topic", &input], &[]);
    assert!(!live.status.success());
    assert!(String::from_utf8_lossy(&live.stderr).contains("--output-prefix"));
}
