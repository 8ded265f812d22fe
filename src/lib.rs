//! wiredesk — the automated wire desk of a newsroom.
//!
//! Consumes wire articles from Kafka, works out where each story is
//! (countries, UN M49 regions, newsroom desks) and what it is about (IPTC
//! Media Topics), recognises duplicates, near-duplicates and updates, and
//! republishes enriched records.
//!
//! # Layout
//! * [`config`] — typed configuration, environment overrides, validation.
//! * [`article`] — input decoding (ninjs 1.x/2.x, flat JSON, plain text)
//!   into an [`article::Article`], or a dead-letter reason.
//! * [`text`] — normalisation, folding, language, tokens and stems.
//! * [`region`] — gazetteer matching: places and regions.
//! * [`topic`] — Media Topic classification.
//! * [`dedup`] — fingerprints and the bounded dedup index.
//! * [`knowledge`] — the versioned bundle of data the stages read.
//! * [`pipeline`] — the pure `Article -> Enriched` function.
//! * [`enriched`] — the output record.
//! * [`route`] — which output topics a record goes to.
//! * [`wirefile`] — reading wire files (JSONL or text).
//! * [`batch`] — the offline `enrich` path.
//! * [`summary`] — what a run did, counted; [`clock`] — processing time.
//! * [`diff`] — comparing two enriched outputs.
//! * [`timespec`] — command-line times (`-24h`, RFC 3339).
//! * [`eval`] — scoring against labelled data.
//! * [`kafka`] — every use of rdkafka: service, produce, replay, demo.
//! * [`ops`] — metrics, health, the HTTP endpoint and knowledge reloads.
//! * [`telemetry`] — logging set-up; [`progress`] — progress bars.
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use wiredesk::{article, config::Config, dedup::DedupIndex, knowledge::Knowledge, pipeline::{Pipeline, SourceMeta}};
//!
//! let config = Config::from_toml(wiredesk::config::EMBEDDED_DEFAULT, "default", None, Vec::new()).unwrap();
//! let pipeline = Pipeline::new(Arc::new(Knowledge::load(&config).unwrap()));
//! let mut index = DedupIndex::new(72 * 3600, 1000);
//! let wire = "Earthquake hits central Chile\nA strong earthquake struck central Chile on Monday, officials said, and there were no immediate reports of damage.";
//! let article = article::decode(wire.as_bytes(), 1 << 20).unwrap();
//! let record = pipeline.enrich(article, &SourceMeta::default(), &mut index, "2026-11-29T00:00:00Z");
//! assert_eq!(record.language, "en");
//! assert_eq!(record.places[0].code, "CL");
//! ```

pub mod article;
pub mod batch;
pub mod clock;
pub mod config;
pub mod dedup;
pub mod diff;
pub mod enriched;
pub mod eval;
pub mod kafka;
pub mod knowledge;
pub mod ops;
pub mod pipeline;
pub mod progress;
pub mod region;
pub mod route;
pub mod summary;
pub mod telemetry;
pub mod text;
pub mod timespec;
pub mod topic;
pub mod wirefile;
