//! The service's Prometheus metrics, in their own registry (not the
//! process-global one) so tests and several services in one process do not
//! share counters. Names follow Prometheus conventions: `wiredesk_` prefix,
//! `_total` counters, `_seconds` histograms.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::summary::{Outcome, Tags};

/// Every metric wiredesk exports.
pub struct Metrics {
    registry: Registry,
    /// Input messages consumed, by topic.
    pub consumed: IntCounterVec,
    /// Output records acknowledged by the broker, by topic.
    pub produced: IntCounterVec,
    /// Messages dead-lettered, by reason code.
    pub dead_lettered: IntCounterVec,
    /// Dedup decisions, by status.
    pub dedup: IntCounterVec,
    /// Articles per country they are about.
    pub places: IntCounterVec,
    /// Articles per region or desk.
    pub regions: IntCounterVec,
    /// Articles per top-level Media Topic.
    pub topics: IntCounterVec,
    /// Processing time per stage.
    pub stage_seconds: HistogramVec,
    /// From the input record's timestamp to the acknowledgement of its outputs.
    pub latency_seconds: Histogram,
    /// Consumer lag per partition, from librdkafka statistics.
    pub consumer_lag: IntGaugeVec,
    /// Messages processed whose outputs are not yet acknowledged.
    pub in_flight: IntGauge,
    /// Entries in the dedup index.
    pub index_entries: IntGauge,
    /// Estimated bytes held by the dedup index.
    pub index_bytes: IntGauge,
    /// Changelog records read during the start-up restore.
    pub restore_read: IntGauge,
    /// Changelog records to read during the start-up restore.
    pub restore_total: IntGauge,
    /// Consumer group rebalances, by kind (assign, revoke, error).
    pub rebalances: IntCounterVec,
    /// Input partitions currently assigned.
    pub assigned_partitions: IntGauge,
    /// 1 for the knowledge version in use.
    pub knowledge_info: IntGaugeVec,
    /// Knowledge reloads, by result (applied, rejected).
    pub reloads: IntCounterVec,
    /// Messages whose processing took longer than `pipeline.slow_message_ms`.
    pub slow_messages: IntCounter,
    /// 1 when at least one broker connection is up.
    pub broker_up: IntGauge,
    /// 1 when /readyz answers ready.
    pub ready: IntGauge,
}

/// Buckets for per-message stage times: 10 µs to 2.5 s.
const STAGE_BUCKETS: &[f64] = &[
    0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 2.5,
];
/// Buckets for end-to-end latency: 5 ms to 10 min (replays of old wires
/// land in the last bucket, which is what they are).
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0,
];

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        // Metric definitions are constants: a failure here is a programming
        // error caught by the unit test below, so expect() is appropriate.
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid counter");
            registry
                .register(Box::new(c.clone()))
                .expect("unique counter");
            c
        };
        let gauge = |name: &str, help: &str| {
            let g = IntGauge::new(name, help).expect("valid gauge");
            registry
                .register(Box::new(g.clone()))
                .expect("unique gauge");
            g
        };
        let gauge_vec = |name: &str, help: &str, labels: &[&str]| {
            let g = IntGaugeVec::new(Opts::new(name, help), labels).expect("valid gauge");
            registry
                .register(Box::new(g.clone()))
                .expect("unique gauge");
            g
        };
        let stage_seconds = HistogramVec::new(
            HistogramOpts::new(
                "wiredesk_stage_seconds",
                "Processing time per message and stage (decode, normalize, region, topic, dedup, route, total)",
            )
            .buckets(STAGE_BUCKETS.to_vec()),
            &["stage"],
        )
        .expect("valid histogram");
        registry
            .register(Box::new(stage_seconds.clone()))
            .expect("unique histogram");
        let latency_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "wiredesk_end_to_end_latency_seconds",
                "From the input record's timestamp to the broker's acknowledgement of its outputs",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
        )
        .expect("valid histogram");
        registry
            .register(Box::new(latency_seconds.clone()))
            .expect("unique histogram");
        let slow_messages = IntCounter::new(
            "wiredesk_slow_messages_total",
            "Messages whose processing took longer than pipeline.slow_message_ms",
        )
        .expect("valid counter");
        registry
            .register(Box::new(slow_messages.clone()))
            .expect("unique counter");
        Metrics {
            consumed: counter(
                "wiredesk_messages_consumed_total",
                "Input messages consumed",
                &["topic"],
            ),
            produced: counter(
                "wiredesk_messages_produced_total",
                "Output records acknowledged by the broker",
                &["topic"],
            ),
            dead_lettered: counter(
                "wiredesk_dead_lettered_total",
                "Input messages dead-lettered",
                &["reason"],
            ),
            dedup: counter(
                "wiredesk_dedup_decisions_total",
                "Dedup decisions",
                &["status"],
            ),
            places: counter(
                "wiredesk_places_total",
                "Articles about each country",
                &["country"],
            ),
            regions: counter(
                "wiredesk_regions_total",
                "Articles per region or desk",
                &["region"],
            ),
            topics: counter(
                "wiredesk_topics_total",
                "Articles per top-level IPTC Media Topic",
                &["topic"],
            ),
            stage_seconds,
            latency_seconds,
            consumer_lag: gauge_vec(
                "wiredesk_consumer_lag",
                "Consumer lag in messages, per input partition",
                &["topic", "partition"],
            ),
            in_flight: gauge(
                "wiredesk_in_flight_messages",
                "Messages processed whose outputs are not yet acknowledged",
            ),
            index_entries: gauge(
                "wiredesk_dedup_index_entries",
                "Articles remembered by the dedup index",
            ),
            index_bytes: gauge(
                "wiredesk_dedup_index_bytes",
                "Estimated memory held by the dedup index",
            ),
            restore_read: gauge(
                "wiredesk_changelog_restore_read",
                "Dedup changelog records read by the start-up restore",
            ),
            restore_total: gauge(
                "wiredesk_changelog_restore_total",
                "Dedup changelog records the start-up restore has to read",
            ),
            rebalances: counter(
                "wiredesk_rebalances_total",
                "Consumer group rebalances",
                &["kind"],
            ),
            assigned_partitions: gauge(
                "wiredesk_assigned_partitions",
                "Input partitions assigned to this instance",
            ),
            knowledge_info: gauge_vec(
                "wiredesk_knowledge_info",
                "1 for the knowledge version in use",
                &["version"],
            ),
            reloads: counter(
                "wiredesk_knowledge_reloads_total",
                "Knowledge reloads",
                &["result"],
            ),
            slow_messages,
            broker_up: gauge("wiredesk_broker_up", "1 when a broker connection is up"),
            ready: gauge(
                "wiredesk_ready",
                "1 when the service is ready (partitions assigned, dedup restored, broker up)",
            ),
            registry,
        }
    }

    /// Counts one processed message.
    pub fn count(&self, topic: &str, outcome: &Outcome) {
        self.consumed.with_label_values(&[topic]).inc();
        match outcome {
            Outcome::Enriched(tags) => self.count_tags(tags),
            Outcome::DeadLettered(reason) => {
                self.dead_lettered.with_label_values(&[reason.code()]).inc()
            }
        }
    }

    fn count_tags(&self, tags: &Tags) {
        self.dedup.with_label_values(&[tags.status.as_str()]).inc();
        for p in &tags.places {
            self.places.with_label_values(&[p]).inc();
        }
        for r in &tags.regions {
            self.regions.with_label_values(&[r]).inc();
        }
        for t in &tags.topics {
            self.topics.with_label_values(&[t]).inc();
        }
    }

    /// Marks `version` as the knowledge in use (and no other).
    pub fn set_knowledge(&self, version: &str) {
        self.knowledge_info.reset();
        self.knowledge_info.with_label_values(&[version]).set(1);
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding our own registry into a Vec cannot fail.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Reason;
    use crate::dedup::DedupStatus;

    #[test]
    fn counts_render_in_prometheus_text() {
        let m = Metrics::new();
        m.count(
            "wires.raw",
            &Outcome::Enriched(Tags {
                status: DedupStatus::Original,
                places: vec!["RU".into()],
                regions: vec!["desk/europe".into()],
                topics: vec!["medtop:11000000".into()],
            }),
        );
        m.count("wires.raw", &Outcome::DeadLettered(Reason::InvalidJson));
        m.set_knowledge("abc");
        m.set_knowledge("def");
        m.stage_seconds.with_label_values(&["topic"]).observe(0.001);
        let text = m.render();
        for line in [
            "wiredesk_messages_consumed_total{topic=\"wires.raw\"} 2",
            "wiredesk_dead_lettered_total{reason=\"invalid_json\"} 1",
            "wiredesk_dedup_decisions_total{status=\"original\"} 1",
            "wiredesk_places_total{country=\"RU\"} 1",
            "wiredesk_topics_total{topic=\"medtop:11000000\"} 1",
            "wiredesk_knowledge_info{version=\"def\"} 1",
            "wiredesk_stage_seconds_count{stage=\"topic\"} 1",
            "# TYPE wiredesk_end_to_end_latency_seconds histogram",
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
        assert!(!text.contains("version=\"abc\""));
    }

    #[test]
    fn the_grafana_dashboard_only_uses_metrics_that_exist() {
        let m = Metrics::new();
        // Label-less vectors render nothing until a child exists.
        for v in [&m.consumed, &m.produced, &m.dead_lettered, &m.dedup] {
            v.with_label_values(&["x"]).inc();
        }
        for v in [&m.places, &m.regions, &m.topics, &m.rebalances, &m.reloads] {
            v.with_label_values(&["x"]).inc();
        }
        m.consumer_lag.with_label_values(&["t", "0"]).set(1);
        m.knowledge_info.with_label_values(&["v"]).set(1);
        m.stage_seconds.with_label_values(&["topic"]).observe(0.1);
        let families: Vec<String> = m
            .render()
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| l.split(' ').next().map(String::from))
            .collect();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/deploy/grafana/dashboards/wiredesk.json"
        );
        let dashboard = std::fs::read_to_string(path).expect("the dashboard ships with the repo");
        let mut used: Vec<&str> = dashboard
            .match_indices("wiredesk_")
            .map(|(i, _)| {
                let rest = &dashboard[i..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect();
        used.sort_unstable();
        used.dedup();
        assert!(used.len() > 15, "{used:?}");
        for name in used {
            let base = ["_bucket", "_count", "_sum"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .unwrap_or(name);
            assert!(
                families.iter().any(|f| f == base),
                "the dashboard uses {name}, which wiredesk does not export"
            );
        }
    }
}
