//! `wiredesk replay`: re-runs a bounded slice of a topic through the
//! pipeline into prefixed sandbox topics or a JSONL file. It assigns
//! partitions directly (no group membership, no commits), so the live
//! consumer group's offsets never move, and it starts with an empty dedup
//! index so live state is untouched.

use std::io::Write;
use std::time::{Duration, Instant};

use rdkafka::consumer::StreamConsumer;
use rdkafka::message::Message;
use rdkafka::producer::FutureProducer;
use tracing::info;

use super::output::{await_delivery, create_producer, enqueue, flush};
use super::service::{message_parts, process_message, Clock, RunSummary};
use super::{assign_from_start, base_client_config, BrokerError};
use crate::config::Config;
use crate::dedup::DedupIndex;
use crate::pipeline::Pipeline;

/// Where replayed records go.
pub enum Destination<'a> {
    /// The configured output topics, each name prefixed.
    Topics {
        /// Prefix such as `replay.2026-11-29.`.
        prefix: String,
    },
    /// Enriched records as JSONL.
    File(&'a mut dyn Write),
}

const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// Replays `topic` from its start to the end offsets captured when the
/// replay starts, then stops.
pub async fn replay_topic(
    config: &Config,
    pipeline: &Pipeline,
    topic: &str,
    mut destination: Destination<'_>,
    clock: &Clock,
) -> Result<RunSummary, BrokerError> {
    let mut cc = base_client_config(config);
    cc.set(
        "group.id",
        format!("wiredesk-replay-{}", std::process::id()),
    )
    .set("enable.auto.commit", "false")
    .set("enable.auto.offset.store", "false")
    .set("isolation.level", "read_committed");
    let consumer: StreamConsumer = cc.create().map_err(|source| BrokerError::Client {
        role: "consumer",
        source,
    })?;
    let mut remaining = assign_from_start(config, &consumer, topic, METADATA_TIMEOUT)?;
    let producer: Option<FutureProducer> = match destination {
        Destination::Topics { .. } => Some(create_producer(config)?),
        Destination::File(_) => None,
    };
    let started = Instant::now();
    let mut index = DedupIndex::for_config(&config.raw);
    let mut summary = RunSummary::default();
    let mut pending = Vec::new();
    while !remaining.is_empty() {
        let message = consumer.recv().await.map_err(|source| BrokerError::Fatal {
            doing: format!("reading {topic}"),
            source,
        })?;
        let Some(&end) = remaining.get(&message.partition()) else {
            continue;
        };
        if message.offset() >= end {
            remaining.remove(&message.partition());
            continue;
        }
        if message.offset() + 1 >= end {
            remaining.remove(&message.partition());
        }
        let (source, raw, headers) = message_parts(&message);
        let (records, outcome) = process_message(
            pipeline,
            &mut index,
            config,
            raw,
            headers,
            &source,
            &clock.now(),
        );
        summary.count(outcome);
        match (&mut destination, &producer) {
            (Destination::Topics { prefix }, Some(producer)) => {
                for mut record in records {
                    record.topic = format!("{prefix}{}", record.topic);
                    let future = enqueue(producer, &record).await.map_err(|source| {
                        BrokerError::Delivery {
                            topic: record.topic.clone(),
                            source,
                        }
                    })?;
                    pending.push((record.topic, future));
                }
            }
            (Destination::File(out), _) => {
                for record in records
                    .iter()
                    .filter(|r| r.topic == config.raw.topics.enriched)
                {
                    out.write_all(&record.payload)
                        .and_then(|_| out.write_all(b"\n"))
                        .map_err(|source| BrokerError::File {
                            path: "replay output".into(),
                            source,
                        })?;
                }
            }
            _ => {}
        }
    }
    for (topic, future) in pending {
        await_delivery(&topic, future).await?;
        summary.produced += 1;
    }
    if let Some(producer) = producer {
        flush(&producer, Duration::from_secs(30))?;
    }
    info!(
        topic,
        consumed = summary.consumed,
        produced = summary.produced,
        secs = started.elapsed().as_secs_f64(),
        "replay finished"
    );
    Ok(summary)
}
