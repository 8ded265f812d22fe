//! `wiredesk diff`: compares two enriched JSONL outputs (of `enrich`,
//! `replay --output` or `dump`) article by article, so a team can see what
//! a release or a knowledge change would alter before it goes live.
//!
//! Articles are matched by `id` (the n-th record with an id in A against
//! the n-th in B, since updates share their id). Places, regions and topics
//! are compared as sets of codes (a place whose `rel` changes counts as
//! changed); dedup as status and `of`. Scores are not compared: they move
//! with every knowledge change, membership is what editors see.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde_json::Value;

/// A bad input or threshold.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// A line is not an enriched record.
    #[error("{file} line {line}: not an enriched record ({why}); diff reads the JSONL written by enrich, replay --output or dump of an enriched topic")]
    NotEnriched {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// `--max-changed` could not be read.
    #[error("--max-changed {0:?} is not a count (12) or a percentage (2.5%)")]
    Threshold(String),
}

/// How many changed articles are tolerated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxChanged {
    /// At most this many articles.
    Count(u64),
    /// At most this percentage of the articles compared.
    Percent(f64),
}

impl std::str::FromStr for MaxChanged {
    type Err = DiffError;
    fn from_str(s: &str) -> Result<Self, DiffError> {
        let t = s.trim();
        let bad = || DiffError::Threshold(s.to_string());
        if let Some(p) = t.strip_suffix('%') {
            let p: f64 = p.trim().parse().map_err(|_| bad())?;
            if !(0.0..=100.0).contains(&p) {
                return Err(bad());
            }
            Ok(MaxChanged::Percent(p))
        } else {
            t.parse().map(MaxChanged::Count).map_err(|_| bad())
        }
    }
}

/// The fields compared.
pub const FIELDS: [&str; 4] = ["places", "regions", "topics", "dedup"];

/// What one enriched record says, reduced to what is compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Decisions {
    /// field → (code → detail); detail distinguishes a changed value.
    sets: [BTreeMap<String, String>; 4],
}

/// One difference in one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `places`, `regions`, `topics` or `dedup`.
    pub field: &'static str,
    /// `+` added, `-` removed, `~` changed.
    pub kind: char,
    /// The code, with old → new for a change.
    pub what: String,
}

/// The comparison of two outputs.
#[derive(Debug, Clone, Default)]
pub struct DiffReport {
    /// Articles present in both.
    pub compared: u64,
    /// Ids only in A.
    pub only_a: Vec<String>,
    /// Ids only in B.
    pub only_b: Vec<String>,
    /// Per field: added, removed, changed.
    pub per_field: BTreeMap<&'static str, [u64; 3]>,
    /// Articles with changes, most changed first.
    pub changed: Vec<(String, Vec<Change>)>,
}

impl DiffReport {
    /// Articles that differ, including those present on one side only.
    pub fn changed_articles(&self) -> u64 {
        (self.changed.len() + self.only_a.len() + self.only_b.len()) as u64
    }

    /// Whether the changes exceed `max`.
    pub fn exceeds(&self, max: MaxChanged) -> bool {
        let n = self.changed_articles();
        match max {
            MaxChanged::Count(c) => n > c,
            MaxChanged::Percent(p) => {
                let base =
                    (self.compared + self.only_a.len() as u64 + self.only_b.len() as u64).max(1);
                n as f64 * 100.0 / base as f64 > p
            }
        }
    }

    /// The summary table and the `top` most changed articles.
    pub fn render(&self, top: usize) -> String {
        let mut out = String::new();
        let total = self.compared + self.only_a.len() as u64 + self.only_b.len() as u64;
        let n = self.changed_articles();
        let pct = if total > 0 {
            n as f64 * 100.0 / total as f64
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "compared {} articles; only in A {}, only in B {}; changed {n} ({pct:.1}%)",
            self.compared,
            self.only_a.len(),
            self.only_b.len()
        );
        let _ = writeln!(
            out,
            "{:<10}{:>8}{:>9}{:>9}",
            "field", "added", "removed", "changed"
        );
        for field in FIELDS {
            let [a, r, c] = self.per_field.get(field).copied().unwrap_or_default();
            let _ = writeln!(out, "{field:<10}{a:>8}{r:>9}{c:>9}");
        }
        if !self.changed.is_empty() {
            let _ = writeln!(out, "most changed:");
            for (id, changes) in self.changed.iter().take(top) {
                let list: Vec<String> = changes
                    .iter()
                    .map(|c| format!("{} {}{}", c.field, c.kind, c.what))
                    .collect();
                let _ = writeln!(out, "  {id}: {}", list.join(", "));
            }
        }
        for (side, ids) in [("A", &self.only_a), ("B", &self.only_b)] {
            if !ids.is_empty() {
                let shown: Vec<&str> = ids.iter().take(top).map(String::as_str).collect();
                let _ = writeln!(out, "only in {side}: {}", shown.join(", "));
            }
        }
        out
    }
}

/// Reads one enriched JSONL text into (key, decisions), keys being the id
/// and, from the second record with the same id on, `#n`.
fn read(file: &str, text: &str) -> Result<Vec<(String, Decisions)>, DiffError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |why: String| DiffError::NotEnriched {
            file: file.to_string(),
            line: i + 1,
            why,
        };
        let v: Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no string \"id\"".into()))?;
        if v.get("dedup").is_none() || v.get("topics").is_none() {
            return Err(bad("no \"dedup\" or \"topics\"".into()));
        }
        let n = seen.entry(id.to_string()).or_default();
        *n += 1;
        let key = if *n == 1 {
            id.to_string()
        } else {
            format!("{id}#{n}")
        };
        out.push((key, decisions(&v)));
    }
    Ok(out)
}

fn decisions(v: &Value) -> Decisions {
    let mut d = Decisions::default();
    let codes = |field: &str, detail: &str| -> BTreeMap<String, String> {
        v.get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let code = e.get("code")?.as_str()?.to_string();
                let detail = e
                    .get(detail)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                Some((code, detail))
            })
            .collect()
    };
    d.sets[0] = codes("places", "rel");
    d.sets[1] = codes("regions", "");
    d.sets[2] = codes("topics", "");
    if let Some(dedup) = v.get("dedup") {
        let status = dedup.get("status").and_then(Value::as_str).unwrap_or("");
        let of = dedup.get("of").and_then(Value::as_str).unwrap_or("");
        let value = if of.is_empty() {
            status.to_string()
        } else {
            format!("{status} of {of}")
        };
        d.sets[3].insert("status".into(), value);
    }
    d
}

fn compare(a: &Decisions, b: &Decisions) -> Vec<Change> {
    let mut changes = Vec::new();
    for (f, field) in FIELDS.iter().enumerate() {
        let (sa, sb) = (&a.sets[f], &b.sets[f]);
        let keys: BTreeSet<&String> = sa.keys().chain(sb.keys()).collect();
        for k in keys {
            let change = match (sa.get(k), sb.get(k)) {
                (Some(_), None) => ('-', k.clone()),
                (None, Some(_)) => ('+', k.clone()),
                (Some(x), Some(y)) if x != y => {
                    let what = if *field == "dedup" {
                        format!("{x} → {y}")
                    } else {
                        format!("{k} {x} → {y}")
                    };
                    ('~', what)
                }
                _ => continue,
            };
            changes.push(Change {
                field,
                kind: change.0,
                what: change.1,
            });
        }
    }
    changes
}

/// Compares enriched outputs `a` and `b` (JSONL texts named `name_a`,
/// `name_b` in errors).
pub fn diff(name_a: &str, a: &str, name_b: &str, b: &str) -> Result<DiffReport, DiffError> {
    let a = read(name_a, a)?;
    let b = read(name_b, b)?;
    let b_index: HashMap<&str, &Decisions> = b.iter().map(|(k, d)| (k.as_str(), d)).collect();
    let a_keys: BTreeSet<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
    let mut report = DiffReport::default();
    for (key, da) in &a {
        let Some(db) = b_index.get(key.as_str()) else {
            report.only_a.push(key.clone());
            continue;
        };
        report.compared += 1;
        let changes = compare(da, db);
        for c in &changes {
            let slot = match c.kind {
                '+' => 0,
                '-' => 1,
                _ => 2,
            };
            report.per_field.entry(c.field).or_default()[slot] += 1;
        }
        if !changes.is_empty() {
            report.changed.push((key.clone(), changes));
        }
    }
    report.only_b = b
        .iter()
        .filter(|(k, _)| !a_keys.contains(k.as_str()))
        .map(|(k, _)| k.clone())
        .collect();
    // Most changed first; input order among equals keeps it stable.
    report.changed.sort_by_key(|c| std::cmp::Reverse(c.1.len()));
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, places: &[(&str, &str)], topics: &[&str], status: &str) -> String {
        let places: Vec<Value> = places
            .iter()
            .map(|(c, r)| serde_json::json!({"code": c, "rel": r, "score": 0.5}))
            .collect();
        let topics: Vec<Value> = topics
            .iter()
            .map(|c| serde_json::json!({"code": c, "score": 0.5}))
            .collect();
        serde_json::json!({"id": id, "places": places, "regions": [], "topics": topics,
            "dedup": {"status": status}})
        .to_string()
    }

    #[test]
    fn same_outputs_have_no_changes() {
        let a = [rec(
            "a",
            &[("RU", "about")],
            &["medtop:11000000"],
            "original",
        )]
        .join("\n");
        let r = diff("A", &a, "B", &a).unwrap();
        assert_eq!((r.compared, r.changed_articles()), (1, 0));
        assert!(!r.exceeds(MaxChanged::Count(0)));
    }

    #[test]
    fn reports_added_removed_and_changed_per_field() {
        let a = [
            rec("1", &[("RU", "about")], &["medtop:11000000"], "original"),
            rec("2", &[("FR", "about")], &["medtop:15000000"], "original"),
            rec("3", &[], &[], "original"),
        ]
        .join("\n");
        let b = [
            rec(
                "1",
                &[("RU", "mentioned")],
                &["medtop:11000000", "medtop:04000000"],
                "original",
            ),
            rec(
                "2",
                &[("FR", "about")],
                &["medtop:15000000"],
                "near_duplicate",
            ),
            rec("4", &[], &[], "original"),
        ]
        .join("\n");
        let r = diff("A", &a, "B", &b).unwrap();
        assert_eq!(r.compared, 2);
        assert_eq!(r.only_a, vec!["3"]);
        assert_eq!(r.only_b, vec!["4"]);
        assert_eq!(r.per_field["places"], [0, 0, 1]);
        assert_eq!(r.per_field["topics"], [1, 0, 0]);
        assert_eq!(r.per_field["dedup"], [0, 0, 1]);
        assert_eq!(r.changed[0].0, "1");
        assert_eq!(r.changed_articles(), 4);
        assert!(r.exceeds(MaxChanged::Count(3)));
        assert!(!r.exceeds(MaxChanged::Count(4)));
        assert!(r.exceeds(MaxChanged::Percent(75.0)));
        assert!(!r.exceeds(MaxChanged::Percent(100.0)));
        let text = r.render(5);
        assert!(
            text.contains("topics           1        0        0"),
            "{text}"
        );
        assert!(text.contains("dedup ~original → near_duplicate"), "{text}");
    }

    #[test]
    fn repeated_ids_pair_in_order_and_bad_lines_are_named() {
        let a = [rec("x", &[], &[], "original"), rec("x", &[], &[], "update")].join("\n");
        let r = diff("A", &a, "B", &a).unwrap();
        assert_eq!(r.compared, 2);
        let e = diff("A", "{\"id\": \"x\"}", "B", "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("A line 1") && e.contains("enrich"), "{e}");
    }

    #[test]
    fn thresholds_parse() {
        assert_eq!("12".parse::<MaxChanged>().unwrap(), MaxChanged::Count(12));
        assert_eq!(
            "2.5%".parse::<MaxChanged>().unwrap(),
            MaxChanged::Percent(2.5)
        );
        assert!("lots".parse::<MaxChanged>().is_err());
        assert!("120%".parse::<MaxChanged>().is_err());
    }
}
