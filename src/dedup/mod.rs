//! Duplicate, near-duplicate and update detection.
//!
//! * [`fingerprint`]: what an article is compared by (exact hash of the
//!   normalised text, MinHash of its shingles, wire tags stripped).
//! * [`index`]: the bounded in-memory index of recent articles, with the
//!   entries it writes to and rebuilds from the changelog.
//!
//! The index is an explicit value owned by whoever runs the pipeline, so the
//! service, `enrich`, replay and evaluation make the same decisions.

pub mod fingerprint;
pub mod index;

pub use fingerprint::Fingerprint;
pub use index::DedupIndex;

impl DedupIndex {
    /// An empty index with the window, cap and thresholds of `[dedup]`.
    pub fn for_config(raw: &crate::config::RawConfig) -> Self {
        let d = &raw.dedup;
        DedupIndex::with_thresholds(
            d.window_hours as i64 * 3600,
            d.max_entries,
            index::Thresholds {
                near: d.near_threshold,
                update: d.update_threshold,
            },
        )
    }
}

use serde::{Deserialize, Serialize};

/// The relation of an article to those seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DedupStatus {
    /// Not seen before.
    Original,
    /// Same text after normalisation.
    Duplicate,
    /// Same story text with edits.
    NearDuplicate,
    /// A new version of an earlier story.
    Update,
}

impl DedupStatus {
    /// Every status, for metrics and summaries.
    pub const ALL: [DedupStatus; 4] = [
        DedupStatus::Original,
        DedupStatus::Duplicate,
        DedupStatus::NearDuplicate,
        DedupStatus::Update,
    ];

    /// The snake_case name used in records, headers and config.
    pub fn as_str(self) -> &'static str {
        match self {
            DedupStatus::Original => "original",
            DedupStatus::Duplicate => "duplicate",
            DedupStatus::NearDuplicate => "near_duplicate",
            DedupStatus::Update => "update",
        }
    }
}

/// The dedup part of an enriched record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupDecision {
    /// What the article is.
    pub status: DedupStatus,
    /// Id of the earlier article it matches (the first of its story cluster).
    pub of: Option<String>,
    /// Similarity to that article, 0..1.
    pub similarity: Option<f64>,
    /// Story cluster id shared by every member of the group.
    pub cluster: String,
}

impl DedupDecision {
    /// The decision for an article never seen before: it starts its own cluster.
    pub fn original(id: &str) -> Self {
        DedupDecision {
            status: DedupStatus::Original,
            of: None,
            similarity: None,
            cluster: id.to_string(),
        }
    }
}
