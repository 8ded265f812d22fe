//! End to end against the real broker: `wiredesk run` enriches every good
//! message, dead-letters every bad one with its reason, and loses nothing
//! when it is killed mid-batch.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use common::*;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};

const MAX_BYTES: usize = 65_536;

fn high_watermark_sum(topic: &str, partitions: i32) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .create()
        .expect("consumer");
    (0..partitions)
        .map(|p| {
            consumer
                .fetch_watermarks(topic, p, Duration::from_secs(5))
                .map(|(_, h)| h)
                .unwrap_or(0)
        })
        .sum()
}

fn source_offsets(records: &[Received], input: &str) -> Vec<(i64, i64)> {
    records
        .iter()
        .map(|r| r.json())
        .filter(|j| j["meta"]["topic"] == input)
        .map(|j| {
            (
                j["meta"]["partition"].as_i64().expect("partition"),
                j["meta"]["offset"].as_i64().expect("offset"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Kafka: scripts/test.sh"]
async fn service_enriches_dead_letters_and_survives_a_crash() {
    let input = unique("in");
    let enriched = unique("enriched");
    let dead_letter = unique("dlq");
    let group = unique("group");
    create_topics(&[(&input, 3), (&enriched, 3), (&dead_letter, 1)]).await;
    let mut env = service_env(&input, &enriched, &dead_letter, &group);
    env.push((
        "WIREDESK_INPUT__MAX_MESSAGE_BYTES".into(),
        MAX_BYTES.to_string(),
    ));

    // Batch 1: 1,000 articles in five languages and 20 malformed messages.
    let mut messages = wire_articles(1000, "b1");
    let mut expected_reasons: HashMap<String, usize> = HashMap::new();
    let bad = malformed();
    for (reason, bytes) in bad.iter().filter(|(r, _)| r != "too_large").take(16) {
        *expected_reasons.entry(reason.clone()).or_default() += 1;
        messages.push((None, bytes.clone()));
    }
    for i in 0..(20 - expected_reasons.values().sum::<usize>()) {
        let body = "Oversized wire. ".repeat(MAX_BYTES / 16 + 10);
        let doc = serde_json::json!({"id": format!("big-{i}"), "headline": "Big", "body": body});
        *expected_reasons.entry("too_large".into()).or_default() += 1;
        messages.push((None, serde_json::to_vec(&doc).unwrap()));
    }
    assert_eq!(messages.len(), 1020);
    produce(&input, &messages).await;

    let service = Service::start(&env);
    let out = read_topic(&enriched, 1000, Duration::from_secs(120));
    let dlq = read_topic(&dead_letter, 20, Duration::from_secs(30));
    let status = service.terminate();
    assert!(status.success(), "graceful stop exits 0, got {status:?}");

    let ids: HashSet<String> = out
        .iter()
        .map(|r| r.json()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        out.len(),
        1000,
        "exactly one enriched record per good article"
    );
    assert_eq!(ids.len(), 1000);
    let languages: HashSet<String> = out
        .iter()
        .map(|r| r.json()["language"].as_str().unwrap().to_string())
        .collect();
    for lang in ["ar", "en", "fr", "ru", "zh"] {
        assert!(languages.contains(lang), "{lang} detected in {languages:?}");
    }
    let first = &out[0];
    assert_eq!(
        first.header("content-type").as_deref(),
        Some("application/json")
    );
    assert!(first.header("wiredesk.version").is_some());
    assert_eq!(
        first.key.as_deref(),
        Some(first.json()["id"].as_str().unwrap().as_bytes())
    );

    assert_eq!(
        dlq.len(),
        20,
        "every malformed message is dead-lettered once"
    );
    let mut got_reasons: HashMap<String, usize> = HashMap::new();
    for r in &dlq {
        let code = r.header("wiredesk.error.code").expect("reason code header");
        assert!(r
            .header("wiredesk.error.message")
            .is_some_and(|m| !m.is_empty()));
        assert_eq!(
            r.header("wiredesk.source.topic").as_deref(),
            Some(input.as_str())
        );
        assert!(r.header("wiredesk.source.partition").is_some());
        assert!(r.header("wiredesk.source.offset").is_some());
        *got_reasons.entry(code).or_default() += 1;
    }
    assert_eq!(got_reasons, expected_reasons);
    let originals: HashSet<Vec<u8>> = messages[1000..].iter().map(|(_, b)| b.clone()).collect();
    assert!(
        dlq.iter().all(|r| originals.contains(&r.payload)),
        "original bytes are kept"
    );

    let committed = committed(&group, &input, 3);
    assert_eq!(
        committed.values().sum::<i64>(),
        1020,
        "graceful stop commits everything: {committed:?}"
    );

    // Batch 2: crash the service in the middle, restart, lose nothing.
    let batch2 = wire_articles(4000, "b2");
    let offsets = produce(&input, &batch2).await;
    let service = Service::start(&env);
    let start = Instant::now();
    while high_watermark_sum(&enriched, 3) < 1000 + 400 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "service made no progress"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    service.crash();
    let at_crash = high_watermark_sum(&enriched, 3) - 1000;
    assert!(
        at_crash < 4000,
        "the crash happened mid-batch ({at_crash} of 4000 done)"
    );

    let service = Service::start(&env);
    let wanted: HashSet<(i64, i64)> = offsets.iter().map(|(p, o)| (*p as i64, *o)).collect();
    let out = read_until(&enriched, Duration::from_secs(240), |records| {
        records.len() >= 5000 && {
            let seen: HashSet<(i64, i64)> = source_offsets(records, &input).into_iter().collect();
            wanted.is_subset(&seen)
        }
    });
    let status = service.terminate();
    assert!(status.success());

    let seen = source_offsets(&out, &input);
    let seen_set: HashSet<(i64, i64)> = seen.iter().copied().collect();
    let missing: Vec<&(i32, i64)> = offsets
        .iter()
        .filter(|(p, o)| !seen_set.contains(&(*p as i64, *o)))
        .collect();
    let duplicates = seen.len() - seen_set.len();
    eprintln!(
        "crash test: {at_crash} of 4000 enriched before SIGKILL; {duplicates} records re-delivered after restart (at-least-once); {} missing",
        missing.len()
    );
    assert!(
        missing.is_empty(),
        "input offsets missing from output: {:?}",
        &missing[..missing.len().min(10)]
    );
}
