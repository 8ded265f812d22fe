//! Dataset label mapping (`config/topics/labels.toml`): the topic labels of
//! labelled corpora (`business`, `politic`, ...) to Media Topic QCodes, so
//! `train` and `eval` read any dataset without code changes.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::taxonomy::is_qcode;
use crate::knowledge::{parse_toml, KnowledgeError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelsFile {
    labels: BTreeMap<String, String>,
}

/// Dataset label → QCode.
#[derive(Debug, Clone, Default)]
pub struct LabelMap {
    map: BTreeMap<String, String>,
}

impl LabelMap {
    /// Parses `labels.toml`; every value must be a QCode.
    pub fn parse(path: &str, text: &str) -> Result<LabelMap, KnowledgeError> {
        let file: LabelsFile = parse_toml(path, text)?;
        if let Some((k, v)) = file.labels.iter().find(|(_, v)| !is_qcode(v)) {
            return Err(KnowledgeError::Parse {
                path: path.into(),
                line: 0,
                message: format!(
                    "label {k:?} maps to {v:?}, expected a QCode like medtop:11000000"
                ),
            });
        }
        Ok(LabelMap {
            map: file
                .labels
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v))
                .collect(),
        })
    }

    /// A QCode for a label: QCodes pass through, dataset labels are mapped.
    pub fn resolve(&self, label: &str) -> Option<String> {
        if is_qcode(label) {
            Some(label.to_string())
        } else {
            self.map.get(&label.trim().to_lowercase()).cloned()
        }
    }
}
