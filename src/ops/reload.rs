//! Reloading knowledge while running (SIGHUP or `POST /reload`): the
//! configuration file is read again, the knowledge it names (gazetteer,
//! desks, lexicons, model, thresholds, routing rules) is loaded and
//! validated off the consume loop, and only a complete, valid result is
//! published; the loop swaps it in between two messages. A broken new
//! version is rejected with the reason and the old one keeps running.
//! Changes to other sections (brokers, topics, dedup) need a restart and
//! are reported as such.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};
use tracing::{error, info, warn};

use super::metrics::Metrics;
use crate::config::Config;
use crate::knowledge::Knowledge;

/// A request to reload; the reply carries the new version or the reason
/// the new data was rejected.
pub struct ReloadRequest {
    /// Where to answer (`None` for SIGHUP).
    pub reply: Option<oneshot::Sender<Result<String, String>>>,
}

/// Where the running configuration came from, to read it again.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    /// `--config`, if given.
    pub path: Option<PathBuf>,
    /// The environment the service started with (overrides and secrets).
    pub env: Vec<(String, String)>,
    /// `--brokers`, if given.
    pub brokers: Option<String>,
}

impl ConfigSource {
    /// Loads the configuration and its knowledge, as at start-up.
    pub fn load(&self) -> Result<(Config, Knowledge), String> {
        let mut config =
            Config::load(self.path.as_deref(), self.env.clone()).map_err(|e| e.to_string())?;
        if let Some(b) = &self.brokers {
            config.set_brokers(b).map_err(|e| e.to_string())?;
        }
        let knowledge = Knowledge::load(&config).map_err(|e| e.to_string())?;
        Ok((config, knowledge))
    }
}

/// Sections a reload cannot apply, as text to compare.
fn restart_only(config: &Config) -> String {
    let r = &config.raw;
    format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}",
        r.kafka, r.topics, r.input, r.pipeline, r.dedup, r.http
    )
}

/// Starts the reloader. It publishes each valid new knowledge on the
/// returned watch channel; send it requests on the returned sender.
pub fn spawn(
    source: ConfigSource,
    running: &Config,
    current: Arc<Knowledge>,
    metrics: Arc<Metrics>,
) -> (mpsc::Sender<ReloadRequest>, watch::Receiver<Arc<Knowledge>>) {
    let (req_tx, mut req_rx) = mpsc::channel::<ReloadRequest>(8);
    let (know_tx, know_rx) = watch::channel(current);
    let fixed = restart_only(running);
    tokio::spawn(async move {
        while let Some(req) = req_rx.recv().await {
            let s = source.clone();
            let result = match tokio::task::spawn_blocking(move || s.load()).await {
                Ok(r) => r,
                Err(join) => Err(format!("reload task failed: {join}")),
            };
            let answer = match result {
                Ok((config, knowledge)) => {
                    if restart_only(&config) != fixed {
                        warn!("the config file changed outside the knowledge sections ([kafka], [topics], [input], [pipeline], [dedup], [http]); those changes apply at the next restart");
                    }
                    let old = know_tx.borrow().version.clone();
                    let version = knowledge.version.clone();
                    know_tx.send_replace(Arc::new(knowledge));
                    metrics.reloads.with_label_values(&["applied"]).inc();
                    info!(version = %version, previous = %old, "knowledge reloaded and validated; swapping it in at the next message");
                    Ok(version)
                }
                Err(why) => {
                    metrics.reloads.with_label_values(&["rejected"]).inc();
                    let running = know_tx.borrow().version.clone();
                    error!(reason = %why, running = %running, "knowledge reload rejected; the running version stays");
                    Err(why)
                }
            };
            if let Some(reply) = req.reply {
                let _ = reply.send(answer);
            }
        }
    });
    (req_tx, know_rx)
}
