//! The IPTC Media Topics taxonomy wiredesk emits: the 17 top-level
//! QCodes with their English labels, from `config/topics/taxonomy.tsv`.

use crate::knowledge::KnowledgeError;

/// One Media Topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaTopic {
    /// QCode, `medtop:NNNNNNNN`.
    pub code: String,
    /// English label.
    pub name: String,
}

/// Whether a string is a Media Topic QCode.
pub fn is_qcode(s: &str) -> bool {
    s.strip_prefix("medtop:")
        .is_some_and(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses `taxonomy.tsv` (`code`, `name`, then any further columns).
pub fn parse(path: &str, text: &str) -> Result<Vec<MediaTopic>, KnowledgeError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 2 || !is_qcode(cols[0]) || cols[1].trim().is_empty() {
            return Err(KnowledgeError::Parse {
                path: path.into(),
                line: i + 1,
                message: format!("expected `medtop:NNNNNNNN<TAB>name`, found {line:?}"),
            });
        }
        out.push(MediaTopic {
            code: cols[0].into(),
            name: cols[1].into(),
        });
    }
    if out.is_empty() {
        return Err(KnowledgeError::Parse {
            path: path.into(),
            line: 0,
            message: "no topics defined".into(),
        });
    }
    Ok(out)
}
