//! End-to-end throughput on a real broker (`scripts/kafka-local.sh start`):
//! 20,000 articles of ~3 KB through `wiredesk run` (the release binary, as
//! a separate process whose peak RSS is read from /proc), beside a plain
//! consume-and-produce pass-through with no processing, in the same run.
//!
//! Run with `cargo build --release && cargo bench --bench kafka`.
//! `WIREDESK_BENCH_ARTICLES=200000` runs a longer soak; resident memory of
//! the service is printed at every tenth of the run, to show it stays flat.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};

/// Articles in the run (`WIREDESK_BENCH_ARTICLES`, default 20,000).
fn count() -> usize {
    std::env::var("WIREDESK_BENCH_ARTICLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

fn brokers() -> String {
    std::env::var("WIREDESK_TEST_BROKERS").unwrap_or_else(|_| "127.0.0.1:19092".into())
}

fn articles(n: usize) -> Vec<Vec<u8>> {
    let mut base = Vec::new();
    for lang in ["ar", "en", "fr", "es", "ru", "zh", "de"] {
        let text = std::fs::read_to_string(format!("tests/fixtures/wires/{lang}.jsonl"))
            .expect("run from the repository root");
        base.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()),
        );
    }
    (0..n)
        .map(|i| {
            let mut d = base[i % base.len()].clone();
            let mut body = String::new();
            let mut k = i;
            while body.len() < 2900 {
                body.push_str(base[k % base.len()]["body"].as_str().unwrap());
                body.push('\n');
                k += 7;
            }
            d["id"] = format!("bench-{i}").into();
            d["body"] = format!("{body}Ref {i}.").into();
            serde_json::to_vec(&d).unwrap()
        })
        .collect()
}

fn watermark_sum(topic: &str) -> i64 {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .create()
        .unwrap();
    let Ok(md) = c.fetch_metadata(Some(topic), Duration::from_secs(5)) else {
        return 0;
    };
    md.topics()
        .iter()
        .flat_map(|t| t.partitions())
        .map(|p| {
            c.fetch_watermarks(topic, p.id(), Duration::from_secs(5))
                .map(|(_, h)| h)
                .unwrap_or(0)
        })
        .sum()
}

/// Seconds between the first and the `n`th record appearing on `topic`;
/// `during` is called with the count so far while waiting.
fn time_until(topic: &str, n: i64, mut during: impl FnMut(i64)) -> f64 {
    let mut first = None;
    let start = Instant::now();
    loop {
        let count = watermark_sum(topic);
        if count > 0 && first.is_none() {
            first = Some(Instant::now());
        }
        if count >= n {
            return first.map(|f| f.elapsed().as_secs_f64()).unwrap_or(0.0);
        }
        // Generous: a 200,000-article soak runs several minutes.
        assert!(
            start.elapsed() < Duration::from_secs(600 + n as u64 / 100),
            "timed out on {topic}"
        );
        during(count);
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A `/proc/PID/status` field in KiB (VmHWM = peak, VmRSS = now).
fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n = count();
    let run_id = std::process::id();
    let input = format!("bench-in-{run_id}");
    let enriched = format!("bench-enriched-{run_id}");
    let passthrough = format!("bench-pass-{run_id}");
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .create()
        .unwrap();
    let topics = [
        NewTopic::new(&input, 3, TopicReplication::Fixed(1)),
        NewTopic::new(&enriched, 3, TopicReplication::Fixed(1)),
        NewTopic::new(&passthrough, 3, TopicReplication::Fixed(1)),
    ];
    for r in admin
        .create_topics(&topics, &AdminOptions::new())
        .await
        .expect("broker reachable (scripts/kafka-local.sh start)")
    {
        r.expect("topic created");
    }
    let payloads = articles(n);
    let bytes: usize = payloads.iter().map(Vec::len).sum();
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("linger.ms", "5")
        .create()
        .unwrap();
    let keys: Vec<String> = (0..n).map(|i| format!("bench-{i}")).collect();
    // Enqueue without waiting (send_result), awaiting deliveries in
    // batches: awaiting each send in turn costs a linger per message.
    let mut pending = Vec::new();
    for (p, k) in payloads.iter().zip(&keys) {
        let mut record = FutureRecord::to(&input)
            .key(k.as_str())
            .payload(p.as_slice());
        loop {
            match producer.send_result(record) {
                Ok(f) => {
                    pending.push(f);
                    break;
                }
                Err((_, r)) => {
                    // Queue full: wait for the oldest deliveries.
                    record = r;
                    for f in pending.drain(..) {
                        f.await.unwrap().expect("delivered");
                    }
                }
            }
        }
        if pending.len() >= 10_000 {
            for f in pending.drain(..) {
                f.await.unwrap().expect("delivered");
            }
        }
    }
    for f in pending {
        f.await.unwrap().expect("delivered");
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "input: {n} articles, {mb:.1} MB ({} bytes average)",
        bytes / n
    );

    // Pass-through: consume and produce the same bytes, await deliveries.
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", format!("bench-pass-{run_id}"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[&input]).unwrap();
    let out_topic = passthrough.clone();
    let pass = tokio::spawn(async move {
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", brokers())
            .set("linger.ms", "5")
            .set("enable.idempotence", "true")
            .create()
            .unwrap();
        let mut pending = Vec::new();
        for _ in 0..n {
            let m = consumer.recv().await.unwrap();
            let mut rec = FutureRecord::to(&out_topic).payload(m.payload().unwrap_or_default());
            if let Some(k) = m.key() {
                rec = rec.key(k);
            }
            pending.push(producer.send_result(rec).map_err(|(e, _)| e).unwrap());
            if pending.len() >= 2000 {
                for f in pending.drain(..) {
                    f.await.unwrap().unwrap();
                }
            }
        }
        for f in pending {
            f.await.unwrap().unwrap();
        }
    });
    let pass_secs = tokio::task::spawn_blocking({
        let t = passthrough.clone();
        move || time_until(&t, n as i64, |_| {})
    })
    .await
    .unwrap();
    pass.await.unwrap();
    println!(
        "pass-through (consume + produce, no processing): {:.0} articles/s, {:.1} MB/s",
        n as f64 / pass_secs,
        mb / pass_secs
    );

    // wiredesk run, release binary, as its own process.
    let mut child = Command::new("target/release/wiredesk")
        .args([
            "run",
            "--config",
            "config/wiredesk.toml",
            "--brokers",
            &brokers(),
        ])
        .env("WIREDESK_TOPICS__INPUT", format!("[\"{input}\"]"))
        .env("WIREDESK_TOPICS__ENRICHED", &enriched)
        .env("WIREDESK_TOPICS__DEAD_LETTER", format!("{enriched}.dlq"))
        .env("WIREDESK_TOPICS__DUPLICATES", format!("{enriched}.dups"))
        .env("WIREDESK_KAFKA__GROUP_ID", format!("bench-wd-{run_id}"))
        .env(
            "WIREDESK_DEDUP__CHANGELOG_TOPIC",
            format!("bench-changelog-{run_id}"),
        )
        .env("WIREDESK_HTTP__LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("target/release/wiredesk: run cargo build --release first");
    let pid = child.id();
    let mut peak = 0;
    let mut next_tenth = 1;
    let secs = tokio::task::spawn_blocking({
        let t = enriched.clone();
        move || {
            let s = time_until(&t, n as i64, |done| {
                peak = peak.max(status_kib(pid, "VmHWM:"));
                if done as usize >= next_tenth * n / 10 {
                    println!(
                        "  after {done:>7} articles: RSS {} MiB",
                        status_kib(pid, "VmRSS:") / 1024
                    );
                    next_tenth += 1;
                }
            });
            (s, peak.max(status_kib(pid, "VmHWM:")))
        }
    })
    .await
    .unwrap();
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let (secs, peak) = secs;
    println!(
        "wiredesk run (decode, enrich, route, changelog, at-least-once): {:.0} articles/s, {:.1} MB/s, peak RSS {} MiB; {:.0}% of pass-through",
        n as f64 / secs,
        mb / secs,
        peak / 1024,
        100.0 * pass_secs / secs
    );
}
