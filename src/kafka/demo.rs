//! `wiredesk demo`: the whole service on librdkafka's in-process mock
//! cluster, fed with bundled sample wires (the Arabic seed among them).
//! Nothing to install, nothing to configure.

use std::io::Write;
use std::time::Duration;

use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::mocking::MockCluster;
use tokio::sync::oneshot;

use super::load::produce;
use super::service::run;
use super::{base_client_config, BrokerError};
use crate::article::decode;
use crate::config::Config;
use crate::dedup::DedupIndex;
use crate::pipeline::Pipeline;
use crate::summary::RunSummary;
use crate::wirefile::{split, WireItem};

/// The bundled sample wires: the Arabic seed as plain text, multilingual
/// JSONL wires, and one malformed message to show the dead-letter path.
pub fn samples() -> Vec<WireItem> {
    let mut items = vec![WireItem {
        bytes: include_bytes!("../../tests/fixtures/seed/000_40ed42c7b675d2dc.txt").to_vec(),
        line: 1,
    }];
    for jsonl in [
        include_str!("../../tests/fixtures/wires/en.jsonl"),
        include_str!("../../tests/fixtures/wires/fr.jsonl"),
        include_str!("../../tests/fixtures/wires/ru.jsonl"),
        include_str!("../../tests/fixtures/wires/zh.jsonl"),
        include_str!("../../tests/fixtures/wires/ar.jsonl"),
    ] {
        items.extend(split(jsonl.as_bytes().to_vec(), true).into_iter().take(2));
    }
    items.push(WireItem {
        bytes: b"{\"id\": \"broken-1\", \"headline\": \"unterminated".to_vec(),
        line: 1,
    });
    items
}

/// Runs the demo: starts a mock cluster, produces the samples, runs the
/// service until every sample is enriched or dead-lettered, and prints each
/// enriched record as a JSON line to stdout.
pub async fn demo(
    mut config: Config,
    pipeline: Pipeline,
    index: DedupIndex,
) -> Result<RunSummary, BrokerError> {
    let cluster = MockCluster::new(1).map_err(|source| BrokerError::Client {
        role: "mock cluster",
        source,
    })?;
    config.raw.kafka.brokers = cluster.bootstrap_servers();
    let mut topics: Vec<String> = config.raw.topics.input.clone();
    topics.push(config.raw.topics.enriched.clone());
    topics.push(config.raw.topics.dead_letter.clone());
    topics.extend(config.raw.topics.duplicates.clone());
    topics.push(config.raw.dedup.changelog_topic.clone());
    for t in &topics {
        cluster
            .create_topic(t, 1, 1)
            .map_err(|source| BrokerError::Client {
                role: "mock topic",
                source,
            })?;
    }
    let items = samples();
    let max = config.raw.input.max_message_bytes;
    let expected = items
        .iter()
        .filter(|i| decode(&i.bytes, max).is_ok())
        .count();
    produce(
        &config,
        &items,
        &config.raw.topics.input[0],
        super::load::Pace::Fastest,
    )
    .await?;

    let mut cc = base_client_config(&config);
    cc.set("group.id", "wiredesk-demo-reader")
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false");
    let reader: StreamConsumer = cc.create().map_err(|source| BrokerError::Client {
        role: "consumer",
        source,
    })?;
    reader
        .subscribe(&[config.raw.topics.enriched.as_str()])
        .map_err(|source| BrokerError::Fatal {
            doing: "subscribing to the enriched topic".into(),
            source,
        })?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let printer = async move {
        let mut seen = 0;
        let mut failed: Option<std::io::Error> = None;
        while seen < expected && failed.is_none() {
            match tokio::time::timeout(Duration::from_secs(60), reader.recv()).await {
                Ok(Ok(m)) => {
                    if let Some(p) = m.payload() {
                        let mut out = std::io::stdout().lock();
                        failed = out
                            .write_all(p)
                            .and_then(|()| out.write_all(b"\n"))
                            .and_then(|()| out.flush())
                            .err();
                    }
                    seen += 1;
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "demo reader error"),
                Err(_) => break,
            }
        }
        // The service may already have stopped; nothing waits for this then.
        stop_tx.send(()).ok();
        (seen, failed)
    };
    let service = run(
        &config,
        pipeline,
        index,
        async {
            stop_rx.await.ok();
        },
        super::service::ServiceOps::detached(),
    );
    let (summary, (seen, failed)) = tokio::join!(service, printer);
    let summary = summary?;
    match failed {
        // Stdout's reader closed the pipe (`wiredesk demo | head`): the
        // demo ends early, as a filter does, instead of failing.
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(summary),
        Some(source) => {
            return Err(BrokerError::File {
                path: "stdout".into(),
                source,
            })
        }
        None => {}
    }
    if seen < expected {
        return Err(BrokerError::Usage(format!(
            "demo saw {seen} of {expected} enriched records within 60 s"
        )));
    }
    drop(cluster);
    Ok(summary)
}
