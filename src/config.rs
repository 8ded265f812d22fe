//! Typed configuration: a raw serde layer (`deny_unknown_fields`) read from
//! TOML, overridden by `WIREDESK_SECTION__KEY` environment variables, then
//! validated into [`Config`]. Every error names where the bad value came from
//! (file and line, or environment variable), the key, and what is expected.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::dedup::DedupStatus;

/// The configuration shipped in the repository, used when no file is given
/// and `config/wiredesk.toml` is not found next to the working directory.
pub const EMBEDDED_DEFAULT: &str = include_str!("../config/wiredesk.toml");

/// Prefix of environment variables that override configuration keys.
/// `WIREDESK_KAFKA__BROKERS=host:9092` sets `[kafka] brokers`; the double
/// underscore separates table levels so keys may contain single underscores.
pub const ENV_PREFIX: &str = "WIREDESK_";

/// What went wrong while loading or validating configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source} (pass --config PATH or create config/wiredesk.toml)")]
    Read {
        /// The file we tried to read.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file or an override is not valid TOML or does not fit the schema.
    #[error("{origin}: key `{key}`: {message}")]
    Schema {
        /// The file (with line) or environment variable the value came from.
        origin: String,
        /// Dotted path of the offending key.
        key: String,
        /// The parser's explanation, including what is expected.
        message: String,
    },
    /// A value parsed but is impossible (out of range, inconsistent).
    #[error("{origin}: key `{key}`: {message}")]
    Invalid {
        /// The file or environment variable the configuration came from.
        origin: String,
        /// Dotted path of the offending key.
        key: String,
        /// What is expected instead.
        message: String,
    },
}

/// Raw `[kafka]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaSection {
    /// Bootstrap servers, `host:port[,host:port...]`.
    pub brokers: String,
    /// Consumer group of the service.
    #[serde(default = "default_group_id")]
    pub group_id: String,
    /// Client id reported to the broker.
    #[serde(default = "default_client_id")]
    pub client_id: String,
    /// Extra librdkafka properties passed through to every client
    /// (e.g. `"security.protocol" = "SASL_SSL"`). Delivery-critical settings
    /// are fixed by wiredesk and cannot be overridden here.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    /// Secret librdkafka properties (`sasl.password`, `ssl.key.password`,
    /// ...) and where their values are read: `env:VARIABLE` or
    /// `file:PATH`. Values never sit in the config file.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
}

/// A secret value: its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value, for handing to the Kafka client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// True for librdkafka properties whose values are credentials.
pub fn is_secret_property(key: &str) -> bool {
    key.contains("password")
        || key.contains("secret")
        || matches!(key, "ssl.key.pem" | "sasl.oauthbearer.config")
}

fn default_group_id() -> String {
    "wiredesk".into()
}
fn default_client_id() -> String {
    "wiredesk".into()
}

/// Raw `[topics]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicsSection {
    /// Input topics the service subscribes to.
    pub input: Vec<String>,
    /// Topic every enriched record goes to.
    pub enriched: String,
    /// Topic for input that cannot be decoded.
    pub dead_letter: String,
    /// Topic that duplicates, near-duplicates and updates also go to; unset
    /// to keep them only in the enriched topic.
    #[serde(default)]
    pub duplicates: Option<String>,
}

/// Raw `[input]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSection {
    /// Messages larger than this many bytes are dead-lettered as `too_large`.
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: usize,
}

fn default_max_message_bytes() -> usize {
    1_048_576
}

/// Raw `[pipeline]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSection {
    /// Messages processed but not yet acknowledged by the broker, at most.
    /// Reaching it pauses consumption (back-pressure).
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: usize,
    /// Seconds to wait for in-flight deliveries on shutdown.
    #[serde(default = "default_drain_timeout_secs")]
    pub drain_timeout_secs: u64,
    /// A message whose processing takes longer than this many
    /// milliseconds is logged with its offset and counted.
    #[serde(default = "default_slow_message_ms")]
    pub slow_message_ms: u64,
}

fn default_slow_message_ms() -> u64 {
    1000
}

fn default_max_in_flight() -> usize {
    2000
}
fn default_drain_timeout_secs() -> u64 {
    30
}

/// Raw `[region]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSection {
    /// Directory of the gazetteer, relative to the config file.
    #[serde(default = "default_gazetteer_dir")]
    pub gazetteer: PathBuf,
    /// Desk definitions, relative to the config file.
    #[serde(default = "default_desks_file")]
    pub desks: PathBuf,
    /// Places scoring below this are not emitted.
    #[serde(default = "default_place_threshold")]
    pub min_score: f64,
    /// Emit the matched surface forms with each place.
    #[serde(default)]
    pub evidence: bool,
}

fn default_gazetteer_dir() -> PathBuf {
    PathBuf::from("gazetteer")
}
fn default_desks_file() -> PathBuf {
    PathBuf::from("desks.toml")
}
fn default_place_threshold() -> f64 {
    0.2
}

/// Raw `[topic]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSection {
    /// Directory of taxonomy, lexicons and label mapping, relative to the config file.
    #[serde(default = "default_topics_dir")]
    pub dir: PathBuf,
    /// Trained model file, relative to the config file; optional (absent
    /// or empty: the lexicons alone).
    #[serde(default)]
    pub model: Option<PathBuf>,
    /// Topics scoring below this are not emitted (the top topic always is).
    #[serde(default = "default_topic_threshold")]
    pub threshold: f64,
    /// Emit the strongest cues with each topic.
    #[serde(default)]
    pub evidence: bool,
    /// Training articles of a topic in a language at which the model's
    /// probability weighs as much as the lexicon's score: n / (n + this).
    #[serde(default = "default_model_trust")]
    pub model_trust: f64,
    /// How far topics the model was never taught (in the article's
    /// language) are damped when the model is sure of its answer (0..1).
    #[serde(default = "default_unseen_damping")]
    pub unseen_damping: f64,
    /// Languages (ISO 639-1) where the model's blend replaces the lexicon's
    /// score of the topics it knows (a topic the lexicon found strong may
    /// sink to the threshold, still emitted); elsewhere it only raises.
    #[serde(default = "default_model_overrules")]
    pub model_overrules: Vec<String>,
}

fn default_model_trust() -> f64 {
    5.0
}
fn default_unseen_damping() -> f64 {
    0.45
}
fn default_model_overrules() -> Vec<String> {
    vec!["en".into(), "fr".into()]
}

fn default_topics_dir() -> PathBuf {
    PathBuf::from("topics")
}
fn default_topic_threshold() -> f64 {
    0.35
}

/// Raw `[dedup]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DedupSection {
    /// Hours an article is remembered, by event time.
    #[serde(default = "default_window_hours")]
    pub window_hours: u64,
    /// Articles remembered at most; the oldest are evicted first.
    #[serde(default = "default_max_entries")]
    pub max_entries: usize,
    /// Similarity at or above which a copy is a near-duplicate.
    #[serde(default = "default_near_threshold")]
    pub near_threshold: f64,
    /// Similarity at or above which a tagged article is an update.
    #[serde(default = "default_update_threshold")]
    pub update_threshold: f64,
    /// Compacted topic the index changes are written to and restored from.
    pub changelog_topic: String,
}

fn default_window_hours() -> u64 {
    72
}
fn default_max_entries() -> usize {
    2_000_000
}
fn default_near_threshold() -> f64 {
    0.6
}
fn default_update_threshold() -> f64 {
    0.3
}

/// Raw `[http]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSection {
    /// Address of the metrics and health endpoint.
    #[serde(default = "default_http_listen")]
    pub listen: String,
}

fn default_http_listen() -> String {
    "127.0.0.1:9464".into()
}

/// One routing rule: records matching every given condition go to `topic`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSection {
    /// Destination topic; may contain `{region}`, `{topic}`, `{language}`,
    /// `{dedup}` placeholders, expanded once per matching value.
    pub topic: String,
    /// Match records having one of these regions (or desks).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Match records having one of these topic codes.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Match records in one of these languages.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Match records with one of these dedup statuses.
    #[serde(default)]
    pub dedup: Vec<DedupStatus>,
}

/// The raw configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Broker connection.
    pub kafka: KafkaSection,
    /// Topic names.
    pub topics: TopicsSection,
    /// Input limits.
    #[serde(default = "default_input")]
    pub input: InputSection,
    /// Processing limits.
    #[serde(default = "default_pipeline")]
    pub pipeline: PipelineSection,
    /// Region tagging.
    pub region: RegionSection,
    /// Topic classification.
    pub topic: TopicSection,
    /// Duplicate detection.
    pub dedup: DedupSection,
    /// Metrics and health endpoint.
    #[serde(default = "default_http")]
    pub http: HttpSection,
    /// Routing rules, applied in order; every record also goes to the enriched topic.
    #[serde(default, rename = "route")]
    pub routes: Vec<RouteSection>,
}

fn default_input() -> InputSection {
    InputSection {
        max_message_bytes: default_max_message_bytes(),
    }
}
fn default_pipeline() -> PipelineSection {
    PipelineSection {
        max_in_flight: default_max_in_flight(),
        drain_timeout_secs: default_drain_timeout_secs(),
        slow_message_ms: default_slow_message_ms(),
    }
}
fn default_http() -> HttpSection {
    HttpSection {
        listen: default_http_listen(),
    }
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The validated values.
    pub raw: RawConfig,
    /// Directory that relative knowledge paths resolve against; `None` for
    /// the embedded default, whose knowledge is embedded too.
    pub base_dir: Option<PathBuf>,
    /// Where the configuration came from, for messages.
    pub origin: String,
    /// `[kafka.secrets]`, resolved: (librdkafka property, value).
    pub secrets: Vec<(String, Secret)>,
}

impl Config {
    /// Loads configuration: `path` if given, else `config/wiredesk.toml` in
    /// the working directory if present, else the embedded default; then
    /// applies `WIREDESK_*__*` overrides from `env` and validates.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let local = Path::new("config/wiredesk.toml");
        let chosen = match path {
            Some(p) => Some(p.to_path_buf()),
            None if local.exists() => Some(local.to_path_buf()),
            None => None,
        };
        match chosen {
            Some(p) => {
                let text = std::fs::read_to_string(&p).map_err(|source| ConfigError::Read {
                    path: p.clone(),
                    source,
                })?;
                let base = p
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| PathBuf::from("."));
                Self::from_toml(&text, &p.display().to_string(), Some(base), env)
            }
            None => Self::from_toml(EMBEDDED_DEFAULT, "embedded default config", None, env),
        }
    }

    /// Parses and validates configuration text; `origin` names it in errors.
    pub fn from_toml(
        text: &str,
        origin: &str,
        base_dir: Option<PathBuf>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut raw = parse_file(text, origin)?;
        let env: Vec<(String, String)> = env.into_iter().collect();
        let overrides: Vec<(String, String)> = env
            .iter()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX) && k.contains("__"))
            .cloned()
            .collect();
        let mut origin = origin.to_string();
        if !overrides.is_empty() {
            raw = apply_env(text, origin.as_str(), &overrides)?;
            let names: Vec<&str> = overrides.iter().map(|(k, _)| k.as_str()).collect();
            origin = format!("{origin} with {}", names.join(", "));
        }
        // An empty model path turns the model off: an environment variable
        // cannot comment the key out, and "" would name the config folder.
        if raw
            .topic
            .model
            .as_deref()
            .is_some_and(|p| p.as_os_str().to_string_lossy().trim().is_empty())
        {
            raw.topic.model = None;
        }
        validate(&raw, &origin)?;
        let secrets = resolve_secrets(&raw, &origin, base_dir.as_deref(), &env)?;
        Ok(Config {
            raw,
            base_dir,
            origin,
            secrets,
        })
    }

    /// Replaces the broker list (the `--brokers` flag).
    pub fn set_brokers(&mut self, brokers: &str) -> Result<(), ConfigError> {
        check_brokers(brokers, "--brokers")?;
        self.raw.kafka.brokers = brokers.to_string();
        Ok(())
    }

    /// Resolves a knowledge path against the config file's directory.
    pub fn resolve(&self, relative: &Path) -> Option<PathBuf> {
        self.base_dir.as_ref().map(|b| b.join(relative))
    }
}

fn parse_file(text: &str, origin: &str) -> Result<RawConfig, ConfigError> {
    let de = toml::Deserializer::new(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        let line = inner
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        ConfigError::Schema {
            origin: match line {
                Some(l) => format!("{origin} line {l}"),
                None => origin.to_string(),
            },
            key,
            message: inner.message().trim().to_string(),
        }
    })
}

fn apply_env(
    text: &str,
    origin: &str,
    overrides: &[(String, String)],
) -> Result<RawConfig, ConfigError> {
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| ConfigError::Schema {
        origin: origin.to_string(),
        key: String::new(),
        message: e.message().to_string(),
    })?;
    for (var, value) in overrides {
        let path: Vec<String> = var[ENV_PREFIX.len()..]
            .split("__")
            .map(|s| s.to_ascii_lowercase())
            .collect();
        let parsed = parse_env_value(value);
        let mut table = &mut doc;
        for part in &path[..path.len() - 1] {
            let entry = table
                .entry(part.clone())
                .or_insert_with(|| toml::Value::Table(Default::default()));
            table = match entry {
                toml::Value::Table(t) => t,
                _ => {
                    return Err(ConfigError::Schema {
                        origin: format!("environment variable {var}"),
                        key: path.join("."),
                        message: format!("`{part}` is not a table"),
                    })
                }
            };
        }
        table.insert(path[path.len() - 1].clone(), parsed);
    }
    serde_path_to_error::deserialize(toml::Value::Table(doc)).map_err(|e| {
        let key = e.path().to_string();
        let var = overrides
            .iter()
            .find(|(k, _)| {
                k[ENV_PREFIX.len()..]
                    .to_ascii_lowercase()
                    .replace("__", ".")
                    == key
            })
            .map(|(k, _)| format!("environment variable {k}"))
            .unwrap_or_else(|| format!("{origin} with environment overrides"));
        ConfigError::Schema {
            origin: var,
            key,
            message: e.into_inner().message().trim().to_string(),
        }
    })
}

/// An override value is read as a TOML value when it parses as one
/// (`42`, `true`, `["a", "b"]`), else as a plain string.
fn parse_env_value(value: &str) -> toml::Value {
    let probe = format!("v = {value}");
    match toml::from_str::<toml::Table>(&probe) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(value.into())),
        Err(_) => toml::Value::String(value.to_string()),
    }
}

fn invalid(origin: &str, key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        origin: origin.to_string(),
        key: key.to_string(),
        message: message.into(),
    }
}

fn check_brokers(brokers: &str, origin: &str) -> Result<(), ConfigError> {
    let ok = !brokers.trim().is_empty()
        && brokers.split(',').all(|b| {
            let b = b.trim();
            match b.rsplit_once(':') {
                Some((host, port)) => !host.is_empty() && port.parse::<u16>().is_ok(),
                None => false,
            }
        });
    if ok {
        Ok(())
    } else {
        Err(invalid(
            origin,
            "kafka.brokers",
            format!("expected HOST:PORT[,HOST:PORT...], got {brokers:?}"),
        ))
    }
}

/// Kafka topic names: 1..=249 characters of `[A-Za-z0-9._-]`.
pub fn is_valid_topic_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 249
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn check_topic(origin: &str, key: &str, name: &str) -> Result<(), ConfigError> {
    if is_valid_topic_name(name) {
        Ok(())
    } else {
        Err(invalid(
            origin,
            key,
            format!("expected a Kafka topic name (1-249 of A-Z a-z 0-9 . _ -), got {name:?}"),
        ))
    }
}

fn check_unit(origin: &str, key: &str, value: f64) -> Result<(), ConfigError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(invalid(
            origin,
            key,
            format!("expected a number between 0 and 1, got {value}"),
        ))
    }
}

/// Reads each `[kafka.secrets]` value from its environment variable or
/// file. Errors name the property and the source, never a value.
fn resolve_secrets(
    raw: &RawConfig,
    origin: &str,
    base_dir: Option<&Path>,
    env: &[(String, String)],
) -> Result<Vec<(String, Secret)>, ConfigError> {
    let mut out = Vec::new();
    for (key, reference) in &raw.kafka.secrets {
        let at = format!("kafka.secrets.\"{key}\"");
        if crate::kafka::FIXED_PROPERTIES.contains(&key.as_str()) {
            return Err(invalid(
                origin,
                &at,
                "wiredesk sets this property itself; remove it",
            ));
        }
        let value = if let Some(var) = reference.strip_prefix("env:") {
            env.iter()
                .find(|(k, _)| k == var)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| {
                    invalid(
                        origin,
                        &at,
                        format!(
                            "environment variable {var} is not set; export it or use file:PATH"
                        ),
                    )
                })?
        } else if let Some(path) = reference.strip_prefix("file:") {
            let path = match base_dir {
                Some(b) => b.join(path),
                None => PathBuf::from(path),
            };
            std::fs::read_to_string(&path)
                .map_err(|e| {
                    invalid(
                        origin,
                        &at,
                        format!("cannot read secret file {}: {e}", path.display()),
                    )
                })?
                .trim_end_matches(['\n', '\r'])
                .to_string()
        } else {
            return Err(invalid(
                origin,
                &at,
                "expected \"env:VARIABLE\" or \"file:PATH\" (the value itself never goes in the config file)",
            ));
        };
        if value.is_empty() {
            return Err(invalid(origin, &at, format!("{reference} is empty")));
        }
        out.push((key.clone(), Secret(value)));
    }
    Ok(out)
}

fn validate(raw: &RawConfig, origin: &str) -> Result<(), ConfigError> {
    check_brokers(&raw.kafka.brokers, origin)?;
    if raw.kafka.group_id.trim().is_empty() {
        return Err(invalid(
            origin,
            "kafka.group_id",
            "expected a non-empty consumer group id",
        ));
    }
    for key in crate::kafka::FIXED_PROPERTIES {
        if raw.kafka.properties.contains_key(*key) {
            return Err(invalid(
                origin,
                &format!("kafka.properties.\"{key}\""),
                "wiredesk sets this property itself because delivery guarantees depend on it; remove it",
            ));
        }
    }
    for key in raw.kafka.properties.keys() {
        if is_secret_property(key) {
            return Err(invalid(
                origin,
                &format!("kafka.properties.\"{key}\""),
                format!("secrets must not be written in the config file; move it to [kafka.secrets] as \"{key}\" = \"env:VARIABLE\" or \"file:PATH\""),
            ));
        }
    }
    if raw.topics.input.is_empty() {
        return Err(invalid(
            origin,
            "topics.input",
            "expected at least one input topic",
        ));
    }
    for (i, t) in raw.topics.input.iter().enumerate() {
        check_topic(origin, &format!("topics.input[{i}]"), t)?;
    }
    check_topic(origin, "topics.enriched", &raw.topics.enriched)?;
    check_topic(origin, "topics.dead_letter", &raw.topics.dead_letter)?;
    check_topic(origin, "dedup.changelog_topic", &raw.dedup.changelog_topic)?;
    if let Some(d) = &raw.topics.duplicates {
        check_topic(origin, "topics.duplicates", d)?;
    }
    for out in [&raw.topics.enriched, &raw.topics.dead_letter] {
        if raw.topics.input.contains(out) {
            return Err(invalid(
                origin,
                "topics",
                format!("topic {out:?} is both an input and an output; that would loop forever"),
            ));
        }
    }
    if raw.input.max_message_bytes == 0 || raw.input.max_message_bytes > 100 * 1024 * 1024 {
        return Err(invalid(
            origin,
            "input.max_message_bytes",
            format!(
                "expected 1..=104857600 bytes, got {}",
                raw.input.max_message_bytes
            ),
        ));
    }
    if raw.pipeline.max_in_flight == 0 || raw.pipeline.max_in_flight > 1_000_000 {
        return Err(invalid(
            origin,
            "pipeline.max_in_flight",
            format!("expected 1..=1000000, got {}", raw.pipeline.max_in_flight),
        ));
    }
    if raw.pipeline.drain_timeout_secs == 0 {
        return Err(invalid(
            origin,
            "pipeline.drain_timeout_secs",
            "expected at least 1 second",
        ));
    }
    check_unit(origin, "region.min_score", raw.region.min_score)?;
    check_unit(origin, "topic.threshold", raw.topic.threshold)?;
    check_unit(origin, "topic.unseen_damping", raw.topic.unseen_damping)?;
    if let Some(bad) = raw
        .topic
        .model_overrules
        .iter()
        .find(|l| l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return Err(invalid(
            origin,
            "topic.model_overrules",
            format!("expected ISO 639-1 codes such as \"en\", got {bad:?}"),
        ));
    }
    if !(raw.topic.model_trust.is_finite() && raw.topic.model_trust > 0.0) {
        return Err(invalid(
            origin,
            "topic.model_trust",
            format!(
                "expected a positive number of training articles, got {}",
                raw.topic.model_trust
            ),
        ));
    }
    check_unit(origin, "dedup.near_threshold", raw.dedup.near_threshold)?;
    check_unit(origin, "dedup.update_threshold", raw.dedup.update_threshold)?;
    if raw.dedup.window_hours == 0 {
        return Err(invalid(
            origin,
            "dedup.window_hours",
            "expected at least 1 hour",
        ));
    }
    if raw.dedup.max_entries == 0 {
        return Err(invalid(
            origin,
            "dedup.max_entries",
            "expected at least 1 entry",
        ));
    }
    if raw.http.listen.parse::<std::net::SocketAddr>().is_err() {
        return Err(invalid(
            origin,
            "http.listen",
            format!(
                "expected IP:PORT such as 127.0.0.1:9464, got {:?}",
                raw.http.listen
            ),
        ));
    }
    for (i, route) in raw.routes.iter().enumerate() {
        crate::route::validate_template(&route.topic)
            .map_err(|m| invalid(origin, &format!("route[{i}].topic"), m))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env() -> Vec<(String, String)> {
        Vec::new()
    }

    fn load(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(text, "test.toml", None, no_env())
    }

    const PLANTED: &str = "planted-s3cr3t-value";

    #[test]
    fn secrets_come_from_env_or_file_and_never_show() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key-pass"), format!("{PLANTED}-file\n")).unwrap();
        let text = EMBEDDED_DEFAULT.replace(
            "[kafka.secrets]\n",
            "[kafka.secrets]\n\"sasl.password\" = \"env:WD_PASS\"\n\"ssl.key.password\" = \"file:key-pass\"\n",
        );
        let env = vec![("WD_PASS".to_string(), PLANTED.to_string())];
        let c = Config::from_toml(&text, "t.toml", Some(dir.path().to_path_buf()), env).unwrap();
        let values: Vec<(&str, &str)> = c
            .secrets
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        assert_eq!(
            values,
            vec![
                ("sasl.password", PLANTED),
                ("ssl.key.password", "planted-s3cr3t-value-file")
            ]
        );
        let shown = format!("{c:?}");
        assert!(!shown.contains(PLANTED), "{shown}");
        let client = crate::kafka::base_client_config(&c);
        assert_eq!(client.get("sasl.password"), Some(PLANTED));
    }

    #[test]
    fn secret_errors_name_the_source_not_the_value() {
        let with = |line: &str| {
            EMBEDDED_DEFAULT.replace("[kafka.secrets]\n", &format!("[kafka.secrets]\n{line}\n"))
        };
        let e = load(&with("\"sasl.password\" = \"env:WD_MISSING\""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("WD_MISSING is not set"), "{e}");
        let e = load(&with(&format!("\"sasl.password\" = \"{PLANTED}\"")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("env:VARIABLE") && !e.contains(PLANTED), "{e}");
        let text = EMBEDDED_DEFAULT.replace(
            "# \"security.protocol\" = \"SASL_SSL\"",
            &format!("\"sasl.password\" = \"{PLANTED}\""),
        );
        let e = load(&text).unwrap_err().to_string();
        assert!(e.contains("[kafka.secrets]") && !e.contains(PLANTED), "{e}");
    }

    #[test]
    fn embedded_default_is_valid() {
        let c = load(EMBEDDED_DEFAULT).expect("shipped config must validate");
        assert_eq!(c.raw.kafka.brokers, "127.0.0.1:19092");
        assert!(!c.raw.topics.input.is_empty());
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = EMBEDDED_DEFAULT.replace("[input]", "[input]\nmax_mesage_bytes = 5");
        let err = load(&text).unwrap_err().to_string();
        assert!(err.contains("test.toml line"), "{err}");
        assert!(err.contains("max_mesage_bytes"), "{err}");
        assert!(err.contains("unknown field"), "{err}");
        assert!(err.contains("expected"), "{err}");
    }

    #[test]
    fn wrong_type_names_key_and_expected_type() {
        let text =
            EMBEDDED_DEFAULT.replace("max_message_bytes = 1048576", "max_message_bytes = \"big\"");
        let err = load(&text).unwrap_err().to_string();
        assert!(err.contains("input.max_message_bytes"), "{err}");
        assert!(err.contains("expected"), "{err}");
    }

    #[test]
    fn impossible_value_is_rejected_with_expectation() {
        let text = EMBEDDED_DEFAULT.replace("threshold = 0.35", "threshold = 1.5");
        let err = load(&text).unwrap_err().to_string();
        assert!(err.contains("topic.threshold"), "{err}");
        assert!(err.contains("between 0 and 1"), "{err}");
    }

    #[test]
    fn an_empty_model_path_turns_the_model_off() {
        for empty in ["", "  "] {
            let env = vec![("WIREDESK_TOPIC__MODEL".to_string(), empty.to_string())];
            let config = Config::from_toml(EMBEDDED_DEFAULT, "test", None, env).unwrap();
            assert_eq!(config.raw.topic.model, None, "{empty:?}");
        }
        let config = load(EMBEDDED_DEFAULT).unwrap();
        assert!(config.raw.topic.model.is_some());
    }

    #[test]
    fn model_overrules_must_be_language_codes() {
        let text = EMBEDDED_DEFAULT.replace(
            r#"model_overrules = ["en", "fr"]"#,
            r#"model_overrules = ["en", "French"]"#,
        );
        let err = load(&text).unwrap_err().to_string();
        assert!(err.contains("topic.model_overrules"), "{err}");
        assert!(err.contains("\"French\""), "{err}");
    }

    #[test]
    fn env_override_replaces_value() {
        let env = vec![
            (
                "WIREDESK_KAFKA__BROKERS".to_string(),
                "10.0.0.1:9092".to_string(),
            ),
            (
                "WIREDESK_INPUT__MAX_MESSAGE_BYTES".to_string(),
                "2048".to_string(),
            ),
            ("WIREDESK_LOG_FORMAT".to_string(), "json".to_string()),
        ];
        let c = Config::from_toml(EMBEDDED_DEFAULT, "t", None, env).unwrap();
        assert_eq!(c.raw.kafka.brokers, "10.0.0.1:9092");
        assert_eq!(c.raw.input.max_message_bytes, 2048);
    }

    #[test]
    fn bad_env_override_names_the_variable() {
        let env = vec![(
            "WIREDESK_INPUT__MAX_MESSAGE_BYTES".to_string(),
            "lots".to_string(),
        )];
        let err = Config::from_toml(EMBEDDED_DEFAULT, "t", None, env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("WIREDESK_INPUT__MAX_MESSAGE_BYTES"), "{err}");
    }

    #[test]
    fn delivery_properties_cannot_be_overridden() {
        let text = EMBEDDED_DEFAULT.replace(
            "[kafka.properties]",
            "[kafka.properties]\n\"enable.auto.offset.store\" = \"true\"",
        );
        let err = load(&text).unwrap_err().to_string();
        assert!(err.contains("enable.auto.offset.store"), "{err}");
    }

    #[test]
    fn bad_brokers_flag_is_rejected() {
        let mut c = load(EMBEDDED_DEFAULT).unwrap();
        assert!(c.set_brokers("localhost").is_err());
        assert!(c.set_brokers("localhost:9092").is_ok());
    }

    #[test]
    fn input_topic_cannot_be_an_output() {
        let text =
            EMBEDDED_DEFAULT.replace("enriched = \"wires.enriched\"", "enriched = \"wires.raw\"");
        let err = load(&text).unwrap_err().to_string();
        assert!(err.contains("loop"), "{err}");
    }
}
