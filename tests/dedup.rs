//! End to end against the real broker: the dedup index lives in Kafka.
//! Copies are recognised after a restart (state restored from the
//! changelog) and across instances of one consumer group.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;

fn by_id(records: &[Received]) -> HashMap<String, serde_json::Value> {
    records
        .iter()
        .map(|r| {
            let j = r.json();
            (j["id"].as_str().unwrap().to_string(), j)
        })
        .collect()
}

/// Keyed messages ready to produce.
type Messages = Vec<(Option<String>, Vec<u8>)>;

/// Originals, their shortened copies, and (copy id, original id) pairs.
fn originals_and_copies(tag: &str) -> (Messages, Messages, Vec<(String, String)>) {
    let docs = fixture_docs(&["ar", "zh", "en", "fr", "ru"]);
    let mut originals = Vec::new();
    let mut copies = Vec::new();
    let mut pairs = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let id = format!("{tag}-orig-{i}");
        let mut d = doc.clone();
        d["id"] = id.clone().into();
        originals.push((Some(id.clone()), serde_json::to_vec(&d).unwrap()));
        let copy_id = format!("{tag}-copy-{i}");
        copies.push((
            Some(copy_id.clone()),
            serde_json::to_vec(&shortened_copy(&d, &copy_id)).unwrap(),
        ));
        pairs.push((copy_id, id));
    }
    (originals, copies, pairs)
}

fn assert_copies_linked(out: &[Received], pairs: &[(String, String)]) {
    let records = by_id(out);
    for (copy, original) in pairs {
        let r = records
            .get(copy)
            .unwrap_or_else(|| panic!("{copy} enriched"));
        assert_ne!(r["dedup"]["status"], "original", "{copy}: {}", r["dedup"]);
        assert_eq!(
            r["dedup"]["of"],
            original.as_str(),
            "{copy}: {}",
            r["dedup"]
        );
        assert_eq!(r["dedup"]["cluster"], original.as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Kafka: scripts/test.sh"]
async fn copies_after_a_restart_are_still_recognised() {
    let input = unique("dd-in");
    let enriched = unique("dd-enriched");
    let dlq = unique("dd-dlq");
    let group = unique("dd-group");
    create_topics(&[(&input, 2), (&enriched, 1)]).await;
    let env = service_env(&input, &enriched, &dlq, &group);
    let (originals, copies, pairs) = originals_and_copies("restart");

    produce(&input, &originals).await;
    let service = Service::start(&env);
    let first = read_topic(&enriched, originals.len(), Duration::from_secs(120));
    assert!(service.terminate().success());
    assert_eq!(first.len(), originals.len());
    assert!(first
        .iter()
        .all(|r| r.json()["dedup"]["status"] == "original"));

    // A new process: its index can only come from the changelog.
    produce(&input, &copies).await;
    let service = Service::start(&env);
    let all = read_topic(
        &enriched,
        originals.len() + copies.len(),
        Duration::from_secs(120),
    );
    assert!(service.terminate().success());
    assert_copies_linked(&all, &pairs);
    let dups = read_topic(
        &format!("{enriched}.dups"),
        copies.len(),
        Duration::from_secs(30),
    );
    assert_eq!(
        dups.len(),
        copies.len(),
        "non-originals also go to the duplicates topic"
    );
    assert!(dups.iter().all(|r| r
        .header("wiredesk.dedup.status")
        .is_some_and(|s| s != "original")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Kafka: scripts/test.sh"]
async fn a_copy_on_another_instance_is_matched_to_its_original() {
    let input = unique("dd2-in");
    let enriched = unique("dd2-enriched");
    let dlq = unique("dd2-dlq");
    let group = unique("dd2-group");
    create_topics(&[(&input, 4), (&enriched, 1)]).await;
    let env = service_env(&input, &enriched, &dlq, &group);
    let (originals, copies, pairs) = originals_and_copies("spread");

    let a = Service::start(&env);
    let b = Service::start(&env);
    // Let both join the group: the range assignor then gives partitions
    // 0-1 to one instance and 2-3 to the other.
    std::thread::sleep(Duration::from_secs(12));
    produce_to(&input, 0, &originals).await;
    let first = read_topic(&enriched, originals.len(), Duration::from_secs(120));
    assert_eq!(first.len(), originals.len());
    std::thread::sleep(Duration::from_secs(2));
    produce_to(&input, 3, &copies).await;
    let all = read_topic(
        &enriched,
        originals.len() + copies.len(),
        Duration::from_secs(120),
    );
    assert!(a.terminate().success());
    assert!(b.terminate().success());
    assert_copies_linked(&all, &pairs);
}
