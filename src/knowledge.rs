//! Knowledge: everything the enrichment stages read from `config/`
//! (gazetteer, desks, topic taxonomy, lexicons and model, routing rules),
//! loaded and validated as one versioned value so it can be swapped
//! atomically. Files come from the config file's directory, or, for the
//! embedded default configuration, from copies built into the binary.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::region::gazetteer::{Gazetteer, GazetteerFiles};
use crate::region::{RegionSettings, RegionTagger};
use crate::route::Router;
use crate::topic::{TopicClassifier, TopicSettings};

/// What went wrong loading knowledge data.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// A knowledge file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A knowledge file has a bad line.
    #[error("{path} line {line}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// 1-based line number (0 when not line-specific).
        line: usize,
        /// What is wrong and what is expected.
        message: String,
    },
    /// The embedded default lacks a file the configuration names.
    #[error("{0} is not built into the binary; pass --config with a config directory that has it")]
    NotEmbedded(String),
}

/// Copies of `config/` built into the binary for the embedded default.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "gazetteer/countries.tsv",
        include_str!("../config/gazetteer/countries.tsv"),
    ),
    (
        "gazetteer/names.tsv",
        include_str!("../config/gazetteer/names.tsv"),
    ),
    (
        "gazetteer/regions.tsv",
        include_str!("../config/gazetteer/regions.tsv"),
    ),
    (
        "gazetteer/ambiguous.tsv",
        include_str!("../config/gazetteer/ambiguous.tsv"),
    ),
    ("desks.toml", include_str!("../config/desks.toml")),
    (
        "topics/taxonomy.tsv",
        include_str!("../config/topics/taxonomy.tsv"),
    ),
    (
        "topics/labels.toml",
        include_str!("../config/topics/labels.toml"),
    ),
    (
        "topics/lexicon/iptc-generated.tsv",
        include_str!("../config/topics/lexicon/iptc-generated.tsv"),
    ),
    (
        "topics/lexicon/ar.tsv",
        include_str!("../config/topics/lexicon/ar.tsv"),
    ),
    (
        "topics/lexicon/de.tsv",
        include_str!("../config/topics/lexicon/de.tsv"),
    ),
    (
        "topics/lexicon/en.tsv",
        include_str!("../config/topics/lexicon/en.tsv"),
    ),
    (
        "topics/lexicon/es.tsv",
        include_str!("../config/topics/lexicon/es.tsv"),
    ),
    (
        "topics/lexicon/fr.tsv",
        include_str!("../config/topics/lexicon/fr.tsv"),
    ),
    (
        "topics/lexicon/ru.tsv",
        include_str!("../config/topics/lexicon/ru.tsv"),
    ),
    (
        "topics/lexicon/zh.tsv",
        include_str!("../config/topics/lexicon/zh.tsv"),
    ),
    (
        "models/topics.json",
        include_str!("../config/models/topics.json"),
    ),
];

/// Where knowledge files are read from.
#[derive(Debug, Clone)]
pub enum KnowledgeSource {
    /// A directory on disk (the config file's).
    Dir(PathBuf),
    /// The copies built into the binary.
    Embedded,
}

impl KnowledgeSource {
    /// The source for a configuration.
    pub fn for_config(config: &Config) -> Self {
        match &config.base_dir {
            Some(dir) => KnowledgeSource::Dir(dir.clone()),
            None => KnowledgeSource::Embedded,
        }
    }

    fn display(&self, rel: &Path) -> String {
        match self {
            KnowledgeSource::Dir(d) => d.join(rel).display().to_string(),
            KnowledgeSource::Embedded => format!("embedded {}", rel.display()),
        }
    }

    /// Reads one file.
    pub fn read(&self, rel: &Path) -> Result<(String, Cow<'static, str>), KnowledgeError> {
        let name = self.display(rel);
        match self {
            KnowledgeSource::Dir(d) => std::fs::read_to_string(d.join(rel))
                .map(|t| (name.clone(), Cow::Owned(t)))
                .map_err(|source| KnowledgeError::Read { path: name, source }),
            KnowledgeSource::Embedded => {
                let key = rel.to_string_lossy().replace('\\', "/");
                EMBEDDED
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| (name.clone(), Cow::Borrowed(*v)))
                    .ok_or(KnowledgeError::NotEmbedded(name))
            }
        }
    }

    /// The `.tsv` files of a directory, sorted, as relative paths.
    pub fn list_tsv(&self, rel_dir: &Path) -> Result<Vec<PathBuf>, KnowledgeError> {
        let mut out: Vec<PathBuf> = match self {
            KnowledgeSource::Dir(d) => std::fs::read_dir(d.join(rel_dir))
                .map_err(|source| KnowledgeError::Read {
                    path: self.display(rel_dir),
                    source,
                })?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
                .filter_map(|p| p.file_name().map(|f| rel_dir.join(f)))
                .collect(),
            KnowledgeSource::Embedded => {
                let prefix = format!("{}/", rel_dir.to_string_lossy());
                EMBEDDED
                    .iter()
                    .filter(|(k, _)| k.starts_with(&prefix) && k.ends_with(".tsv"))
                    .map(|(k, _)| PathBuf::from(k))
                    .collect()
            }
        };
        out.sort();
        Ok(out)
    }
}

/// Everything the pipeline consults, with a version digest.
#[derive(Debug)]
pub struct Knowledge {
    /// Places and regions.
    pub regions: RegionTagger,
    /// Media Topics.
    pub topics: TopicClassifier,
    /// Output routing.
    pub router: Router,
    /// Short digest of the data, written into every record's `meta`.
    pub version: String,
}

impl Knowledge {
    /// Loads and validates all knowledge named by the configuration.
    pub fn load(config: &Config) -> Result<Knowledge, KnowledgeError> {
        let source = KnowledgeSource::for_config(config);
        let mut digest = Sha256::new();
        let mut read = |rel: &Path| -> Result<(String, Cow<'static, str>), KnowledgeError> {
            let (name, text) = source.read(rel)?;
            digest.update(rel.to_string_lossy().as_bytes());
            digest.update(text.as_bytes());
            Ok((name, text))
        };
        let region = &config.raw.region;
        let gz = &region.gazetteer;
        let countries = read(&gz.join("countries.tsv"))?;
        let names = read(&gz.join("names.tsv"))?;
        let regions = read(&gz.join("regions.tsv"))?;
        let ambiguous = read(&gz.join("ambiguous.tsv"))?;
        let desks = read(&region.desks)?;
        let gazetteer = Gazetteer::parse(GazetteerFiles {
            countries: (&countries.0, &countries.1),
            names: (&names.0, &names.1),
            regions: (&regions.0, &regions.1),
            ambiguous: (&ambiguous.0, &ambiguous.1),
            desks: (&desks.0, &desks.1),
        })?;
        let tagger = RegionTagger::new(
            gazetteer,
            RegionSettings {
                min_score: region.min_score,
                evidence: region.evidence,
            },
        )
        .map_err(|e| KnowledgeError::Parse {
            path: gz.display().to_string(),
            line: 0,
            message: e.to_string(),
        })?;

        let topic = &config.raw.topic;
        let taxonomy = read(&topic.dir.join("taxonomy.tsv"))?;
        let mut lexicons = Vec::new();
        for rel in source.list_tsv(&topic.dir.join("lexicon"))? {
            lexicons.push(read(&rel)?);
        }
        let model = match &topic.model {
            Some(rel) => Some(read(rel)?),
            None => None,
        };
        let classifier = TopicClassifier::load(
            (&taxonomy.0, &taxonomy.1),
            lexicons.iter().map(|(n, t)| (n.as_str(), t.as_ref())),
            model.as_ref().map(|(n, t)| (n.as_str(), t.as_ref())),
            TopicSettings {
                threshold: topic.threshold,
                evidence: topic.evidence,
                model_trust: topic.model_trust,
                unseen_damping: topic.unseen_damping,
                model_overrules: topic.model_overrules.clone(),
            },
        )?;
        // Thresholds and switches change decisions as much as the files do.
        digest.update(format!("{:?}{:?}{:?}", config.raw.routes, region, topic).as_bytes());
        let version = hex_prefix(&digest.finalize(), 6);
        Ok(Knowledge {
            regions: tagger,
            topics: classifier,
            router: Router::new(&config.raw),
            version,
        })
    }
}

/// Parses a TOML knowledge file; an error names the file and line.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &str,
    text: &str,
) -> Result<T, KnowledgeError> {
    toml::from_str(text).map_err(|e| KnowledgeError::Parse {
        path: path.into(),
        line: e
            .span()
            .map(|s| text[..s.start].lines().count().max(1))
            .unwrap_or(0),
        message: e.message().to_string(),
    })
}

/// Lower-case hex of the first `bytes` bytes.
pub fn hex_prefix(digest: &[u8], bytes: usize) -> String {
    digest
        .iter()
        .take(bytes)
        .map(|b| format!("{b:02x}"))
        .collect()
}
