//! `wiredesk enrich`: the offline path. Files in, enriched JSONL out, one
//! line per article in input order, one dedup index across the whole input.
//! No Kafka: the same pipeline as the service, so decisions match.

use std::io::Write;

use tracing::warn;

use crate::article::decode;
use crate::clock::Clock;
use crate::config::Config;
use crate::dedup::DedupIndex;
use crate::pipeline::{Pipeline, SourceMeta};
use crate::summary::{Outcome, RunSummary, Tags};
use crate::wirefile::WireItem;

/// Enriches `items` in order, writing one JSON line per article to `out`.
/// Undecodable items are reported on the log with their line and reason,
/// and counted in the summary.
pub fn enrich_items(
    config: &Config,
    pipeline: &Pipeline,
    index: &mut DedupIndex,
    items: &[WireItem],
    clock: &Clock,
    out: &mut dyn Write,
) -> std::io::Result<RunSummary> {
    let started = std::time::Instant::now();
    let mut summary = RunSummary::default();
    for item in items {
        let source = SourceMeta {
            offset: Some(item.line as i64),
            ..SourceMeta::default()
        };
        match decode(&item.bytes, config.raw.input.max_message_bytes) {
            Ok(article) => {
                let record = pipeline.enrich(article, &source, index, &clock.now());
                summary.count(Outcome::Enriched(Tags::of(&record)));
                serde_json::to_writer(&mut *out, &record)?;
                out.write_all(b"\n")?;
                summary.produced += 1;
            }
            Err(err) => {
                warn!(line = item.line, reason = %err.reason, detail = %err.detail, "input not enriched");
                summary.count(Outcome::DeadLettered(err.reason));
            }
        }
    }
    out.flush()?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}
