//! Output records: enriched records to their routed topics, bad input to
//! the dead-letter topic, and sending them without waiting for delivery.

use std::time::Duration;

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};

use crate::article::DecodeError;
use crate::enriched::{Enriched, VERSION};
use crate::pipeline::SourceMeta;
use crate::route::Router;

/// Header naming the dead-letter reason code (`invalid_utf8`, ...).
pub const HEADER_ERROR_CODE: &str = "wiredesk.error.code";
/// Header with the human explanation of the dead-letter reason.
pub const HEADER_ERROR_MESSAGE: &str = "wiredesk.error.message";
/// Header with the source topic of a dead-lettered message.
pub const HEADER_SOURCE_TOPIC: &str = "wiredesk.source.topic";
/// Header with the source partition of a dead-lettered message.
pub const HEADER_SOURCE_PARTITION: &str = "wiredesk.source.partition";
/// Header with the source offset of a dead-lettered message.
pub const HEADER_SOURCE_OFFSET: &str = "wiredesk.source.offset";
/// Header with the dedup status of an enriched record.
pub const HEADER_DEDUP_STATUS: &str = "wiredesk.dedup.status";
/// Header with the wiredesk version.
pub const HEADER_VERSION: &str = "wiredesk.version";

/// One record to produce, independent of the client.
#[derive(Debug, Clone)]
pub struct OutputRecord {
    /// Destination topic.
    pub topic: String,
    /// Record key.
    pub key: Option<Vec<u8>>,
    /// Record value.
    pub payload: Vec<u8>,
    /// Record headers, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Record timestamp, ms since the epoch.
    pub timestamp_ms: Option<i64>,
}

/// The records for one enriched article: one per routed topic, keyed by
/// article id so a story's copies and updates stay in order.
pub fn enriched_records(
    record: &Enriched,
    router: &Router,
    timestamp_ms: Option<i64>,
) -> Vec<OutputRecord> {
    // Serialising our own types cannot fail: every map key is a string.
    let payload = serde_json::to_vec(record).unwrap_or_default();
    let headers = vec![
        ("content-type".to_string(), b"application/json".to_vec()),
        (HEADER_VERSION.to_string(), VERSION.as_bytes().to_vec()),
        (
            HEADER_DEDUP_STATUS.to_string(),
            record.dedup.status.as_str().as_bytes().to_vec(),
        ),
    ];
    router
        .destinations(record)
        .into_iter()
        .map(|topic| OutputRecord {
            topic,
            key: Some(record.id.as_bytes().to_vec()),
            payload: payload.clone(),
            headers: headers.clone(),
            timestamp_ms,
        })
        .collect()
}

/// The dead-letter record for a message that could not be decoded: the
/// original bytes and key, its original headers, then the reason and source.
pub fn dead_letter_record(
    topic: &str,
    original: &[u8],
    key: Option<&[u8]>,
    original_headers: Vec<(String, Vec<u8>)>,
    error: &DecodeError,
    source: &SourceMeta,
) -> OutputRecord {
    let mut headers = original_headers;
    headers.push((
        HEADER_ERROR_CODE.into(),
        error.reason.code().as_bytes().to_vec(),
    ));
    headers.push((
        HEADER_ERROR_MESSAGE.into(),
        error.detail.as_bytes().to_vec(),
    ));
    if let Some(t) = &source.topic {
        headers.push((HEADER_SOURCE_TOPIC.into(), t.as_bytes().to_vec()));
    }
    if let Some(p) = source.partition {
        headers.push((HEADER_SOURCE_PARTITION.into(), p.to_string().into_bytes()));
    }
    if let Some(o) = source.offset {
        headers.push((HEADER_SOURCE_OFFSET.into(), o.to_string().into_bytes()));
    }
    OutputRecord {
        topic: topic.to_string(),
        key: key.map(<[u8]>::to_vec),
        payload: original.to_vec(),
        headers,
        timestamp_ms: source.timestamp_ms,
    }
}

/// Enqueues a record and returns its delivery future without waiting for
/// the broker. A full local queue is waited out (back-pressure), never
/// dropped.
pub async fn enqueue(
    producer: &FutureProducer,
    record: &OutputRecord,
) -> Result<DeliveryFuture, KafkaError> {
    let mut headers = OwnedHeaders::new_with_capacity(record.headers.len());
    for (k, v) in &record.headers {
        headers = headers.insert(Header {
            key: k,
            value: Some(v.as_slice()),
        });
    }
    let mut fr: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&record.topic)
        .payload(record.payload.as_slice())
        .headers(headers);
    if let Some(k) = &record.key {
        fr = fr.key(k.as_slice());
    }
    if let Some(ts) = record.timestamp_ms {
        fr = fr.timestamp(ts);
    }
    loop {
        match producer.send_result(fr) {
            Ok(future) => return Ok(future),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                fr = back;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err((e, _)) => return Err(e),
        }
    }
}

/// Waits for one record's acknowledgement; an error names its topic.
pub async fn await_delivery(topic: &str, future: DeliveryFuture) -> Result<(), super::BrokerError> {
    match future.await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err((source, _))) => Err(super::BrokerError::Delivery {
            topic: topic.to_string(),
            source,
        }),
        Err(_) => Err(super::BrokerError::Delivery {
            topic: topic.to_string(),
            source: KafkaError::Canceled,
        }),
    }
}

/// A producer with wiredesk's delivery settings.
pub fn create_producer(
    config: &crate::config::Config,
) -> Result<FutureProducer, super::BrokerError> {
    super::producer_config(config)
        .create()
        .map_err(|source| super::BrokerError::Client {
            role: "producer",
            source,
        })
}

/// Flushes a producer explicitly: its `Drop` would purge what is queued.
pub fn flush(producer: &FutureProducer, timeout: Duration) -> Result<(), super::BrokerError> {
    use rdkafka::producer::Producer;
    producer
        .flush(timeout)
        .map_err(|source| super::BrokerError::Fatal {
            doing: "flushing the producer".into(),
            source,
        })
}

/// Copies a Kafka message's headers into owned pairs.
pub fn headers_of<H: rdkafka::message::Headers>(headers: Option<&H>) -> Vec<(String, Vec<u8>)> {
    headers
        .map(|h| {
            h.iter()
                .map(|hd| {
                    (
                        hd.key.to_string(),
                        hd.value.map(<[u8]>::to_vec).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
