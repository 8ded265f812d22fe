//! `wiredesk dump`: exports a topic, or a time or offset slice of it, as
//! JSONL, one record value per line, read through a [`SliceReader`] (no
//! group, no commits). JSON values spread over several lines are written
//! compactly; values that are not JSON (plain-text wires) cannot be a JSONL
//! line and are counted and logged with their offsets instead.

use std::io::Write;
use std::time::Duration;

use rdkafka::message::Message;
use tracing::warn;

use super::slice::{SliceReader, SliceSpec};
use super::BrokerError;
use crate::config::Config;
use crate::progress::Progress;

/// What a dump wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DumpSummary {
    /// Lines written.
    pub written: u64,
    /// Records skipped because their value is not JSON (or empty).
    pub not_json: u64,
    /// Records read but outside the time bounds.
    pub outside: u64,
}

/// Writes the slice of `topic` to `out`.
pub async fn dump(
    config: &Config,
    topic: &str,
    slice: SliceSpec,
    out: &mut dyn Write,
) -> Result<DumpSummary, BrokerError> {
    let mut reader = SliceReader::open(config, topic, slice, Duration::from_secs(30)).await?;
    let mut progress = Progress::new("dump", reader.total());
    let mut summary = DumpSummary::default();
    let io = |source| BrokerError::File {
        path: "dump output".into(),
        source,
    };
    loop {
        let Some(message) = reader.next().await? else {
            break;
        };
        let payload = message.payload().unwrap_or_default();
        match serde_json::from_slice::<serde_json::Value>(payload) {
            Ok(_) if !payload.contains(&b'\n') => {
                out.write_all(payload)
                    .and_then(|_| out.write_all(b"\n"))
                    .map_err(io)?;
                summary.written += 1;
            }
            Ok(value) => {
                serde_json::to_writer(&mut *out, &value).map_err(|e| io(e.into()))?;
                out.write_all(b"\n").map_err(io)?;
                summary.written += 1;
            }
            Err(e) => {
                warn!(topic, partition = message.partition(), offset = message.offset(), error = %e, "record value is not JSON; not dumped");
                summary.not_json += 1;
            }
        }
        drop(message);
        progress.set(reader.read());
    }
    out.flush().map_err(io)?;
    progress.finish();
    summary.outside = reader.skipped();
    Ok(summary)
}
