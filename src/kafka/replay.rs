//! `wiredesk replay`: re-runs a bounded slice of a topic through the
//! pipeline into prefixed sandbox topics or a JSONL file. It reads a
//! [`SliceReader`] (direct assignment, nothing committed), so the live
//! consumer group's offsets never move. Its dedup index starts empty, or
//! from a changelog topic read to its end at launch; the live changelog is
//! never written (changelog records go to the prefixed topic, or nowhere).

use std::io::Write;
use std::time::{Duration, Instant};

use rdkafka::producer::FutureProducer;
use tracing::info;

use super::changelog;
use super::output::{await_delivery, create_producer, enqueue, flush};
use super::service::{message_parts, process_message};
use super::slice::{SliceReader, SliceSpec};
use super::BrokerError;
use crate::clock::Clock;
use crate::config::Config;
use crate::dedup::DedupIndex;
use crate::pipeline::Pipeline;
use crate::progress::Progress;
use crate::summary::RunSummary;

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

/// What to replay and how.
#[derive(Debug, Clone, Default)]
pub struct ReplaySource {
    /// Source topic.
    pub topic: String,
    /// The part of it.
    pub slice: SliceSpec,
    /// A dedup changelog topic to start the index from, as of now.
    pub dedup_state_from: Option<String>,
}

const TIMEOUT: Duration = Duration::from_secs(30);

/// Replays the slice, then stops. Returns what it did.
pub async fn replay_topic(
    config: &Config,
    pipeline: &Pipeline,
    source: &ReplaySource,
    mut destination: Destination<'_>,
    clock: &Clock,
) -> Result<RunSummary, BrokerError> {
    let started = Instant::now();
    let mut index = DedupIndex::for_config(&config.raw);
    if let Some(state) = &source.dedup_state_from {
        let mut bar: Option<Progress> = None;
        let (restored, _) = changelog::restore(config, state, &mut index, &mut |done, total| {
            bar.get_or_insert_with(|| Progress::new("dedup state", total))
                .set(done)
        })
        .await?;
        if let Some(bar) = bar {
            bar.finish();
        }
        info!(restored, topic = %state, "replay starts from dedup state");
    }
    let mut reader =
        SliceReader::open(config, &source.topic, source.slice.clone(), TIMEOUT).await?;
    let producer: Option<FutureProducer> = match destination {
        Destination::Topics { .. } => Some(create_producer(config)?),
        Destination::File(_) => None,
    };
    let mut progress = Progress::new("replay", reader.total());
    let mut summary = RunSummary::default();
    let mut pending = Vec::new();
    loop {
        let Some(message) = reader.next().await? else {
            break;
        };
        let (meta, raw, headers) = message_parts(&message);
        let processed = process_message(
            pipeline,
            &mut index,
            config,
            raw,
            headers,
            &meta,
            &clock.now(),
        );
        drop(message);
        let records = processed.records;
        summary.count(processed.outcome);
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
                if pending.len() >= 1000 {
                    for (topic, future) in pending.drain(..) {
                        await_delivery(&topic, future).await?;
                        summary.produced += 1;
                    }
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
                    summary.produced += 1;
                }
            }
            _ => {}
        }
        progress.set(reader.read());
    }
    for (topic, future) in pending {
        await_delivery(&topic, future).await?;
        summary.produced += 1;
    }
    if let Some(producer) = producer {
        flush(&producer, TIMEOUT)?;
    }
    progress.finish();
    summary.elapsed = started.elapsed();
    info!(
        topic = %source.topic,
        consumed = summary.consumed,
        outside_time_bounds = reader.skipped(),
        produced = summary.produced,
        secs = summary.elapsed.as_secs_f64(),
        "replay finished"
    );
    Ok(summary)
}
