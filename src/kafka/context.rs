//! The consumer's client context: librdkafka's callbacks feed the
//! operations side. Statistics (every `statistics.interval.ms`) give the
//! per-partition consumer lag and whether any broker connection is up;
//! rebalances give the assigned partition count; "all brokers down" drops
//! readiness at once.

use std::sync::Arc;

use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::statistics::Statistics;
use tracing::{error, info, warn};

use crate::ops::health::Health;
use crate::ops::metrics::Metrics;

/// Callbacks of the service's consumer.
#[derive(Clone)]
pub struct OpsContext {
    /// Where lag, rebalances and broker state go.
    pub metrics: Arc<Metrics>,
    /// Readiness inputs.
    pub health: Arc<Health>,
}

impl ClientContext for OpsContext {
    fn stats(&self, stats: Statistics) {
        // Bootstrap entries have nodeid -1; a real broker connection in
        // state UP means the cluster is reachable.
        let up = stats
            .brokers
            .values()
            .any(|b| b.nodeid >= 0 && b.state == "UP");
        self.health.set_broker_up(up);
        self.metrics.broker_up.set(i64::from(up));
        for (topic, t) in &stats.topics {
            for (partition, p) in &t.partitions {
                // Partition -1 is librdkafka's internal unassigned queue;
                // lag -1 means not known yet.
                if *partition >= 0 && p.consumer_lag >= 0 {
                    self.metrics
                        .consumer_lag
                        .with_label_values(&[topic.as_str(), &partition.to_string()])
                        .set(p.consumer_lag);
                }
            }
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        if error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) {
            self.health.set_broker_up(false);
            self.metrics.broker_up.set(0);
            warn!(
                reason,
                "all brokers are down; not ready until a connection comes back"
            );
        } else {
            error!(%error, reason, "librdkafka error");
        }
    }
}

impl ConsumerContext for OpsContext {
    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let kind = match rebalance {
            Rebalance::Assign(_) => "assign",
            Rebalance::Revoke(_) => "revoke",
            Rebalance::Error(_) => "error",
        };
        self.metrics.rebalances.with_label_values(&[kind]).inc();
        let assigned = consumer.assignment().map(|a| a.count()).unwrap_or(0) as i64;
        self.health.set_assigned(assigned);
        self.metrics.assigned_partitions.set(assigned);
        if kind == "revoke" {
            // Lag of partitions we no longer own would otherwise linger.
            self.metrics.consumer_lag.reset();
        }
        info!(kind, assigned, "rebalance");
    }
}
