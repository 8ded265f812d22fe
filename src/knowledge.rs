//! Knowledge: everything the enrichment stages read from `config/`
//! (gazetteer, topic lexicons and model, routing rules), loaded and
//! validated as one versioned value so it can be swapped atomically.

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::region::RegionTagger;
use crate::route::Router;
use crate::topic::TopicClassifier;

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
        /// 1-based line number.
        line: usize,
        /// What is wrong and what is expected.
        message: String,
    },
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
        let mut digest = Sha256::new();
        digest.update(format!("{:?}", config.raw.routes).as_bytes());
        let version = hex_prefix(&digest.finalize(), 6);
        Ok(Knowledge {
            regions: RegionTagger::default(),
            topics: TopicClassifier::default(),
            router: Router::new(&config.raw),
            version,
        })
    }
}

/// Lower-case hex of the first `bytes` bytes.
pub fn hex_prefix(digest: &[u8], bytes: usize) -> String {
    digest.iter().take(bytes).map(|b| format!("{b:02x}")).collect()
}
