//! `wiredesk produce`: loads a wire file into a topic, keyed by article id,
//! with record timestamps from the article's own time. Lines are sent as
//! they are, malformed ones included, so fixtures can exercise the
//! dead-letter path.

use std::time::{Duration, Instant};

use rdkafka::producer::DeliveryFuture;
use serde_json::Value;
use tracing::info;

use super::output::{await_delivery, create_producer, enqueue, flush, OutputRecord};
use super::BrokerError;
use crate::config::Config;
use crate::progress::Progress;
use crate::wirefile::WireItem;

/// Key and timestamp of a message, read from the article when it parses.
fn key_and_time(bytes: &[u8]) -> (Option<Vec<u8>>, Option<i64>) {
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(bytes) else {
        return (None, None);
    };
    let key = ["id", "uri", "guid"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))
        .map(|s| s.as_bytes().to_vec());
    let time = ["published_at", "versioncreated", "firstcreated"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp_millis());
    (key, time)
}

/// How fast `produce` sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// As fast as the broker takes them.
    Fastest,
    /// At most this many messages per second.
    Rate(f64),
    /// Keeping the gaps between the articles' own times, divided by the
    /// speed-up (1 = real time, 60 = an hour per minute). Articles without
    /// a time, or earlier than the one before, go out at once.
    Original {
        /// Time compression factor (> 0).
        speed: f64,
    },
}

/// When message `i` (with article time `time_ms`) is due, as an offset
/// from the start, given the first article's time `first_ms`.
fn due_after(pace: Pace, i: usize, time_ms: Option<i64>, first_ms: Option<i64>) -> Duration {
    match pace {
        Pace::Fastest => Duration::ZERO,
        Pace::Rate(rate) => Duration::from_secs_f64(i as f64 / rate),
        Pace::Original { speed } => match (time_ms, first_ms) {
            (Some(t), Some(first)) if t > first => {
                Duration::from_secs_f64((t - first) as f64 / 1000.0 / speed)
            }
            _ => Duration::ZERO,
        },
    }
}

/// Sends `items` to `topic` at `pace` and waits until the broker
/// acknowledged every one. Returns the count.
pub async fn produce(
    config: &Config,
    items: &[WireItem],
    topic: &str,
    pace: Pace,
) -> Result<u64, BrokerError> {
    if let Pace::Rate(r) | Pace::Original { speed: r } = pace {
        if !(r.is_finite() && r > 0.0) {
            return Err(BrokerError::Usage(format!(
                "--rate and --speed must be positive numbers, not {r}"
            )));
        }
    }
    let producer = create_producer(config)?;
    let started = Instant::now();
    let mut progress = Progress::new("produce", items.len() as u64);
    let mut pending = Vec::new();
    let mut sent = 0u64;
    let mut first_ms = None;
    let mut latest_due = Duration::ZERO;
    for (i, item) in items.iter().enumerate() {
        let (key, timestamp_ms) = key_and_time(&item.bytes);
        if first_ms.is_none() {
            first_ms = timestamp_ms;
        }
        // Never wait for an article older than one already sent.
        latest_due = latest_due.max(due_after(pace, i, timestamp_ms, first_ms));
        if !latest_due.is_zero() {
            tokio::time::sleep_until((started + latest_due).into()).await;
        }
        let record = OutputRecord {
            topic: topic.to_string(),
            key,
            payload: item.bytes.clone(),
            headers: Vec::new(),
            timestamp_ms,
        };
        let future = enqueue(&producer, &record)
            .await
            .map_err(|source| BrokerError::Delivery {
                topic: topic.to_string(),
                source,
            })?;
        pending.push(future);
        if pending.len() >= 1000 {
            sent += await_all(topic, &mut pending).await?;
        }
        progress.set(i as u64 + 1);
    }
    sent += await_all(topic, &mut pending).await?;
    flush(&producer, Duration::from_secs(30))?;
    progress.finish();
    info!(
        topic,
        sent,
        secs = started.elapsed().as_secs_f64(),
        "produced"
    );
    Ok(sent)
}

async fn await_all(topic: &str, pending: &mut Vec<DeliveryFuture>) -> Result<u64, BrokerError> {
    let mut n = 0;
    for future in pending.drain(..) {
        await_delivery(topic, future).await?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacing_follows_rate_or_article_time() {
        assert_eq!(
            due_after(Pace::Fastest, 9, Some(5), Some(0)),
            Duration::ZERO
        );
        assert_eq!(
            due_after(Pace::Rate(4.0), 2, None, None),
            Duration::from_millis(500)
        );
        let hour = Some(3_600_000);
        assert_eq!(
            due_after(Pace::Original { speed: 60.0 }, 1, hour, Some(0)),
            Duration::from_secs(60)
        );
        // Earlier than the first, or without a time: at once.
        assert_eq!(
            due_after(Pace::Original { speed: 1.0 }, 1, Some(-5), Some(0)),
            Duration::ZERO
        );
        assert_eq!(
            due_after(Pace::Original { speed: 1.0 }, 1, None, Some(0)),
            Duration::ZERO
        );
    }
}
