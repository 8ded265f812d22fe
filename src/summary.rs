//! What a run did: counts per outcome, dedup status, dead-letter reason,
//! and the places, regions and topics assigned. Shared by the service,
//! `enrich`, `replay` and the metrics.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::article::Reason;
use crate::dedup::DedupStatus;
use crate::enriched::{Enriched, PlaceRel};

/// The tags one enriched record carries, as counted by a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tags {
    /// Dedup decision.
    pub status: DedupStatus,
    /// Countries the story is about (ISO codes).
    pub places: Vec<String>,
    /// Regions and desks.
    pub regions: Vec<String>,
    /// Media Topic QCodes.
    pub topics: Vec<String>,
}

impl Tags {
    /// The tags of `record`.
    pub fn of(record: &Enriched) -> Self {
        Tags {
            status: record.dedup.status,
            places: record
                .places
                .iter()
                .filter(|p| p.rel == PlaceRel::About)
                .map(|p| p.code.clone())
                .collect(),
            regions: record.regions.iter().map(|r| r.code.clone()).collect(),
            topics: record.topics.iter().map(|t| t.code.clone()).collect(),
        }
    }
}

/// What happened to one input message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Enriched, with these tags.
    Enriched(Tags),
    /// Sent to the dead-letter topic for this reason.
    DeadLettered(Reason),
}

/// Counts of a run, logged or printed at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Input messages consumed.
    pub consumed: u64,
    /// Articles enriched, by dedup status.
    pub enriched: BTreeMap<&'static str, u64>,
    /// Messages dead-lettered, by reason code.
    pub dead_lettered: BTreeMap<&'static str, u64>,
    /// Output records written (acknowledged by the broker, or to a file).
    pub produced: u64,
    /// Articles per country they are about.
    pub places: BTreeMap<String, u64>,
    /// Articles per region or desk.
    pub regions: BTreeMap<String, u64>,
    /// Articles per Media Topic.
    pub topics: BTreeMap<String, u64>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl RunSummary {
    /// Counts one outcome.
    pub fn count(&mut self, outcome: Outcome) {
        self.consumed += 1;
        match outcome {
            Outcome::Enriched(tags) => {
                *self.enriched.entry(tags.status.as_str()).or_default() += 1;
                for (tally, codes) in [
                    (&mut self.places, tags.places),
                    (&mut self.regions, tags.regions),
                    (&mut self.topics, tags.topics),
                ] {
                    for code in codes {
                        *tally.entry(code).or_default() += 1;
                    }
                }
            }
            Outcome::DeadLettered(r) => *self.dead_lettered.entry(r.code()).or_default() += 1,
        }
    }

    /// A human-readable report: counts, throughput and the `top` most
    /// frequent places, regions and topics.
    pub fn render(&self, top: usize) -> String {
        let mut out = String::new();
        let secs = self.elapsed.as_secs_f64();
        let rate = if secs > 0.0 {
            self.consumed as f64 / secs
        } else {
            0.0
        };
        let enriched: u64 = self.enriched.values().sum();
        let dead: u64 = self.dead_lettered.values().sum();
        let _ = writeln!(
            out,
            "records in {} | enriched {enriched} | dead-lettered {dead} | records out {} | {secs:.1} s | {rate:.0} records/s",
            self.consumed, self.produced
        );
        let line = |out: &mut String, name: &str, items: Vec<(String, u64)>| {
            if !items.is_empty() {
                let list: Vec<String> = items.iter().map(|(k, n)| format!("{k} {n}")).collect();
                let _ = writeln!(out, "  {name:<14} {}", list.join(", "));
            }
        };
        let statics = |m: &BTreeMap<&'static str, u64>| -> Vec<(String, u64)> {
            m.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        line(&mut out, "dedup", statics(&self.enriched));
        line(&mut out, "dead-lettered", statics(&self.dead_lettered));
        line(&mut out, "top places", top_n(&self.places, top));
        line(&mut out, "top regions", top_n(&self.regions, top));
        line(&mut out, "top topics", top_n(&self.topics, top));
        out
    }
}

/// The `n` largest counts, ties broken by key so output is stable.
fn top_n(tally: &BTreeMap<String, u64>, n: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = tally.iter().map(|(k, c)| (k.clone(), *c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(status: DedupStatus, places: &[&str], topics: &[&str]) -> Outcome {
        Outcome::Enriched(Tags {
            status,
            places: places.iter().map(|s| s.to_string()).collect(),
            regions: Vec::new(),
            topics: topics.iter().map(|s| s.to_string()).collect(),
        })
    }

    #[test]
    fn counts_and_ranks_what_was_assigned() {
        let mut s = RunSummary::default();
        s.count(tags(DedupStatus::Original, &["RU"], &["medtop:11000000"]));
        s.count(tags(
            DedupStatus::Duplicate,
            &["RU", "UA"],
            &["medtop:11000000", "medtop:16000000"],
        ));
        s.count(Outcome::DeadLettered(Reason::InvalidJson));
        s.elapsed = Duration::from_secs(2);
        assert_eq!(s.consumed, 3);
        assert_eq!(s.places["RU"], 2);
        assert_eq!(s.enriched["duplicate"], 1);
        let text = s.render(1);
        assert!(
            text.contains("records in 3 | enriched 2 | dead-lettered 1"),
            "{text}"
        );
        assert!(text.contains("top places     RU 2\n"), "{text}");
        assert!(
            text.contains("top topics     medtop:11000000 2\n"),
            "{text}"
        );
        assert!(text.contains("invalid_json 1"), "{text}");
        assert!(text.contains("2 records/s"), "{text}");
    }
}
