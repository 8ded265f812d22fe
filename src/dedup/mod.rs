//! Duplicate, near-duplicate and update detection.
//!
//! * [`fingerprint`]: what an article is compared by (exact hash of the
//!   normalised text, wire tags stripped).
//! * [`index`]: the bounded in-memory index of recent articles.
//!
//! The index is an explicit value owned by whoever runs the pipeline, so the
//! service, `enrich`, replay and evaluation make the same decisions.

pub mod fingerprint;
pub mod index;

pub use fingerprint::Fingerprint;
pub use index::DedupIndex;

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
