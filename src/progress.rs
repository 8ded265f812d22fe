//! Progress of long commands (`replay`, `produce`, `dump`): a bar with rate
//! and ETA when stderr is a terminal, a log line every few seconds when it
//! is not (CI logs, containers).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::info;

const LOG_EVERY: Duration = Duration::from_secs(5);

/// A progress reporter for `total` units of work.
pub struct Progress {
    bar: Option<ProgressBar>,
    what: &'static str,
    total: u64,
    started: Instant,
    last_log: Instant,
}

impl Progress {
    /// Starts reporting `what` (e.g. "replay") over `total` records.
    pub fn new(what: &'static str, total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            // The template is a constant; fall back to the default style if
            // indicatif ever rejects it.
            if let Ok(style) =
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {per_sec} ETA {eta}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(what);
            bar
        });
        Progress {
            bar,
            what,
            total,
            started: Instant::now(),
            last_log: Instant::now(),
        }
    }

    /// Records that `done` units are finished.
    pub fn set(&mut self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        } else if self.last_log.elapsed() >= LOG_EVERY {
            self.last_log = Instant::now();
            let secs = self.started.elapsed().as_secs_f64();
            let rate = done as f64 / secs.max(1e-9);
            let eta = self.total.saturating_sub(done) as f64 / rate.max(1e-9);
            info!(
                what = self.what,
                done,
                total = self.total,
                rate = format!("{rate:.0}/s"),
                eta_secs = format!("{eta:.0}"),
                "progress"
            );
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
