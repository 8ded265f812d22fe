//! A bounded slice of a topic, read without joining a consumer group: the
//! partitions are assigned directly, nothing is ever committed, and the end
//! of each partition is its high watermark when the slice is opened. Used
//! by `replay`, `dump` and the dedup changelog restore.
//!
//! Time bounds filter on each record's timestamp. Reading starts at the
//! earliest offset whose timestamp is at or after `since` (the broker's
//! time index), but records are not time-ordered within a partition (wires
//! are timestamped with their own publication time), so every record up to
//! the end is checked against `[since, until)`.

use std::collections::HashMap;
use std::time::Duration;

use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::{Offset, TopicPartitionList};

use super::{base_client_config, BrokerError};
use crate::config::Config;

/// Which part of a topic to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SliceSpec {
    /// Only records with a timestamp at or after this (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Only records with a timestamp before this (ms since the epoch).
    pub until_ms: Option<i64>,
    /// Start here instead: `(partition, offset)`; unlisted partitions are
    /// not read.
    pub from_offsets: Option<Vec<(i32, i64)>>,
}

impl SliceSpec {
    /// True when `timestamp_ms` falls inside the time bounds (records
    /// without a timestamp are kept only when no time bound is set).
    pub fn admits(&self, timestamp_ms: Option<i64>) -> bool {
        if self.since_ms.is_none() && self.until_ms.is_none() {
            return true;
        }
        timestamp_ms.is_some_and(|t| {
            self.since_ms.is_none_or(|s| t >= s) && self.until_ms.is_none_or(|u| t < u)
        })
    }
}

/// Parses `--from-offsets` as `PARTITION:OFFSET[,PARTITION:OFFSET...]`.
pub fn parse_offsets(s: &str) -> Result<Vec<(i32, i64)>, BrokerError> {
    let bad = |part: &str| {
        BrokerError::Usage(format!(
            "--from-offsets: {part:?} is not PARTITION:OFFSET (e.g. 0:1200,1:980)"
        ))
    };
    let mut out: Vec<(i32, i64)> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (p, o) = part.split_once(':').ok_or_else(|| bad(part))?;
        let p: i32 = p.trim().parse().map_err(|_| bad(part))?;
        let o: i64 = o.trim().parse().map_err(|_| bad(part))?;
        if p < 0 || o < 0 {
            return Err(bad(part));
        }
        if out.iter().any(|(q, _)| *q == p) {
            return Err(BrokerError::Usage(format!(
                "--from-offsets names partition {p} twice"
            )));
        }
        out.push((p, o));
    }
    if out.is_empty() {
        return Err(bad(s));
    }
    Ok(out)
}

/// How long a quiet partition waits before its position is checked.
const IDLE_CHECK: Duration = Duration::from_secs(2);

/// An open slice: assigned partitions and the offsets where each ends.
pub struct SliceReader {
    consumer: StreamConsumer,
    topic: String,
    spec: SliceSpec,
    /// End offset (exclusive) of each partition not yet finished.
    remaining: HashMap<i32, i64>,
    /// Records the slice spans by offset (before time filtering).
    total: u64,
    /// Records read so far (before time filtering).
    read: u64,
    /// Records read but outside the time bounds.
    skipped: u64,
}

impl SliceReader {
    /// Assigns `topic`'s partitions at the slice's start offsets and
    /// captures their end offsets now.
    pub async fn open(
        config: &Config,
        topic: &str,
        spec: SliceSpec,
        timeout: Duration,
    ) -> Result<Self, BrokerError> {
        let mut cc = base_client_config(config);
        // A throw-away group id: librdkafka needs one, but assign() never
        // joins the group and nothing is committed.
        cc.set(
            "group.id",
            format!("wiredesk-slice-{}-{topic}", std::process::id()),
        )
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "error")
        .set("isolation.level", "read_committed");
        let consumer: StreamConsumer = cc.create().map_err(|source| BrokerError::Client {
            role: "consumer",
            source,
        })?;
        let unreachable = |doing: String, e| BrokerError::unreachable(config, timeout, doing, e);
        let metadata = consumer
            .fetch_metadata(Some(topic), timeout)
            .map_err(|e| unreachable(format!("reading metadata of {topic}"), e))?;
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .filter(|t| t.name() == topic)
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        if partitions.is_empty() {
            return Err(BrokerError::Usage(format!(
                "topic {topic:?} does not exist or has no partitions"
            )));
        }
        if let Some(offsets) = &spec.from_offsets {
            if let Some((p, _)) = offsets.iter().find(|(p, _)| !partitions.contains(p)) {
                return Err(BrokerError::Usage(format!(
                    "--from-offsets names partition {p}, but {topic} has partitions {partitions:?}"
                )));
            }
        }
        let since_starts = match spec.since_ms {
            Some(since) if spec.from_offsets.is_none() => {
                let mut query = TopicPartitionList::new();
                for &p in &partitions {
                    query
                        .add_partition_offset(topic, p, Offset::Offset(since))
                        .map_err(|e| BrokerError::Usage(e.to_string()))?;
                }
                let found = consumer.offsets_for_times(query, timeout).map_err(|e| {
                    unreachable(format!("looking up offsets by time in {topic}"), e)
                })?;
                Some(found)
            }
            _ => None,
        };
        let mut assignment = TopicPartitionList::new();
        let mut remaining = HashMap::new();
        let mut total = 0u64;
        for &p in &partitions {
            let (low, high) = watermarks(&consumer, topic, p, timeout)
                .await
                .map_err(|e| unreachable(format!("reading offsets of {topic}/{p}"), e))?;
            let start = if let Some(offsets) = &spec.from_offsets {
                let Some(&(_, o)) = offsets.iter().find(|(q, _)| *q == p) else {
                    continue;
                };
                if o < low {
                    return Err(BrokerError::Usage(format!(
                        "--from-offsets {p}:{o} is before the first retained offset {low} of {topic}/{p}"
                    )));
                }
                o
            } else if let Some(found) = &since_starts {
                match found.find_partition(topic, p).map(|e| e.offset()) {
                    Some(Offset::Offset(o)) => o.max(low),
                    // No record at or after `since`: nothing to read here.
                    _ => high,
                }
            } else {
                low
            };
            // Empty partitions are assigned too: a follower (the changelog)
            // must see what is written to them later.
            assignment
                .add_partition_offset(topic, p, Offset::Offset(start))
                .map_err(|e| BrokerError::Usage(e.to_string()))?;
            if start < high {
                remaining.insert(p, high);
                total += (high - start) as u64;
            }
        }
        consumer
            .assign(&assignment)
            .map_err(|source| BrokerError::Fatal {
                doing: format!("assigning {topic}"),
                source,
            })?;
        Ok(SliceReader {
            consumer,
            topic: topic.to_string(),
            spec,
            remaining,
            total,
            read: 0,
            skipped: 0,
        })
    }

    /// The next record inside the slice, or `None` when every partition
    /// reached the end captured at open.
    pub async fn next(&mut self) -> Result<Option<BorrowedMessage<'_>>, BrokerError> {
        loop {
            if self.remaining.is_empty() {
                return Ok(None);
            }
            let message = match tokio::time::timeout(IDLE_CHECK, self.consumer.recv()).await {
                Ok(Ok(m)) => m,
                Ok(Err(source)) => {
                    return Err(BrokerError::Fatal {
                        doing: format!("reading {}", self.topic),
                        source,
                    })
                }
                Err(_idle) => {
                    // Nothing arrived: a partition whose end lies past a
                    // transaction marker (never delivered) is finished when
                    // its position reached the end.
                    drop_finished(&self.consumer, &self.topic, &mut self.remaining);
                    continue;
                }
            };
            let p = message.partition();
            let Some(&end) = self.remaining.get(&p) else {
                continue;
            };
            if message.offset() >= end {
                self.remaining.remove(&p);
                continue;
            }
            if message.offset() + 1 >= end {
                self.remaining.remove(&p);
            }
            self.read += 1;
            if self.spec.admits(message.timestamp().to_millis()) {
                return Ok(Some(message));
            }
            self.skipped += 1;
        }
    }

    /// Records the slice spans by offset.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Records read so far, inside the time bounds or not.
    pub fn read(&self) -> u64 {
        self.read
    }

    /// Records read that fell outside the time bounds.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The consumer, positioned at the end of the slice, to keep following
    /// the topic.
    pub fn into_consumer(self) -> StreamConsumer {
        self.consumer
    }
}

/// A partition's low and high watermarks. A partition just created (the
/// changelog on first start) answers "not leader" until its leader is
/// elected, so errors short of fatal are retried until `timeout` has passed.
async fn watermarks(
    consumer: &StreamConsumer,
    topic: &str,
    partition: i32,
    timeout: Duration,
) -> Result<(i64, i64), rdkafka::error::KafkaError> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match consumer.fetch_watermarks(topic, partition, left) {
            Ok(marks) => return Ok(marks),
            Err(e) if super::is_fatal(&e) || left < RETRY_PAUSE => return Err(e),
            Err(e) => {
                tracing::debug!(topic, partition, error = %e, "offsets not available yet; retrying");
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }
}

/// Pause between attempts at a partition's offsets.
const RETRY_PAUSE: Duration = Duration::from_millis(250);

/// Forgets partitions whose position reached their end.
fn drop_finished(consumer: &StreamConsumer, topic: &str, remaining: &mut HashMap<i32, i64>) {
    let Ok(positions) = consumer.position() else {
        return;
    };
    remaining.retain(|p, end| {
        !matches!(
            positions.find_partition(topic, *p).map(|e| e.offset()),
            Some(Offset::Offset(pos)) if pos >= *end
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse_and_explain_mistakes() {
        assert_eq!(
            parse_offsets("0:1200, 1:980").unwrap(),
            vec![(0, 1200), (1, 980)]
        );
        for bad in ["", "0", "0:x", "a:1", "0:-1", "0:1,0:2"] {
            let e = parse_offsets(bad).unwrap_err().to_string();
            assert!(e.contains("--from-offsets"), "{bad}: {e}");
        }
    }

    #[test]
    fn time_bounds_are_half_open() {
        let spec = SliceSpec {
            since_ms: Some(100),
            until_ms: Some(200),
            from_offsets: None,
        };
        assert!(!spec.admits(Some(99)));
        assert!(spec.admits(Some(100)));
        assert!(spec.admits(Some(199)));
        assert!(!spec.admits(Some(200)));
        assert!(!spec.admits(None));
        assert!(SliceSpec::default().admits(None));
    }
}
