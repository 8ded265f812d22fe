//! The pure enrichment pipeline: `Article -> Enriched`, no I/O. The only
//! state, the dedup index, is passed in, so the service, `enrich`, replay,
//! benchmarks and evaluation all run exactly this code.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::article::Article;
use crate::dedup::index::Remembered;
use crate::dedup::{DedupIndex, Fingerprint};
use crate::enriched::{Enriched, Meta, VERSION};
use crate::knowledge::{hex_prefix, Knowledge};
use crate::text::{detect_language, fold, nfc};

/// Where an article came from: a Kafka record or a line of a file.
#[derive(Debug, Clone, Default)]
pub struct SourceMeta {
    /// Source topic.
    pub topic: Option<String>,
    /// Source partition.
    pub partition: Option<i32>,
    /// Source offset (line number for files).
    pub offset: Option<i64>,
    /// Kafka record timestamp, ms since the epoch.
    pub timestamp_ms: Option<i64>,
}

/// The text of an article as the stages see it: NFC sections, folded
/// sections for matching, and the language.
#[derive(Debug)]
pub struct ArticleText<'a> {
    /// ISO 639-1 language.
    pub language: &'a str,
    /// NFC headline.
    pub headline: &'a str,
    /// Dateline, if any.
    pub dateline: Option<&'a str>,
    /// NFC body.
    pub body: &'a str,
    /// The headline folded for matching ([`crate::text::fold`]), computed
    /// once and shared by the stages.
    pub folded_headline: &'a str,
    /// The body folded for matching.
    pub folded_body: &'a str,
}

impl<'a> ArticleText<'a> {
    /// Text of an article with its folded forms, which the caller owns.
    pub fn new(
        language: &'a str,
        headline: &'a str,
        dateline: Option<&'a str>,
        body: &'a str,
        folded: &'a (String, String),
    ) -> Self {
        ArticleText {
            language,
            headline,
            dateline,
            body,
            folded_headline: &folded.0,
            folded_body: &folded.1,
        }
    }
}

/// Folds a headline and body once for all stages.
pub fn fold_pair(headline: &str, body: &str) -> (String, String) {
    (fold(headline), fold(body))
}

impl ArticleText<'_> {
    /// The first paragraph of the body (the lead).
    pub fn lead(&self) -> &str {
        self.body.split('\n').next().unwrap_or("")
    }
}

/// Runs the stages over articles with one set of knowledge.
#[derive(Debug, Clone)]
pub struct Pipeline {
    knowledge: Arc<Knowledge>,
}

/// Time one message spent in each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageTimes {
    /// Decoding the input bytes.
    pub decode: std::time::Duration,
    /// NFC, folding, language detection, tokens.
    pub normalize: std::time::Duration,
    /// Places and regions.
    pub region: std::time::Duration,
    /// Media Topics.
    pub topic: std::time::Duration,
    /// Fingerprint and index look-up.
    pub dedup: std::time::Duration,
    /// Serialising and routing the output records.
    pub route: std::time::Duration,
}

impl StageTimes {
    /// (stage name, time) for every stage.
    pub fn stages(&self) -> [(&'static str, std::time::Duration); 6] {
        [
            ("decode", self.decode),
            ("normalize", self.normalize),
            ("region", self.region),
            ("topic", self.topic),
            ("dedup", self.dedup),
            ("route", self.route),
        ]
    }

    /// The sum of all stages.
    pub fn total(&self) -> std::time::Duration {
        self.stages().iter().map(|(_, d)| *d).sum()
    }
}

impl Pipeline {
    /// A pipeline over the given knowledge.
    pub fn new(knowledge: Arc<Knowledge>) -> Self {
        Pipeline { knowledge }
    }

    /// The knowledge in use.
    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// The knowledge in use, shared.
    pub fn shared_knowledge(&self) -> Arc<Knowledge> {
        self.knowledge.clone()
    }

    /// Enriches one article. `processed_at` is an RFC 3339 time supplied by
    /// the caller so replays can fix the clock.
    pub fn enrich(
        &self,
        article: Article,
        source: &SourceMeta,
        index: &mut DedupIndex,
        processed_at: &str,
    ) -> Enriched {
        self.enrich_remembering(
            article,
            source,
            index,
            processed_at,
            &mut StageTimes::default(),
        )
        .0
    }

    /// Like [`Pipeline::enrich`], also returning what the dedup index
    /// remembered of the article, for the changelog, and the time each
    /// stage took (`times.decode` and `times.route` are the caller's).
    pub fn enrich_remembering(
        &self,
        article: Article,
        source: &SourceMeta,
        index: &mut DedupIndex,
        processed_at: &str,
        times: &mut StageTimes,
    ) -> (Enriched, Option<Remembered>) {
        let mut clock = std::time::Instant::now();
        let mut lap = |slot: &mut std::time::Duration| {
            let now = std::time::Instant::now();
            *slot = now - clock;
            clock = now;
        };
        let headline = nfc(&article.headline);
        let body = nfc(&article.body);
        let dateline = article.dateline.as_deref().map(nfc);
        let language = detect_language(article.language.as_deref(), &headline, &body);
        let folded = fold_pair(&headline, &body);
        let id = article
            .id
            .clone()
            .unwrap_or_else(|| content_id_of_folded(&folded.0, &folded.1));
        let text = ArticleText::new(&language, &headline, dateline.as_deref(), &body, &folded);
        lap(&mut times.normalize);
        let (places, regions) = self.knowledge.regions.tag(&text);
        lap(&mut times.region);
        let topics = self.knowledge.topics.classify(&text);
        lap(&mut times.topic);
        let event_time = event_time_secs(&article, source, processed_at);
        let (dedup, remembered) = index.observe(
            &id,
            &Fingerprint::of_folded(&headline, &folded.1),
            event_time,
            article.version,
        );
        lap(&mut times.dedup);
        let record = Enriched {
            id,
            language,
            headline,
            dateline,
            places,
            regions,
            topics,
            dedup,
            article: article.original,
            meta: Meta {
                topic: source.topic.clone(),
                partition: source.partition,
                offset: source.offset,
                processed_at: processed_at.to_string(),
                wiredesk_version: VERSION.to_string(),
                knowledge_version: self.knowledge.version.clone(),
                format: format!("{:?}", article.format).to_ascii_lowercase(),
            },
        };
        (record, remembered)
    }
}

/// A stable id for articles that arrive without one: a hash of the folded
/// headline and body, so re-sent copies get the same id.
pub fn content_id(headline: &str, body: &str) -> String {
    content_id_of_folded(&fold(headline), &fold(body))
}

fn content_id_of_folded(headline: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(headline.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    format!("wd-{}", hex_prefix(&h.finalize(), 16))
}

/// Event time in seconds: the article's own time, else the record's
/// timestamp, else the processing time.
fn event_time_secs(article: &Article, source: &SourceMeta, processed_at: &str) -> i64 {
    let parse = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp())
    };
    article
        .published_at
        .as_deref()
        .and_then(parse)
        .or(source.timestamp_ms.map(|ms| ms / 1000))
        .or_else(|| parse(processed_at))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::decode;
    use crate::config::{Config, EMBEDDED_DEFAULT};
    use crate::dedup::DedupStatus;

    const SEED: &str = include_str!("../tests/fixtures/seed/000_40ed42c7b675d2dc.txt");

    fn pipeline() -> Pipeline {
        let config = Config::from_toml(EMBEDDED_DEFAULT, "t", None, Vec::new()).unwrap();
        Pipeline::new(Arc::new(Knowledge::load(&config).unwrap()))
    }

    #[test]
    fn seed_gets_arabic_language_and_content_id() {
        let p = pipeline();
        let mut idx = DedupIndex::new(3600, 100);
        let a = decode(SEED.as_bytes(), 1 << 20).unwrap();
        let e = p.enrich(a, &SourceMeta::default(), &mut idx, "2026-11-29T00:00:00Z");
        assert_eq!(e.language, "ar");
        assert!(e.id.starts_with("wd-") && e.id.len() == 35, "{}", e.id);
        assert_eq!(e.dedup.status, DedupStatus::Original);
        assert_eq!(e.meta.format, "text");
    }

    #[test]
    fn content_id_is_stable_across_cosmetic_changes() {
        assert_eq!(
            content_id("Title", "Body text."),
            content_id("TITLE", "Body  text")
        );
        assert_ne!(
            content_id("Title", "Body text."),
            content_id("Title", "Other text.")
        );
    }
}
