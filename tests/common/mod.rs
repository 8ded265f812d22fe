//! Helpers for end-to-end tests against the real local broker started by
//! `scripts/kafka-local.sh` (address from `WIREDESK_TEST_BROKERS`).

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

/// Asserts that a finished command exited 0, showing its stderr if not.
pub fn assert_succeeded(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// All a finished command printed, stdout then stderr.
pub fn stdout_and_stderr(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The broker the tests use.
pub fn brokers() -> String {
    std::env::var("WIREDESK_TEST_BROKERS").unwrap_or_else(|_| "127.0.0.1:19092".into())
}

/// A topic name unique to this test run.
pub fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("wdtest-{name}-{}-{nanos}", std::process::id())
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Creates topics with the given partition counts.
pub async fn create_topics(topics: &[(&str, i32)]) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .create()
        .expect("admin client");
    let new: Vec<NewTopic> = topics
        .iter()
        .map(|(t, p)| NewTopic::new(t, *p, TopicReplication::Fixed(1)))
        .collect();
    let results = admin
        .create_topics(
            &new,
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(20))),
        )
        .await
        .expect("create topics");
    for r in results {
        r.expect("topic created");
    }
}

/// Produces messages (key, payload) and waits for every acknowledgement.
/// Returns (partition, offset) of each, in order.
pub async fn produce(topic: &str, messages: &[(Option<String>, Vec<u8>)]) -> Vec<(i32, i64)> {
    produce_at(&brokers(), topic, messages).await
}

/// [`produce`] to another broker.
pub async fn produce_at(
    brokers: &str,
    topic: &str,
    messages: &[(Option<String>, Vec<u8>)],
) -> Vec<(i32, i64)> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("message.max.bytes", "10485760")
        .create()
        .expect("producer");
    let mut futures = Vec::new();
    for (key, payload) in messages {
        let mut record = FutureRecord::to(topic).payload(payload.as_slice());
        if let Some(k) = key {
            record = record.key(k.as_str());
        }
        futures.push(producer.send(record, Duration::from_secs(30)));
    }
    let mut out = Vec::new();
    for f in futures {
        let d = f.await.expect("delivered");
        out.push((d.partition, d.offset));
    }
    out
}

/// One consumed output record.
#[derive(Debug, Clone)]
pub struct Received {
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
    pub headers: HashMap<String, Vec<u8>>,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.payload).expect("record is JSON")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }
}

/// Reads `topic` from the beginning until `want` records arrived or
/// `deadline` passed, then a little longer to see extra records.
pub fn read_topic(topic: &str, want: usize, deadline: Duration) -> Vec<Received> {
    read_until(topic, deadline, |records| records.len() >= want)
}

/// Reads `topic` from the beginning until `done` holds for what arrived or
/// `deadline` passed, then a little longer to see extra records.
pub fn read_until(
    topic: &str,
    deadline: Duration,
    done: impl Fn(&[Received]) -> bool,
) -> Vec<Received> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", unique("reader"))
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .expect("metadata");
    let mut tpl = TopicPartitionList::new();
    for t in metadata.topics() {
        for p in t.partitions() {
            tpl.add_partition_offset(topic, p.id(), Offset::Beginning)
                .expect("tpl");
        }
    }
    consumer.assign(&tpl).expect("assign");
    let start = Instant::now();
    let mut out = Vec::new();
    let mut checked = 0;
    let mut idle = false;
    while start.elapsed() < deadline {
        // Checking is costly for large reads: do it when the topic goes
        // quiet or every 500 records.
        if out.len() != checked && (idle || out.len() >= checked + 500) {
            checked = out.len();
            if done(&out) {
                break;
            }
        }
        let polled = consumer.poll(Duration::from_millis(200));
        idle = polled.is_none();
        match polled {
            Some(Ok(m)) => {
                let mut headers = HashMap::new();
                if let Some(h) = m.headers() {
                    for hd in h.iter() {
                        headers.insert(hd.key.to_string(), hd.value.unwrap_or_default().to_vec());
                    }
                }
                out.push(Received {
                    key: m.key().map(<[u8]>::to_vec),
                    payload: m.payload().unwrap_or_default().to_vec(),
                    headers,
                });
            }
            Some(Err(e)) => eprintln!("reader: {e}"),
            None => {}
        }
    }
    // Drain briefly so extra (duplicate) records are seen too.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(2) {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            out.push(Received {
                key: m.key().map(<[u8]>::to_vec),
                payload: m.payload().unwrap_or_default().to_vec(),
                headers: HashMap::new(),
            });
        }
    }
    out
}

/// Committed offsets of `group` on `topic`, by partition.
pub fn committed(group: &str, topic: &str, partitions: i32) -> HashMap<i32, i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", group)
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    let c = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .expect("committed");
    c.elements()
        .iter()
        .filter_map(|e| match e.offset() {
            Offset::Offset(o) => Some((e.partition(), o)),
            _ => None,
        })
        .collect()
}

/// A running `wiredesk run` process.
pub struct Service {
    pub child: Child,
}

impl Drop for Service {
    /// A failed assertion must not leave the service running (it would
    /// hold the test's output open).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Environment overrides pointing the service at test topics.
pub fn service_env(
    input: &str,
    enriched: &str,
    dead_letter: &str,
    group: &str,
) -> Vec<(String, String)> {
    vec![
        ("WIREDESK_TOPICS__INPUT".into(), format!("[\"{input}\"]")),
        ("WIREDESK_TOPICS__ENRICHED".into(), enriched.into()),
        ("WIREDESK_TOPICS__DEAD_LETTER".into(), dead_letter.into()),
        (
            "WIREDESK_TOPICS__DUPLICATES".into(),
            format!("{enriched}.dups"),
        ),
        ("WIREDESK_KAFKA__GROUP_ID".into(), group.into()),
        // Any free port: several services run at once in the tests.
        ("WIREDESK_HTTP__LISTEN".into(), "127.0.0.1:0".into()),
        (
            "WIREDESK_DEDUP__CHANGELOG_TOPIC".into(),
            format!("{group}.changelog"),
        ),
    ]
}

impl Service {
    /// Starts the binary with the repository config and the given overrides.
    pub fn start(env: &[(String, String)]) -> Service {
        Service::start_with(&repo().join("config/wiredesk.toml"), &brokers(), env)
    }

    /// Starts the binary with another config file and broker.
    pub fn start_with(config: &Path, brokers: &str, env: &[(String, String)]) -> Service {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wiredesk"));
        cmd.arg("run")
            .arg("--config")
            .arg(config)
            .arg("--brokers")
            .arg(brokers)
            .env("RUST_LOG", "info,librdkafka=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        Service {
            child: cmd.spawn().expect("start wiredesk"),
        }
    }

    /// SIGTERM, then waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(ok.success());
        self.child.wait().expect("wait")
    }

    /// SIGKILL: a crash.
    pub fn crash(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("wait");
    }
}

/// Multilingual wire articles from the fixtures, cycled with unique ids
/// and a numbered sentence so each is a distinct story.
pub fn wire_articles(n: usize, tag: &str) -> Vec<(Option<String>, Vec<u8>)> {
    let mut base = Vec::new();
    for lang in ["ar", "en", "fr", "ru", "zh"] {
        let text =
            std::fs::read_to_string(repo().join(format!("tests/fixtures/wires/{lang}.jsonl")))
                .expect("fixture");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            base.push(serde_json::from_str::<serde_json::Value>(line).expect("fixture JSON"));
        }
    }
    (0..n)
        .map(|i| {
            let mut doc = base[i % base.len()].clone();
            let id = format!("{tag}-{i:05}");
            doc["id"] = id.clone().into();
            let body = doc["body"].as_str().unwrap_or_default().to_string();
            doc["body"] = format!("{body}\nRef {tag} {i}.").into();
            (Some(id), serde_json::to_vec(&doc).expect("json"))
        })
        .collect()
}

/// The malformed fixtures: (reason code, bytes), by file name `NN-reason.bin`.
pub fn malformed() -> Vec<(String, Vec<u8>)> {
    let dir = repo().join("tests/fixtures/malformed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/malformed")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| (reason_of(p), std::fs::read(p).expect("read fixture")))
        .collect()
}

fn reason_of(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    stem.split_once('-')
        .map(|(_, r)| r.to_string())
        .unwrap_or_default()
}

/// Produces messages to one partition and waits for every acknowledgement.
pub async fn produce_to(topic: &str, partition: i32, messages: &[(Option<String>, Vec<u8>)]) {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .create()
        .expect("producer");
    for (key, payload) in messages {
        let mut record = FutureRecord::to(topic)
            .payload(payload.as_slice())
            .partition(partition);
        if let Some(k) = key {
            record = record.key(k.as_str());
        }
        producer
            .send(record, Duration::from_secs(30))
            .await
            .expect("delivered");
    }
}

/// The fixture wires of some languages as JSON documents.
pub fn fixture_docs(languages: &[&str]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for lang in languages {
        let text =
            std::fs::read_to_string(repo().join(format!("tests/fixtures/wires/{lang}.jsonl")))
                .expect("fixture");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            out.push(serde_json::from_str(line).expect("fixture JSON"));
        }
    }
    out
}

/// A wire-style copy: new id, new headline, last paragraph cut.
pub fn shortened_copy(doc: &serde_json::Value, id: &str) -> serde_json::Value {
    let mut copy = doc.clone();
    copy["id"] = id.into();
    copy["headline"] = format!(
        "{} (short version)",
        doc["headline"].as_str().unwrap_or_default()
    )
    .into();
    let body = doc["body"].as_str().unwrap_or_default();
    let paragraphs: Vec<&str> = body.split('\n').collect();
    let keep = paragraphs.len().saturating_sub(1).max(1);
    copy["body"] = paragraphs[..keep].join("\n").into();
    copy
}
