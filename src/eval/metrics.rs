//! Precision, recall and F1 per class, macro-F1, and confusion matrices,
//! with plain-text tables for the terminal.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

/// Counts for one class.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Counts {
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    pub r#fn: u64,
}

impl Counts {
    /// tp / (tp + fp), 0 when undefined.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// tp / (tp + fn), 0 when undefined.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.r#fn)
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    /// Gold instances of the class.
    pub fn support(&self) -> u64 {
        self.tp + self.r#fn
    }
}

/// `a / b`, 0 when `b` is 0.
pub fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Per-class counts for set-valued predictions (multi-label) or single ones.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PerClass {
    /// Counts by class.
    pub classes: BTreeMap<String, Counts>,
}

impl PerClass {
    /// Adds one item's gold and predicted sets.
    pub fn add(&mut self, gold: &[String], predicted: &[String]) {
        for g in gold {
            let c = self.classes.entry(g.clone()).or_default();
            if predicted.contains(g) {
                c.tp += 1;
            } else {
                c.r#fn += 1;
            }
        }
        for p in predicted {
            if !gold.contains(p) {
                self.classes.entry(p.clone()).or_default().fp += 1;
            }
        }
    }

    /// Sum over classes (micro counts).
    pub fn micro(&self) -> Counts {
        self.classes
            .values()
            .fold(Counts::default(), |a, c| Counts {
                tp: a.tp + c.tp,
                fp: a.fp + c.fp,
                r#fn: a.r#fn + c.r#fn,
            })
    }

    /// Mean F1 over classes with gold support.
    pub fn macro_f1(&self) -> f64 {
        let supported: Vec<&Counts> = self.classes.values().filter(|c| c.support() > 0).collect();
        if supported.is_empty() {
            0.0
        } else {
            supported.iter().map(|c| c.f1()).sum::<f64>() / supported.len() as f64
        }
    }

    /// A table of the classes with the most support (all when `limit` is 0).
    pub fn table(&self, names: &dyn Fn(&str) -> String, limit: usize) -> String {
        let mut rows: Vec<(&String, &Counts)> = self.classes.iter().collect();
        rows.sort_by(|a, b| b.1.support().cmp(&a.1.support()).then(a.0.cmp(b.0)));
        if limit > 0 {
            rows.truncate(limit);
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "  {:<44} {:>9} {:>9} {:>9} {:>8}",
            "class", "precision", "recall", "f1", "support"
        );
        for (class, c) in rows {
            let _ = writeln!(
                out,
                "  {:<44} {:>9.3} {:>9.3} {:>9.3} {:>8}",
                names(class),
                c.precision(),
                c.recall(),
                c.f1(),
                c.support()
            );
        }
        let m = self.micro();
        let _ = writeln!(
            out,
            "  {:<44} {:>9.3} {:>9.3} {:>9.3} {:>8}",
            "micro",
            m.precision(),
            m.recall(),
            m.f1(),
            m.support()
        );
        let _ = writeln!(out, "  {:<44} {:>29.3}", "macro-F1", self.macro_f1());
        out
    }
}

/// Gold × predicted counts for single-label decisions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Confusion {
    /// cells[gold][predicted].
    pub cells: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Confusion {
    /// Adds one decision.
    pub fn add(&mut self, gold: &str, predicted: &str) {
        *self
            .cells
            .entry(gold.to_string())
            .or_default()
            .entry(predicted.to_string())
            .or_default() += 1;
    }

    /// The matrix as text, with short labels.
    pub fn table(&self, short: &dyn Fn(&str) -> String) -> String {
        let mut cols: Vec<&String> = self.cells.values().flat_map(|r| r.keys()).collect();
        cols.sort();
        cols.dedup();
        let mut out = String::new();
        let _ = write!(out, "  {:<12}", "gold\\pred");
        for c in &cols {
            let _ = write!(out, " {:>7}", short(c));
        }
        out.push('\n');
        for (g, row) in &self.cells {
            let _ = write!(out, "  {:<12}", short(g));
            for c in &cols {
                let _ = write!(out, " {:>7}", row.get(*c).copied().unwrap_or(0));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn per_class_counts_and_macro_f1() {
        let mut pc = PerClass::default();
        pc.add(&s(&["a"]), &s(&["a"]));
        pc.add(&s(&["a"]), &s(&["b"]));
        pc.add(&s(&["b"]), &s(&["b"]));
        let a = pc.classes["a"];
        assert_eq!((a.tp, a.fp, a.r#fn), (1, 0, 1));
        let b = pc.classes["b"];
        assert_eq!((b.tp, b.fp, b.r#fn), (1, 1, 0));
        assert!((a.f1() - 2.0 / 3.0).abs() < 1e-9);
        assert!((pc.macro_f1() - 2.0 / 3.0).abs() < 1e-9);
    }
}
