//! The dedup changelog: a compacted topic keyed by article id holding what
//! the index remembered of each article. At start-up every instance reads
//! all of it (not just its own partitions) into its index before the first
//! input message, then keeps following it, so a copy is recognised whichever
//! partition or instance saw the original.

use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::Message;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use super::output::OutputRecord;
use super::slice::{SliceReader, SliceSpec};
use super::{base_client_config, BrokerError};
use crate::config::Config;
use crate::dedup::index::Remembered;
use crate::dedup::DedupIndex;

const TIMEOUT: Duration = Duration::from_secs(30);

/// The changelog record for one remembered article.
pub fn changelog_record(topic: &str, r: &Remembered) -> OutputRecord {
    OutputRecord {
        topic: topic.to_string(),
        key: Some(r.id.as_bytes().to_vec()),
        // Serialising our own plain struct cannot fail.
        payload: serde_json::to_vec(r).unwrap_or_default(),
        headers: Vec::new(),
        timestamp_ms: Some(r.time.saturating_mul(1000)),
    }
}

/// Creates the changelog topic, compacted, when it does not exist yet.
pub async fn ensure_topic(config: &Config) -> Result<(), BrokerError> {
    let admin: AdminClient<DefaultClientContext> =
        base_client_config(config)
            .create()
            .map_err(|source| BrokerError::Client {
                role: "admin",
                source,
            })?;
    let topic = &config.raw.dedup.changelog_topic;
    // Listing all topics never triggers the broker's auto-creation, which
    // would make the changelog without compaction.
    let exists = admin
        .inner()
        .fetch_metadata(None, TIMEOUT)
        .map_err(|e| BrokerError::unreachable(config, TIMEOUT, "listing topics", e))?
        .topics()
        .iter()
        .any(|t| t.name() == topic && !t.partitions().is_empty());
    if exists {
        return Ok(());
    }
    let new = NewTopic::new(topic, 6, TopicReplication::Fixed(-1)).set("cleanup.policy", "compact");
    let results = admin
        .create_topics(
            &[new],
            &AdminOptions::new().operation_timeout(Some(TIMEOUT)),
        )
        .await
        .map_err(|e| {
            BrokerError::unreachable(
                config,
                TIMEOUT,
                format!("creating the dedup changelog {topic}"),
                e,
            )
        })?;
    for r in results {
        match r {
            Ok(_) => info!(topic, "created compacted dedup changelog topic"),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((t, code)) => {
                return Err(BrokerError::Usage(format!(
                    "cannot create dedup changelog topic {t}: {code}; create it (cleanup.policy=compact) or fix permissions"
                )))
            }
        }
    }
    Ok(())
}

/// Reads `topic` (a dedup changelog) into `index`, up to the end offsets
/// captured when called. `progress` is told (records read, records in the
/// slice) as it goes. Returns the entries restored and the reader,
/// positioned at the end, for following.
pub async fn restore(
    config: &Config,
    topic: &str,
    index: &mut DedupIndex,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(u64, SliceReader), BrokerError> {
    let mut reader = SliceReader::open(config, topic, SliceSpec::default(), TIMEOUT).await?;
    let started = Instant::now();
    let mut restored = 0u64;
    let mut incomparable = 0u64;
    let mut last_log = Instant::now();
    let total = reader.total();
    progress(0, total);
    while let Some(message) = reader.next().await? {
        if let Some(entry) = parse(&message) {
            if index.insert(&entry) {
                restored += 1;
            } else {
                incomparable += 1;
            }
        }
        if restored % 1024 == 0 {
            progress(restored, total);
            if last_log.elapsed() > Duration::from_secs(5) {
                last_log = Instant::now();
                info!(restored, total, topic, "restoring dedup index");
            }
        }
    }
    progress(reader.read(), total);
    if incomparable > 0 {
        warn!(
            incomparable,
            topic,
            scheme = crate::dedup::fingerprint::SCHEME,
            "changelog entries from another fingerprint scheme (an earlier release) were skipped: \
             their signatures cannot be compared; they age out of the window on their own"
        );
    }
    info!(
        restored,
        topic,
        secs = started.elapsed().as_secs_f64(),
        "dedup changelog read to its end"
    );
    Ok((restored, reader))
}

/// Reads the whole changelog into `index` (see [`restore`]), then follows
/// it in the background. Returns the entries restored, a receiver of
/// entries written later (by this or other instances), and the follower
/// task, to abort at shutdown.
pub async fn restore_and_follow(
    config: &Config,
    index: &mut DedupIndex,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(u64, mpsc::Receiver<Remembered>, tokio::task::JoinHandle<()>), BrokerError> {
    let topic = config.raw.dedup.changelog_topic.clone();
    let (restored, reader) = restore(config, &topic, index, progress).await?;
    let consumer = reader.into_consumer();
    let (tx, rx) = mpsc::channel(10_000);
    let follower = tokio::spawn(async move {
        loop {
            match consumer.recv().await {
                Ok(message) => {
                    if let Some(entry) = parse(&message) {
                        if tx.send(entry).await.is_err() {
                            return;
                        }
                    }
                }
                // librdkafka reconnects by itself; waiting here would only
                // drain the reports queued during an outage slowly.
                Err(e) => debug!(error = %e, "dedup changelog follower: transient error"),
            }
        }
    });
    Ok((restored, rx, follower))
}

fn parse(message: &rdkafka::message::BorrowedMessage<'_>) -> Option<Remembered> {
    let payload = message.payload()?;
    match serde_json::from_slice(payload) {
        Ok(r) => Some(r),
        Err(e) => {
            warn!(error = %e, offset = message.offset(), partition = message.partition(), "skipping unreadable dedup changelog record");
            None
        }
    }
}
