//! `wiredesk run`: consume → decode → enrich → route → produce, with
//! at-least-once delivery.
//!
//! Messages are processed one at a time per consumer, so per-partition
//! order is kept. Each message's outputs are enqueued without waiting; its
//! delivery futures go, in consumption order, through a bounded channel to
//! an acknowledger task that awaits them and only then stores the offset.
//! The channel bound is the in-flight limit: when deliveries lag, the
//! consumer waits (back-pressure). Offsets are committed from the store, so
//! a crash re-processes at most the unacknowledged messages.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::producer::{DeliveryFuture, FutureProducer, Producer};
use tokio::sync::{mpsc, watch};
use tracing::{debug, info, info_span, warn, Instrument};

use super::changelog::{self, changelog_record};
use super::context::OpsContext;
use super::output::{
    await_delivery, create_producer, dead_letter_record, enqueue, enriched_records, headers_of,
    OutputRecord,
};
use super::{base_client_config, is_fatal, BrokerError};
use crate::article::decode;
use crate::clock::Clock;
use crate::config::Config;
use crate::dedup::DedupIndex;
use crate::knowledge::Knowledge;
use crate::ops::health::Health;
use crate::ops::metrics::Metrics;
use crate::pipeline::{Pipeline, SourceMeta, StageTimes};
use crate::summary::{Outcome, RunSummary, Tags};

/// One Kafka message, as plain values.
#[derive(Debug, Clone, Copy)]
pub struct RawMessage<'a> {
    /// The value bytes (`None` for a tombstone).
    pub payload: Option<&'a [u8]>,
    /// The key bytes.
    pub key: Option<&'a [u8]>,
}

/// One message, processed.
#[derive(Debug)]
pub struct Processed {
    /// Its output records (enriched and routed, changelog, or dead letter).
    pub records: Vec<OutputRecord>,
    /// What happened.
    pub outcome: Outcome,
    /// Time per stage.
    pub times: StageTimes,
}

/// Turns one message into its output records: enriched records on their
/// routed topics, or one dead-letter record. Pure apart from the index.
pub fn process_message(
    pipeline: &Pipeline,
    index: &mut DedupIndex,
    config: &Config,
    message: RawMessage<'_>,
    headers: Vec<(String, Vec<u8>)>,
    source: &SourceMeta,
    processed_at: &str,
) -> Processed {
    let bytes = message.payload.unwrap_or_default();
    let mut times = StageTimes::default();
    let started = Instant::now();
    let decoded = decode(bytes, config.raw.input.max_message_bytes);
    times.decode = started.elapsed();
    match decoded {
        Ok(article) => {
            let (record, remembered) =
                pipeline.enrich_remembering(article, source, index, processed_at, &mut times);
            let routing = Instant::now();
            let mut records =
                enriched_records(&record, &pipeline.knowledge().router, source.timestamp_ms);
            if let Some(r) = remembered {
                records.push(changelog_record(&config.raw.dedup.changelog_topic, &r));
            }
            times.route = routing.elapsed();
            Processed {
                records,
                outcome: Outcome::Enriched(Tags::of(&record)),
                times,
            }
        }
        Err(err) => {
            debug!(reason = %err.reason, detail = %err.detail, "dead-lettering message");
            let record = dead_letter_record(
                &config.raw.topics.dead_letter,
                bytes,
                message.key,
                headers,
                &err,
                source,
            );
            Processed {
                records: vec![record],
                outcome: Outcome::DeadLettered(err.reason),
                times,
            }
        }
    }
}

/// A consumed message as the pipeline sees it: where it came from, its
/// bytes, and its headers.
pub fn message_parts<'m>(
    message: &'m BorrowedMessage<'_>,
) -> (SourceMeta, RawMessage<'m>, Vec<(String, Vec<u8>)>) {
    let source = SourceMeta {
        topic: Some(message.topic().to_string()),
        partition: Some(message.partition()),
        offset: Some(message.offset()),
        timestamp_ms: message.timestamp().to_millis(),
    };
    let raw = RawMessage {
        payload: message.payload(),
        key: message.key(),
    };
    (source, raw, headers_of(message.headers()))
}

/// A processed message whose outputs are on their way.
struct InFlight {
    topic: String,
    partition: i32,
    offset: i64,
    /// The input record's timestamp, for end-to-end latency.
    timestamp_ms: Option<i64>,
    deliveries: Vec<(String, DeliveryFuture)>,
}

/// What the service shares with the operations side (metrics, health,
/// knowledge reloads).
#[derive(Clone)]
pub struct ServiceOps {
    /// Metrics to update.
    pub metrics: Arc<Metrics>,
    /// Health to report.
    pub health: Arc<Health>,
    /// New knowledge published by the reloader, swapped in between messages.
    pub knowledge: Option<watch::Receiver<Arc<Knowledge>>>,
}

impl ServiceOps {
    /// Metrics and health nobody reads, no reloads (demo, tests).
    pub fn detached() -> Self {
        ServiceOps {
            metrics: Arc::new(Metrics::new()),
            health: Arc::new(Health::new(Duration::from_secs(30))),
            knowledge: None,
        }
    }
}

type Consumer_ = StreamConsumer<OpsContext>;

/// Runs the service until `shutdown` resolves, then drains in-flight work,
/// commits and flushes. Returns the run's counts, or the fatal error.
pub async fn run(
    config: &Config,
    mut pipeline: Pipeline,
    mut index: DedupIndex,
    shutdown: impl Future<Output = ()>,
    mut ops: ServiceOps,
) -> Result<RunSummary, BrokerError> {
    let context = OpsContext {
        metrics: ops.metrics.clone(),
        health: ops.health.clone(),
    };
    let consumer: Arc<Consumer_> = Arc::new(
        consumer_config(config)
            .create_with_context(context)
            .map_err(|source| BrokerError::Client {
                role: "consumer",
                source,
            })?,
    );
    let producer = create_producer(config)?;
    let metrics = ops.metrics.clone();
    metrics.set_knowledge(&pipeline.knowledge().version);
    changelog::ensure_topic(config).await?;
    let (restored, mut remote, follower) =
        changelog::restore_and_follow(config, &mut index, &mut |read, total| {
            metrics.restore_read.set(read as i64);
            metrics.restore_total.set(total as i64);
        })
        .await?;
    ops.health.set_restored();
    info!(entries = restored, index_entries = index.len(), topic = %config.raw.dedup.changelog_topic, "dedup index restored");
    let topics: Vec<&str> = config.raw.topics.input.iter().map(String::as_str).collect();
    consumer
        .subscribe(&topics)
        .map_err(|source| BrokerError::Fatal {
            doing: format!("subscribing to {topics:?}"),
            source,
        })?;
    info!(topics = ?topics, group = %config.raw.kafka.group_id, brokers = %config.raw.kafka.brokers, knowledge_version = %pipeline.knowledge().version, "wiredesk running");

    let (tx, rx) = mpsc::channel::<InFlight>(config.raw.pipeline.max_in_flight);
    let acker = tokio::spawn(acknowledge(rx, consumer.clone(), metrics.clone()));
    let slow = Duration::from_millis(config.raw.pipeline.slow_message_ms);
    let mut summary = RunSummary::default();
    let started = Instant::now();
    let mut consumer_errors = Throttle::new(Duration::from_secs(5));
    let mut last_report = Instant::now();
    // The loop turns at least once a second, idle or not, so /healthz
    // tells a stuck process from a quiet one.
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    tokio::pin!(shutdown);
    loop {
        ops.health.beat();
        tokio::select! {
            biased;
            _ = &mut shutdown => {
                info!("shutdown requested: draining in-flight messages");
                break;
            }
            _ = tick.tick() => {
                swap_knowledge(&mut ops, &mut pipeline);
                metrics.index_entries.set(index.len() as i64);
                metrics.index_bytes.set(index.memory_bytes() as i64);
            }
            received = consumer.recv() => match received {
                Ok(message) => {
                    // Knowledge published while waiting applies to this message.
                    swap_knowledge(&mut ops, &mut pipeline);
                    // Articles other instances remembered meanwhile.
                    while let Ok(entry) = remote.try_recv() {
                        index.insert(&entry);
                    }
                    let span = info_span!("message", topic = message.topic(), partition = message.partition(), offset = message.offset());
                    let (in_flight, times) = handle(config, &pipeline, &mut index, &producer, &message, &mut summary, &metrics)
                        .instrument(span)
                        .await?;
                    let total = times.total();
                    if total > slow {
                        metrics.slow_messages.inc();
                        warn!(topic = message.topic(), partition = message.partition(), offset = message.offset(), ms = total.as_millis() as u64, stages = ?times, "slow message");
                    }
                    drop(message);
                    // Back-pressure: wait for room in the in-flight queue,
                    // beating meanwhile (waiting on the broker is not hung).
                    let permit = loop {
                        tokio::select! {
                            permit = tx.reserve() => break permit,
                            _ = tick.tick() => ops.health.beat(),
                        }
                    };
                    let Ok(permit) = permit else {
                        // The acknowledger stopped: its error is reported below.
                        break;
                    };
                    metrics.in_flight.inc();
                    permit.send(in_flight);
                }
                Err(e) if is_fatal(&e) => {
                    return Err(BrokerError::Fatal { doing: "consuming".into(), source: e });
                }
                Err(e) => {
                    // librdkafka reconnects and retries by itself; these are
                    // reports queued while it does. Waiting after each one
                    // would drain a backlog of them (an outage queues many)
                    // long after the broker is back, so only the log is
                    // throttled.
                    if let Some(suppressed) = consumer_errors.allow() {
                        warn!(error = %e, suppressed, "transient consumer error; librdkafka keeps reconnecting");
                    }
                }
            }
        }
        if last_report.elapsed() >= Duration::from_secs(10) {
            last_report = Instant::now();
            info!(consumed = summary.consumed, enriched = ?summary.enriched, dead_lettered = ?summary.dead_lettered, index_entries = index.len(), "progress");
        }
    }
    drop(tx);
    follower.abort();
    let drain = Duration::from_secs(config.raw.pipeline.drain_timeout_secs);
    summary.produced = match tokio::time::timeout(drain, acker).await {
        Ok(Ok(Ok(produced))) => produced,
        Ok(Ok(Err(e))) => return Err(e),
        Ok(Err(join)) => {
            return Err(BrokerError::Usage(format!(
                "acknowledger task failed: {join}"
            )));
        }
        Err(_) => {
            warn!(secs = drain.as_secs(), "in-flight deliveries did not finish in time; their offsets stay uncommitted and will be re-processed");
            0
        }
    };
    match consumer.commit_consumer_state(CommitMode::Sync) {
        Ok(()) => {}
        Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
        Err(e) => {
            warn!(error = %e, "final commit failed; the group resumes from the last auto-commit")
        }
    }
    if let Err(e) = producer.flush(drain) {
        warn!(error = %e, "producer flush did not complete");
    }
    summary.elapsed = started.elapsed();
    info!(consumed = summary.consumed, produced = summary.produced, enriched = ?summary.enriched, dead_lettered = ?summary.dead_lettered, "wiredesk stopped");
    Ok(summary)
}

/// Swaps in knowledge the reloader published, between two messages.
fn swap_knowledge(ops: &mut ServiceOps, pipeline: &mut Pipeline) {
    let Some(rx) = ops.knowledge.as_mut() else {
        return;
    };
    if rx.has_changed().unwrap_or(false) {
        let knowledge = rx.borrow_and_update().clone();
        let previous = pipeline.knowledge().version.clone();
        ops.metrics.set_knowledge(&knowledge.version);
        info!(version = %knowledge.version, %previous, "knowledge version active");
        *pipeline = Pipeline::new(knowledge);
    }
}

/// Consumer settings: offsets are stored by us after delivery, and
/// committed automatically from that store (and once more at shutdown).
fn consumer_config(config: &Config) -> rdkafka::config::ClientConfig {
    let mut c = base_client_config(config);
    c.set("group.id", &config.raw.kafka.group_id)
        .set("enable.auto.commit", "true")
        .set("enable.auto.offset.store", "false")
        .set("isolation.level", "read_committed");
    if c.get("auto.offset.reset").is_none() {
        c.set("auto.offset.reset", "earliest");
    }
    // Statistics feed the lag metric and readiness (broker connection).
    if c.get("statistics.interval.ms").is_none() {
        c.set("statistics.interval.ms", "1000");
    }
    c
}

async fn handle(
    config: &Config,
    pipeline: &Pipeline,
    index: &mut DedupIndex,
    producer: &FutureProducer,
    message: &BorrowedMessage<'_>,
    summary: &mut RunSummary,
    metrics: &Metrics,
) -> Result<(InFlight, StageTimes), BrokerError> {
    let (source, raw, headers) = message_parts(message);
    let processed_at = Clock::System.now();
    // Enrichment is CPU work: keep it off the reactor so deliveries and
    // timers stay responsive.
    let processed = tokio::task::block_in_place(|| {
        process_message(
            pipeline,
            index,
            config,
            raw,
            headers,
            &source,
            &processed_at,
        )
    });
    metrics.count(message.topic(), &processed.outcome);
    // A dead-lettered message only went through decoding.
    let ran = match processed.outcome {
        Outcome::Enriched(_) => processed.times.stages().len(),
        Outcome::DeadLettered(_) => 1,
    };
    for (stage, d) in processed.times.stages().into_iter().take(ran) {
        metrics
            .stage_seconds
            .with_label_values(&[stage])
            .observe(d.as_secs_f64());
    }
    metrics
        .stage_seconds
        .with_label_values(&["total"])
        .observe(processed.times.total().as_secs_f64());
    summary.count(processed.outcome);
    let mut deliveries = Vec::with_capacity(processed.records.len());
    for record in &processed.records {
        let future = enqueue(producer, record)
            .await
            .map_err(|source| BrokerError::Delivery {
                topic: record.topic.clone(),
                source,
            })?;
        deliveries.push((record.topic.clone(), future));
    }
    Ok((
        InFlight {
            topic: message.topic().to_string(),
            partition: message.partition(),
            offset: message.offset(),
            timestamp_ms: source.timestamp_ms,
            deliveries,
        },
        processed.times,
    ))
}

/// Awaits deliveries in consumption order and stores each message's offset
/// once all its outputs are acknowledged. Returns the records delivered.
async fn acknowledge(
    mut rx: mpsc::Receiver<InFlight>,
    consumer: Arc<Consumer_>,
    metrics: Arc<Metrics>,
) -> Result<u64, BrokerError> {
    let mut delivered = 0u64;
    while let Some(in_flight) = rx.recv().await {
        for (topic, future) in in_flight.deliveries {
            await_delivery(&topic, future).await?;
            metrics.produced.with_label_values(&[&topic]).inc();
            delivered += 1;
        }
        metrics.in_flight.dec();
        if let Some(ts) = in_flight.timestamp_ms {
            let now = chrono::Utc::now().timestamp_millis();
            metrics
                .latency_seconds
                .observe((now - ts).max(0) as f64 / 1000.0);
        }
        if let Err(e) =
            consumer.store_offset(&in_flight.topic, in_flight.partition, in_flight.offset)
        {
            // The partition was revoked by a rebalance: its new owner
            // re-processes from the last commit (at-least-once).
            debug!(error = %e, topic = %in_flight.topic, partition = in_flight.partition, "offset not stored");
        }
    }
    Ok(delivered)
}

/// Lets a repeated log line through at most once per interval, counting
/// the ones held back.
#[derive(Debug)]
struct Throttle {
    every: Duration,
    last: Option<Instant>,
    held: u64,
}

impl Throttle {
    fn new(every: Duration) -> Self {
        Throttle {
            every,
            last: None,
            held: 0,
        }
    }

    /// `Some(held back since the last one)` when this one may be logged.
    fn allow(&mut self) -> Option<u64> {
        if self.last.is_some_and(|t| t.elapsed() < self.every) {
            self.held += 1;
            return None;
        }
        self.last = Some(Instant::now());
        Some(std::mem::take(&mut self.held))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_lets_one_through_per_interval_and_counts_the_rest() {
        let mut t = Throttle::new(Duration::from_millis(50));
        assert_eq!(t.allow(), Some(0));
        assert_eq!(t.allow(), None);
        assert_eq!(t.allow(), None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(t.allow(), Some(2));
    }
}
