//! The `wiredesk` binary: parses arguments, loads configuration and calls
//! the library. Errors are printed with their causes and a non-zero exit.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use tracing::info;

use wiredesk::clock::Clock;
use wiredesk::config::Config;
use wiredesk::dedup::DedupIndex;
use wiredesk::kafka::load::Pace;
use wiredesk::kafka::replay::Destination;
use wiredesk::kafka::replay::ReplaySource;
use wiredesk::kafka::service::ServiceOps;
use wiredesk::kafka::slice::{parse_offsets, SliceSpec};
use wiredesk::knowledge::Knowledge;
use wiredesk::ops::health::Health;
use wiredesk::ops::http::{self, OpsState};
use wiredesk::ops::metrics::Metrics;
use wiredesk::ops::reload::{self, ConfigSource, ReloadRequest};
use wiredesk::pipeline::Pipeline;
use wiredesk::summary::RunSummary;
use wiredesk::telemetry::{self, LogFormat};
use wiredesk::timespec::parse_time;

/// The automated wire desk: places, regions, IPTC topics and duplicates for
/// every wire article, from Kafka to Kafka.
#[derive(Debug, Parser)]
#[command(name = "wiredesk", version, about, long_about = None)]
struct Cli {
    /// Configuration file [default: config/wiredesk.toml if present, else the embedded default].
    #[arg(long, global = true, env = "WIREDESK_CONFIG", hide_env_values = true)]
    config: Option<PathBuf>,
    /// Log format on stderr.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "WIREDESK_LOG_FORMAT",
        hide_env_values = true
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// Broker override shared by Kafka-facing commands.
#[derive(Debug, Args)]
struct BrokerArgs {
    /// Bootstrap servers HOST:PORT[,HOST:PORT], overriding [kafka] brokers.
    #[arg(long)]
    brokers: Option<String>,
}

/// Which part of a topic to read.
#[derive(Debug, Args)]
struct SliceArgs {
    /// Only records timestamped at or after this: RFC 3339, or relative such as -24h, -90m, -7d.
    #[arg(long, allow_hyphen_values = true)]
    since: Option<String>,
    /// Only records timestamped before this (same forms as --since).
    #[arg(long, allow_hyphen_values = true)]
    until: Option<String>,
    /// Start at these offsets instead, PARTITION:OFFSET[,...]; unlisted partitions are skipped.
    #[arg(long, conflicts_with = "since", value_name = "P:O,...")]
    from_offsets: Option<String>,
}

impl SliceArgs {
    fn spec(&self) -> Result<SliceSpec> {
        let now = chrono::Utc::now().timestamp_millis();
        let time = |s: &Option<String>| -> Result<Option<i64>> {
            Ok(s.as_deref().map(|s| parse_time(s, now)).transpose()?)
        };
        let spec = SliceSpec {
            since_ms: time(&self.since)?,
            until_ms: time(&self.until)?,
            from_offsets: self
                .from_offsets
                .as_deref()
                .map(parse_offsets)
                .transpose()?,
        };
        if let (Some(s), Some(u)) = (spec.since_ms, spec.until_ms) {
            if s >= u {
                bail!("--since must be before --until");
            }
        }
        Ok(spec)
    }

    fn is_set(&self) -> bool {
        self.since.is_some() || self.until.is_some() || self.from_offsets.is_some()
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service: consume input topics, enrich, route, produce.
    Run {
        #[command(flatten)]
        broker: BrokerArgs,
    },
    /// Enrich files offline (no Kafka): JSONL or a text file in, enriched JSONL out.
    Enrich {
        /// Input file, JSONL (one article per line) or plain text (one article); `-` for stdin.
        #[arg(long, short)]
        input: PathBuf,
        /// Output JSONL file; `-` for stdout.
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
        /// Use this RFC 3339 time as meta.processed_at, for byte-identical output.
        #[arg(long)]
        fixed_clock: Option<String>,
    },
    /// Load a JSONL or text file into a topic, keyed by article id.
    Produce {
        #[command(flatten)]
        broker: BrokerArgs,
        /// Input file.
        #[arg(long, short)]
        input: PathBuf,
        /// Destination topic [default: the first input topic].
        #[arg(long)]
        topic: Option<String>,
        /// Messages per second (default: as fast as possible).
        #[arg(long, conflicts_with = "pace")]
        rate: Option<f64>,
        /// `original`: keep the gaps between the articles' own times (see --speed).
        #[arg(long, value_parser = ["original"])]
        pace: Option<String>,
        /// With --pace original, compress time by this factor (60 = an hour per minute).
        #[arg(long, default_value_t = 1.0, requires = "pace")]
        speed: f64,
    },
    /// Re-run a topic or a file through the pipeline into sandbox topics or a file.
    Replay {
        #[command(flatten)]
        broker: BrokerArgs,
        /// Source topic, replayed up to its end at launch.
        #[arg(long, conflicts_with = "input")]
        from_topic: Option<String>,
        #[command(flatten)]
        slice: SliceArgs,
        /// Start the dedup index from this changelog topic as of now (default: empty).
        #[arg(long, requires = "from_topic", value_name = "TOPIC")]
        dedup_state_from: Option<String>,
        /// Source file (JSONL or text) instead of a topic.
        #[arg(long)]
        input: Option<PathBuf>,
        /// Prefix for output topic names (required with --from-topic unless --output is given).
        #[arg(long)]
        output_prefix: Option<String>,
        /// Write enriched records to this JSONL file instead of topics.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Allow writing into the live output topics (an empty prefix).
        #[arg(long)]
        allow_live: bool,
        /// Use this RFC 3339 time as meta.processed_at.
        #[arg(long)]
        fixed_clock: Option<String>,
    },
    /// Export a topic, or a slice of it, as JSONL (one record value per line).
    Dump {
        #[command(flatten)]
        broker: BrokerArgs,
        /// Topic to export.
        #[arg(long)]
        topic: String,
        #[command(flatten)]
        slice: SliceArgs,
        /// Output JSONL file; `-` for stdout.
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
    },
    /// Compare two enriched JSONL files (enrich, replay --output or dump) article by article.
    Diff {
        /// The baseline.
        a: PathBuf,
        /// The candidate.
        b: PathBuf,
        /// Exit with status 1 when more articles than this changed: a count (12) or a percentage (2.5%).
        #[arg(long, value_name = "N|P%")]
        max_changed: Option<wiredesk::diff::MaxChanged>,
        /// Most changed articles listed.
        #[arg(long, default_value_t = 10)]
        top: usize,
    },
    /// Run the whole pipeline on an in-process mock Kafka with bundled sample wires.
    Demo,
    /// Score places, topics and dedup decisions against labelled JSONL files.
    Eval {
        /// Labelled JSONL files (a `labels` object per line); each is scored on its own.
        #[arg(long, short, required = true)]
        input: Vec<PathBuf>,
    },
    /// Learn the topic model from labelled JSONL files.
    Train {
        /// Labelled JSONL files (`labels.topics`: QCodes or labels mapped in topics/labels.toml).
        #[arg(long, short, required = true)]
        input: Vec<PathBuf>,
        /// Where to write the model (JSON); omit with --cross-validate to only measure.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Report K-fold cross-validated scores of lexicon + model instead of trusting training fit.
        #[arg(long, value_name = "K")]
        cross_validate: Option<usize>,
        /// Labelled JSONL files that --cross-validate adds to every fold's training set and
        /// never scores (training data of another source); the model written trains on them too.
        #[arg(long, value_name = "FILE")]
        train_only: Vec<PathBuf>,
        /// Passes over the data.
        #[arg(long, default_value_t = 12)]
        epochs: u32,
        /// Shuffle seed (training is deterministic for a seed).
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

/// `eprintln!` that never panics: stderr may share a pipe its reader has
/// closed (`wiredesk demo 2>&1 | head`), and a note is not worth a crash.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            note!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        // `wiredesk enrich | head`: the reader has what it wanted.
        Err(e) if reader_gone(&e) => ExitCode::SUCCESS,
        Err(e) => {
            note!("error: {}", explain(&e));
            ExitCode::FAILURE
        }
    }
}

/// Whether the error is stdout's reader having closed the pipe: the normal
/// end of a filter whose output is cut short, not a failure to report.
fn reader_gone(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes a report to stdout. A reader that closed the pipe early has what
/// it wanted, so the command goes on (`train` still writes its model).
fn print_report(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing the report to stdout")
        }
        _ => Ok(()),
    }
}

/// The error and its causes on one line, skipping a cause whose text its
/// parent already quotes (our errors name their source in their message).
fn explain(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line
}

fn load_config(path: Option<&PathBuf>, broker: Option<&BrokerArgs>) -> Result<Config> {
    let mut config = Config::load(path.map(PathBuf::as_path), std::env::vars())?;
    if let Some(b) = broker.and_then(|b| b.brokers.as_deref()) {
        config.set_brokers(b)?;
    }
    Ok(config)
}

fn build_pipeline(config: &Config) -> Result<Pipeline> {
    let knowledge = Knowledge::load(config)
        .context("loading knowledge data (gazetteer, topic lexicons, model)")?;
    info!(knowledge_version = %knowledge.version, config = %config.origin, "knowledge loaded");
    Ok(Pipeline::new(Arc::new(knowledge)))
}

fn label_map(config: &Config) -> Result<wiredesk::topic::labels::LabelMap> {
    let source = wiredesk::knowledge::KnowledgeSource::for_config(config);
    let (name, text) = source.read(&config.raw.topic.dir.join("labels.toml"))?;
    Ok(wiredesk::topic::labels::LabelMap::parse(&name, &text)?)
}

fn new_index(config: &Config) -> DedupIndex {
    DedupIndex::for_config(&config.raw)
}

fn clock(fixed: Option<String>) -> Result<Clock> {
    match fixed {
        Some(t) => {
            chrono::DateTime::parse_from_rfc3339(&t).with_context(|| {
                format!("--fixed-clock {t:?} is not an RFC 3339 time such as 2026-11-29T00:00:00Z")
            })?;
            Ok(Clock::Fixed(t))
        }
        None => Ok(Clock::System),
    }
}

fn open_output(path: &std::path::Path) -> Result<Box<dyn Write>> {
    if path.as_os_str() == "-" {
        Ok(Box::new(BufWriter::new(std::io::stdout().lock())))
    } else {
        let f = File::create(path)
            .with_context(|| format!("cannot create output file {}", path.display()))?;
        Ok(Box::new(BufWriter::new(f)))
    }
}

fn read_input(path: &std::path::Path) -> Result<Vec<wiredesk::wirefile::WireItem>> {
    wiredesk::wirefile::read(path).with_context(|| format!("cannot read input {}", path.display()))
}

fn report(summary: &RunSummary) {
    let _ = std::io::stderr().write_all(summary.render(5).as_bytes());
}

/// How long the consume loop may go without turning before /healthz fails.
const LIVENESS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Sends a reload request on every SIGHUP.
fn reload_on_sighup(reload: tokio::sync::mpsc::Sender<ReloadRequest>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::hangup()) {
            Ok(mut hup) => {
                tokio::spawn(async move {
                    while hup.recv().await.is_some() {
                        info!("SIGHUP: reloading knowledge");
                        if reload.send(ReloadRequest { reply: None }).await.is_err() {
                            return;
                        }
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGHUP; reload with POST /reload")
            }
        }
    }
    #[cfg(not(unix))]
    drop(reload);
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::terminate(),
        ) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the service");
                ctrl_c.await.ok();
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.ok();
}

async fn dispatch(cli: Cli) -> Result<ExitCode> {
    let cfg_path = cli.config.as_ref();
    match cli.command {
        Command::Run { broker } => {
            let config = load_config(cfg_path, Some(&broker))?;
            let pipeline = build_pipeline(&config)?;
            let metrics = Arc::new(Metrics::new());
            let health = Arc::new(Health::new(LIVENESS_TIMEOUT));
            let source = ConfigSource {
                path: cfg_path.cloned(),
                env: std::env::vars().collect(),
                brokers: broker.brokers.clone(),
            };
            let (reload_tx, knowledge_rx) = reload::spawn(
                source,
                &config,
                pipeline.shared_knowledge(),
                metrics.clone(),
            );
            // Up before the restore, so /readyz can say "not yet".
            http::serve(
                &config.raw.http.listen,
                OpsState {
                    metrics: metrics.clone(),
                    health: health.clone(),
                    reload: reload_tx.clone(),
                },
            )
            .await?;
            reload_on_sighup(reload_tx);
            let ops = ServiceOps {
                metrics,
                health,
                knowledge: Some(knowledge_rx),
            };
            let summary = wiredesk::kafka::service::run(
                &config,
                pipeline,
                new_index(&config),
                shutdown_signal(),
                ops,
            )
            .await?;
            report(&summary);
        }
        Command::Enrich {
            input,
            output,
            fixed_clock,
        } => {
            let config = load_config(cfg_path, None)?;
            let pipeline = build_pipeline(&config)?;
            let items = read_input(&input)?;
            let mut out = open_output(&output)?;
            let mut index = new_index(&config);
            let summary = wiredesk::batch::enrich_items(
                &config,
                &pipeline,
                &mut index,
                &items,
                &clock(fixed_clock)?,
                &mut out,
            )
            .with_context(|| format!("writing {}", output.display()))?;
            report(&summary);
        }
        Command::Produce {
            broker,
            input,
            topic,
            rate,
            pace,
            speed,
        } => {
            let config = load_config(cfg_path, Some(&broker))?;
            let items = read_input(&input)?;
            let topic = topic.unwrap_or_else(|| config.raw.topics.input[0].clone());
            let pace = match (rate, pace) {
                (Some(r), _) => Pace::Rate(r),
                (None, Some(_)) => Pace::Original { speed },
                (None, None) => Pace::Fastest,
            };
            let n = wiredesk::kafka::load::produce(&config, &items, &topic, pace).await?;
            note!("produced {n} messages to {topic}");
        }
        Command::Replay {
            broker,
            from_topic,
            slice,
            dedup_state_from,
            input,
            output_prefix,
            output,
            allow_live,
            fixed_clock,
        } => {
            let config = load_config(cfg_path, Some(&broker))?;
            let pipeline = build_pipeline(&config)?;
            let clock = clock(fixed_clock)?;
            let summary = match (from_topic, input) {
                (Some(topic), None) => {
                    let mut file_out = output.as_deref().map(open_output).transpose()?;
                    let destination = match (file_out.as_mut(), output_prefix) {
                        (Some(out), _) => Destination::File(out.as_mut()),
                        (None, Some(prefix)) if !prefix.is_empty() || allow_live => Destination::Topics { prefix },
                        (None, _) => bail!(
                            "replaying a topic needs --output-prefix PREFIX (sandbox topics) or --output FILE; \
                             an empty prefix writes into live topics and needs --allow-live"
                        ),
                    };
                    let source = ReplaySource {
                        topic,
                        slice: slice.spec()?,
                        dedup_state_from,
                    };
                    let summary = wiredesk::kafka::replay::replay_topic(
                        &config,
                        &pipeline,
                        &source,
                        destination,
                        &clock,
                    )
                    .await?;
                    if let Some(out) = file_out.as_mut() {
                        out.flush().context("writing replay output")?;
                    }
                    summary
                }
                (None, Some(path)) => {
                    if slice.is_set() {
                        bail!("--since, --until and --from-offsets select part of a topic; they need --from-topic");
                    }
                    let items = read_input(&path)?;
                    let mut out = open_output(&output.unwrap_or_else(|| PathBuf::from("-")))?;
                    wiredesk::batch::enrich_items(
                        &config,
                        &pipeline,
                        &mut new_index(&config),
                        &items,
                        &clock,
                        &mut out,
                    )?
                }
                _ => bail!("replay needs a source: --from-topic TOPIC or --input FILE"),
            };
            report(&summary);
        }
        Command::Eval { input } => {
            let config = load_config(cfg_path, None)?;
            let pipeline = build_pipeline(&config)?;
            let map = label_map(&config)?;
            let topics = pipeline.knowledge().topics.topics().to_vec();
            let names = |code: &str| {
                topics
                    .iter()
                    .find(|t| t.code == code)
                    .map_or(code.to_string(), |t| format!("{code} {}", t.name))
            };
            for path in &input {
                let items = read_input(path)?;
                let report = wiredesk::eval::evaluate(&config, &pipeline, &items, &map);
                print_report(&format!("== {}\n{}", path.display(), report.render(&names)))?;
            }
        }
        Command::Train {
            input,
            output,
            cross_validate,
            train_only,
            epochs,
            seed,
        } => {
            let mut config = load_config(cfg_path, None)?;
            // Train against the lexicons alone, never against an older model.
            config.raw.topic.model = None;
            let knowledge = Knowledge::load(&config).context("loading topic lexicons")?;
            let map = label_map(&config)?;
            // Every file must give articles: a file of unusable labels is a
            // mistake, not an empty contribution.
            let read = |what: &str, paths: &[PathBuf]| {
                let files: Vec<(String, Vec<wiredesk::wirefile::WireItem>)> = paths
                    .iter()
                    .map(|p| Ok((p.display().to_string(), read_input(p)?)))
                    .collect::<Result<_>>()?;
                let (data, per_file, skipped) = wiredesk::topic::train::read_labelled(&files, &map);
                if let Some((name, _)) = per_file.iter().find(|(_, n)| *n == 0) {
                    bail!("no article with a usable labels.topics in {name}; labels must be QCodes or keys of topics/labels.toml");
                }
                if !paths.is_empty() {
                    note!(
                        "{what}: {} labelled articles ({skipped} skipped): {per_file:?}",
                        data.len()
                    );
                }
                Ok((data, per_file))
            };
            let (data, mut per_file) = read("input", &input)?;
            let (extra, extra_files) = read("train-only", &train_only)?;
            let (extra, repeated) = wiredesk::topic::train::without_repeats(extra, &data);
            if repeated > 0 {
                note!("train-only: {repeated} articles repeat --input articles and are left out, so no scored article is trained on");
            }
            let settings = wiredesk::topic::model::TrainSettings {
                epochs,
                seed,
                ..Default::default()
            };
            let classifier = &knowledge.topics;
            if let Some(k) = cross_validate {
                if k < 2 {
                    bail!("--cross-validate needs at least 2 folds");
                }
                let topics = classifier.topics().to_vec();
                let names = |code: &str| {
                    topics
                        .iter()
                        .find(|t| t.code == code)
                        .map_or(code.to_string(), |t| format!("{code} {}", t.name))
                };
                let scores = wiredesk::topic::train::cross_validate(
                    classifier, &data, &extra, k, &settings,
                )?;
                let mut text = format!("== {k}-fold cross-validation of lexicon + model\n");
                for (lang, s) in &scores {
                    text.push_str(&s.render(lang, &names));
                }
                print_report(&text)?;
            }
            if let Some(out) = output {
                let mut data = data;
                data.extend(extra);
                per_file.extend(extra_files);
                let file = wiredesk::topic::train::train(classifier, &data, per_file, &settings);
                let json = serde_json::to_string(&file).context("serialising the model")?;
                std::fs::write(&out, json).with_context(|| format!("writing {}", out.display()))?;
                note!(
                    "model with {} classes, {} weight rows written to {}",
                    file.classes.len(),
                    file.weights.len(),
                    out.display()
                );
            }
        }
        Command::Dump {
            broker,
            topic,
            slice,
            output,
        } => {
            let config = load_config(cfg_path, Some(&broker))?;
            let mut out = open_output(&output)?;
            let s = wiredesk::kafka::dump::dump(&config, &topic, slice.spec()?, &mut out).await?;
            note!(
                "dumped {} records from {topic}; {} not JSON (skipped, offsets logged), {} outside the time bounds",
                s.written, s.not_json, s.outside
            );
        }
        Command::Diff {
            a,
            b,
            max_changed,
            top,
        } => {
            let read = |p: &PathBuf| {
                std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
            };
            let report = wiredesk::diff::diff(
                &a.display().to_string(),
                &read(&a)?,
                &b.display().to_string(),
                &read(&b)?,
            )?;
            print_report(&report.render(top))?;
            if let Some(max) = max_changed {
                if report.exceeds(max) {
                    note!(
                        "{} articles changed, more than --max-changed allows",
                        report.changed_articles()
                    );
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Command::Demo => {
            let config = load_config(cfg_path, None)?;
            let pipeline = build_pipeline(&config)?;
            let index = new_index(&config);
            let summary = wiredesk::kafka::demo::demo(config, pipeline, index).await?;
            report(&summary);
        }
    }
    Ok(ExitCode::SUCCESS)
}
