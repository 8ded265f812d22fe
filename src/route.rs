//! Routing: which output topics an enriched record goes to. Every record
//! goes to the enriched topic; non-originals also to the duplicates topic
//! when one is configured; then each rule from `[[route]]` whose conditions
//! all hold adds its topic, with `{region}`, `{topic}`, `{language}` and
//! `{dedup}` expanded once per matching value.

use crate::config::{RawConfig, RouteSection};
use crate::dedup::DedupStatus;
use crate::enriched::Enriched;

const PLACEHOLDERS: [&str; 4] = ["region", "topic", "language", "dedup"];

/// Checks a topic template: known placeholders only, at most one of them,
/// and what remains must be valid in a Kafka topic name.
pub fn validate_template(template: &str) -> Result<(), String> {
    let mut literal = String::new();
    let mut placeholders = 0;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        literal.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in topic template {template:?}"))?;
        let name = &rest[open + 1..open + close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{name}}} in {template:?}; expected one of {{region}}, {{topic}}, {{language}}, {{dedup}}"
            ));
        }
        placeholders += 1;
        literal.push('x');
        rest = &rest[open + close + 1..];
    }
    literal.push_str(rest);
    if placeholders > 1 {
        return Err(format!(
            "topic template {template:?} has {placeholders} placeholders; use at most one"
        ));
    }
    if !crate::config::is_valid_topic_name(&literal) {
        return Err(format!(
            "topic template {template:?} does not make a valid Kafka topic name (A-Z a-z 0-9 . _ -)"
        ));
    }
    Ok(())
}

/// Replaces characters Kafka does not allow in topic names (`/`, `:`) by `.`.
fn topic_safe(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '.'
            }
        })
        .collect()
}

/// The routing table built from configuration.
#[derive(Debug, Clone)]
pub struct Router {
    enriched: String,
    duplicates: Option<String>,
    rules: Vec<RouteSection>,
}

impl Router {
    /// Builds the router from validated configuration.
    pub fn new(config: &RawConfig) -> Self {
        Router {
            enriched: config.topics.enriched.clone(),
            duplicates: config.topics.duplicates.clone(),
            rules: config.routes.clone(),
        }
    }

    /// Output topics for a record, without repeats, in a stable order.
    pub fn destinations(&self, record: &Enriched) -> Vec<String> {
        let mut out = vec![self.enriched.clone()];
        if record.dedup.status != DedupStatus::Original {
            if let Some(d) = &self.duplicates {
                out.push(d.clone());
            }
        }
        for rule in &self.rules {
            for topic in expand(rule, record) {
                if !out.contains(&topic) {
                    out.push(topic);
                }
            }
        }
        out
    }
}

fn matches_any(wanted: &[String], have: &[&str]) -> Vec<String> {
    have.iter()
        .filter(|h| wanted.is_empty() || wanted.iter().any(|w| w == *h))
        .map(|h| h.to_string())
        .collect()
}

/// The topics one rule sends a record to (none when a condition fails).
fn expand(rule: &RouteSection, record: &Enriched) -> Vec<String> {
    let regions: Vec<&str> = record.regions.iter().map(|r| r.code.as_str()).collect();
    let topics: Vec<&str> = record.topics.iter().map(|t| t.code.as_str()).collect();
    let language = [record.language.as_str()];
    let dedup = [record.dedup.status.as_str()];
    let dedup_wanted: Vec<String> = rule.dedup.iter().map(|d| d.as_str().to_string()).collect();
    let candidates = [
        ("region", matches_any(&rule.regions, &regions)),
        ("topic", matches_any(&rule.topics, &topics)),
        ("language", matches_any(&rule.languages, &language)),
        ("dedup", matches_any(&dedup_wanted, &dedup)),
    ];
    // A condition holds when the rule lists nothing for it or the record has
    // a listed value; an unlisted placeholder still needs a value to expand.
    let conditions = [&rule.regions, &rule.topics, &rule.languages, &dedup_wanted];
    for ((name, values), wanted) in candidates.iter().zip(conditions) {
        let used = rule.topic.contains(&format!("{{{name}}}"));
        if (!wanted.is_empty() || used) && values.is_empty() {
            return Vec::new();
        }
    }
    match candidates
        .iter()
        .find(|(name, _)| rule.topic.contains(&format!("{{{name}}}")))
    {
        Some((name, values)) => values
            .iter()
            .map(|v| rule.topic.replace(&format!("{{{name}}}"), &topic_safe(v)))
            .collect(),
        None => vec![rule.topic.clone()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, EMBEDDED_DEFAULT};
    use crate::dedup::DedupDecision;
    use crate::enriched::{Meta, RegionTag, TopicTag};

    fn record(language: &str, regions: &[&str], topics: &[&str], status: DedupStatus) -> Enriched {
        Enriched {
            id: "a1".into(),
            language: language.into(),
            headline: "h".into(),
            dateline: None,
            places: vec![],
            regions: regions
                .iter()
                .map(|r| RegionTag {
                    code: r.to_string(),
                    score: 0.9,
                })
                .collect(),
            topics: topics
                .iter()
                .map(|t| TopicTag {
                    code: t.to_string(),
                    name: "x".into(),
                    score: 0.9,
                    evidence: None,
                })
                .collect(),
            dedup: DedupDecision {
                status,
                ..DedupDecision::original("a1")
            },
            article: serde_json::Value::Null,
            meta: Meta {
                topic: None,
                partition: None,
                offset: None,
                processed_at: String::new(),
                wiredesk_version: String::new(),
                knowledge_version: String::new(),
                format: "flat".into(),
            },
        }
    }

    fn router() -> Router {
        Router::new(
            &Config::from_toml(EMBEDDED_DEFAULT, "t", None, Vec::new())
                .unwrap()
                .raw,
        )
    }

    #[test]
    fn every_record_goes_to_enriched() {
        let r = record("en", &[], &[], DedupStatus::Original);
        assert_eq!(router().destinations(&r), vec!["wires.enriched"]);
    }

    #[test]
    fn desk_template_expands_per_matching_desk_only() {
        let r = record(
            "ar",
            &["asia/western-asia", "desk/middle-east"],
            &[],
            DedupStatus::Original,
        );
        assert_eq!(
            router().destinations(&r),
            vec!["wires.enriched", "news.desk.middle-east"]
        );
    }

    #[test]
    fn language_and_topic_rule_needs_both() {
        let politics = "medtop:11000000";
        let ar = record("ar", &[], &[politics], DedupStatus::Original);
        let en = record("en", &[], &[politics], DedupStatus::Original);
        assert!(router()
            .destinations(&ar)
            .contains(&"news.ar.politics".to_string()));
        assert!(!router()
            .destinations(&en)
            .contains(&"news.ar.politics".to_string()));
    }

    #[test]
    fn non_originals_also_go_to_duplicates_topic() {
        let r = record("en", &[], &[], DedupStatus::NearDuplicate);
        assert_eq!(
            router().destinations(&r),
            vec!["wires.enriched", "wires.duplicates"]
        );
    }

    #[test]
    fn topic_placeholder_is_made_topic_safe() {
        let rule = RouteSection {
            topic: "news.topic.{topic}".into(),
            regions: vec![],
            topics: vec![],
            languages: vec![],
            dedup: vec![],
        };
        let r = record("en", &[], &["medtop:15000000"], DedupStatus::Original);
        assert_eq!(expand(&rule, &r), vec!["news.topic.medtop.15000000"]);
    }

    #[test]
    fn bad_templates_are_explained() {
        assert!(validate_template("news.{place}")
            .unwrap_err()
            .contains("unknown placeholder"));
        assert!(validate_template("news.{region}.{topic}")
            .unwrap_err()
            .contains("at most one"));
        assert!(validate_template("news/{region}").is_err());
        assert!(validate_template("news.{region}").is_ok());
    }
}
