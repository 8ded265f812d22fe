//! The enriched record: the output contract read by downstream consumers,
//! evaluation and tests (see DESIGN.md). Field names are stable.

use serde::{Deserialize, Serialize};

use crate::dedup::DedupDecision;

/// Where one place was matched, for editors checking a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The surface form as matched (folded).
    pub form: String,
    /// The part of the article: `headline`, `dateline`, `lead` or `body`.
    pub section: String,
}

/// How a place relates to the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceRel {
    /// The story happens there or is about its affairs.
    About,
    /// The place is only mentioned.
    Mentioned,
}

/// A country the story is placed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// ISO 3166-1 alpha-2 code.
    pub code: String,
    /// English name.
    pub name: String,
    /// Confidence in 0..1.
    pub score: f64,
    /// About or merely mentioned.
    pub rel: PlaceRel,
    /// Matched forms, when `region.evidence` is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<Evidence>>,
}

/// A UN M49 region or newsroom desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionTag {
    /// Slug such as `asia/western-asia` or `desk/middle-east`.
    pub code: String,
    /// Confidence in 0..1.
    pub score: f64,
}

/// An IPTC Media Topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicTag {
    /// QCode such as `medtop:11000000`.
    pub code: String,
    /// English label.
    pub name: String,
    /// Confidence in 0..1.
    pub score: f64,
    /// Strongest cues, when `topic.evidence` is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<String>>,
}

/// Where the record came from and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Source topic (absent for files).
    pub topic: Option<String>,
    /// Source partition.
    pub partition: Option<i32>,
    /// Source offset (for files: the line number, from 1).
    pub offset: Option<i64>,
    /// When wiredesk processed it, RFC 3339.
    pub processed_at: String,
    /// The wiredesk version that made it.
    pub wiredesk_version: String,
    /// Digest of the knowledge data (gazetteer, lexicons, model) in use.
    pub knowledge_version: String,
    /// The input form (`ninjs1`, `ninjs2`, `flat`, `text`).
    pub format: String,
}

/// The enriched record for one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enriched {
    /// Input uri/id, else a stable hash of the content.
    pub id: String,
    /// ISO 639-1 language code.
    pub language: String,
    /// Headline, NFC-normalised.
    pub headline: String,
    /// Dateline, when the wire had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateline: Option<String>,
    /// Countries, highest score first.
    pub places: Vec<Place>,
    /// Regions and desks, highest score first.
    pub regions: Vec<RegionTag>,
    /// Media Topics, highest score first.
    pub topics: Vec<TopicTag>,
    /// Duplicate / update decision.
    pub dedup: DedupDecision,
    /// The input document, as received.
    pub article: serde_json::Value,
    /// Provenance.
    pub meta: Meta,
}

/// The wiredesk version written into every record and header.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
