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

/// Sends `items` to `topic`, at most `rate` per second when given, and
/// waits until the broker acknowledged every one. Returns the count.
pub async fn produce(
    config: &Config,
    items: &[WireItem],
    topic: &str,
    rate: Option<f64>,
) -> Result<u64, BrokerError> {
    let producer = create_producer(config)?;
    let started = Instant::now();
    let mut pending = Vec::new();
    let mut sent = 0u64;
    for (i, item) in items.iter().enumerate() {
        if let Some(rate) = rate.filter(|r| *r > 0.0) {
            let due = started + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        let (key, timestamp_ms) = key_and_time(&item.bytes);
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
    }
    sent += await_all(topic, &mut pending).await?;
    flush(&producer, Duration::from_secs(30))?;
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
