//! Kafka I/O — the only module that uses rdkafka.
//!
//! * [`service`]: `wiredesk run`, the consume → enrich → route → produce loop
//!   with at-least-once delivery.
//! * [`output`]: building output and dead-letter records.
//! * [`context`]: librdkafka callbacks feeding metrics and readiness.
//! * [`changelog`]: the dedup index's compacted changelog topic: created,
//!   restored at start-up, followed while running.
//! * [`load`]: `wiredesk produce`, loading fixture files into a topic.
//! * [`replay`]: `wiredesk replay`, a bounded re-run of a topic slice.
//! * [`dump`]: `wiredesk dump`, a topic slice exported as JSONL.
//! * [`slice`]: reading a bounded slice of a topic without a group.
//! * [`demo`]: `wiredesk demo` on librdkafka's in-process mock cluster.

// BrokerError carries the broker address and what wiredesk was doing for
// its message; it is returned once per failure, not on a hot path, so its
// size does not matter (clippy flags only the synchronous functions).
#![allow(clippy::result_large_err)]

pub mod changelog;
pub mod context;
pub mod demo;
pub mod dump;
pub mod load;
pub mod output;
pub mod replay;
pub mod service;
pub mod slice;

use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

use crate::config::Config;

/// librdkafka properties wiredesk sets itself because delivery guarantees
/// depend on them; configuration may not override them.
pub const FIXED_PROPERTIES: &[&str] = &[
    "bootstrap.servers",
    "group.id",
    "enable.auto.commit",
    "enable.auto.offset.store",
    "enable.idempotence",
    "acks",
    "isolation.level",
];

/// What went wrong talking to Kafka.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// A client could not be created (bad property, unreachable config).
    #[error("cannot create Kafka {role}: {source} (check [kafka] in the config and --brokers)")]
    Client {
        /// consumer / producer / admin.
        role: &'static str,
        /// The client error.
        source: KafkaError,
    },
    /// The broker reported an error wiredesk cannot recover from.
    #[error("fatal Kafka error while {doing}: {source}")]
    Fatal {
        /// What wiredesk was doing.
        doing: String,
        /// The client error.
        source: KafkaError,
    },
    /// A record could not be delivered even after the client's retries.
    #[error("delivery to {topic} failed: {source}; offsets after the last delivered message were not committed, so a restart re-processes them")]
    Delivery {
        /// Destination topic.
        topic: String,
        /// The client error.
        source: KafkaError,
    },
    /// The broker did not answer in time.
    #[error("broker {brokers} did not answer within {secs}s while {doing}: {source} (is Kafka running? try scripts/kafka-local.sh start; on a secured cluster, check that security.protocol, sasl.* and ssl.* in [kafka.properties] and the password in [kafka.secrets] match the listener)")]
    Unreachable {
        /// The bootstrap servers.
        brokers: String,
        /// Seconds waited.
        secs: u64,
        /// What wiredesk was doing.
        doing: String,
        /// The client error.
        source: KafkaError,
    },
    /// Reading or writing a local file failed.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Bad arguments (e.g. an unknown partition or an unparsable time).
    #[error("{0}")]
    Usage(String),
}

impl BrokerError {
    /// The broker of `config` did not answer within `timeout` while `doing`.
    pub fn unreachable(
        config: &Config,
        timeout: std::time::Duration,
        doing: impl Into<String>,
        source: KafkaError,
    ) -> Self {
        BrokerError::Unreachable {
            brokers: config.raw.kafka.brokers.clone(),
            secs: timeout.as_secs(),
            doing: doing.into(),
            source,
        }
    }
}

/// A client configuration with the brokers, client id, pass-through
/// properties and secrets from `config`. Every client wiredesk makes
/// (consumer, producer, admin, replay, dump) starts from it, so TLS and
/// SASL settings apply to all of them.
pub fn base_client_config(config: &Config) -> ClientConfig {
    let mut c = ClientConfig::new();
    for (k, v) in &config.raw.kafka.properties {
        c.set(k, v);
    }
    for (k, v) in &config.secrets {
        c.set(k, v.expose());
    }
    c.set("bootstrap.servers", &config.raw.kafka.brokers);
    c.set("client.id", &config.raw.kafka.client_id);
    c
}

/// Producer settings for at-least-once, ordered delivery: idempotence keeps
/// per-partition order across retries; acks=all waits for the ISR.
pub fn producer_config(config: &Config) -> ClientConfig {
    let mut c = base_client_config(config);
    c.set("enable.idempotence", "true")
        .set("acks", "all")
        .set_default("linger.ms", "5")
        .set_default("compression.type", "lz4")
        .set_default("message.max.bytes", "10485760");
    c
}

trait SetDefault {
    fn set_default(&mut self, key: &str, value: &str) -> &mut Self;
}

impl SetDefault for ClientConfig {
    fn set_default(&mut self, key: &str, value: &str) -> &mut Self {
        if self.get(key).is_none() {
            self.set(key, value);
        }
        self
    }
}

/// True for errors a client cannot recover from by retrying.
pub fn is_fatal(err: &KafkaError) -> bool {
    matches!(
        err.rdkafka_error_code(),
        Some(RDKafkaErrorCode::Fatal)
            | Some(RDKafkaErrorCode::Authentication)
            | Some(RDKafkaErrorCode::TopicAuthorizationFailed)
            | Some(RDKafkaErrorCode::GroupAuthorizationFailed)
            | Some(RDKafkaErrorCode::ClusterAuthorizationFailed)
            | Some(RDKafkaErrorCode::InvalidConfig)
            | Some(RDKafkaErrorCode::UnsupportedFeature)
    )
}
