//! Liveness and readiness, shared between the service loop, the Kafka
//! client callbacks and the HTTP endpoint through atomics.
//!
//! * live: the consume loop turned within `liveness_timeout` (it turns at
//!   least once a second even when idle or waiting on back-pressure).
//! * ready: input partitions assigned, dedup state restored, and a broker
//!   connection up. Readiness drops when the broker is lost and comes back
//!   by itself when librdkafka reconnects.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Shared health state.
#[derive(Debug)]
pub struct Health {
    started: Instant,
    /// Milliseconds after `started` of the last loop turn.
    heartbeat_ms: AtomicU64,
    restored: AtomicBool,
    assigned: AtomicI64,
    broker_up: AtomicBool,
    liveness_timeout: Duration,
}

/// One readiness condition and whether it holds.
pub type Check = (&'static str, bool);

impl Health {
    /// Health that counts as dead after `liveness_timeout` without a beat.
    pub fn new(liveness_timeout: Duration) -> Self {
        Health {
            started: Instant::now(),
            heartbeat_ms: AtomicU64::new(0),
            restored: AtomicBool::new(false),
            assigned: AtomicI64::new(0),
            broker_up: AtomicBool::new(false),
            liveness_timeout,
        }
    }

    /// The loop turned.
    pub fn beat(&self) {
        let ms = self.started.elapsed().as_millis() as u64;
        self.heartbeat_ms.store(ms, Ordering::Relaxed);
    }

    /// The dedup state was restored.
    pub fn set_restored(&self) {
        self.restored.store(true, Ordering::Relaxed);
    }

    /// Input partitions now assigned.
    pub fn set_assigned(&self, n: i64) {
        self.assigned.store(n, Ordering::Relaxed);
    }

    /// Whether a broker connection is up.
    pub fn set_broker_up(&self, up: bool) {
        self.broker_up.store(up, Ordering::Relaxed);
    }

    /// True when the loop turned recently.
    pub fn live(&self) -> bool {
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.heartbeat_ms.load(Ordering::Relaxed);
        now.saturating_sub(last) <= self.liveness_timeout.as_millis() as u64
    }

    /// Each readiness condition; ready when all hold.
    pub fn readiness(&self) -> [Check; 3] {
        [
            ("dedup_restored", self.restored.load(Ordering::Relaxed)),
            (
                "partitions_assigned",
                self.assigned.load(Ordering::Relaxed) > 0,
            ),
            ("broker_connected", self.broker_up.load(Ordering::Relaxed)),
        ]
    }

    /// True when every readiness condition holds.
    pub fn ready(&self) -> bool {
        self.readiness().iter().all(|(_, ok)| *ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_only_when_restored_assigned_and_connected() {
        let h = Health::new(Duration::from_secs(30));
        assert!(!h.ready());
        h.set_restored();
        h.set_assigned(3);
        assert!(!h.ready());
        h.set_broker_up(true);
        assert!(h.ready());
        h.set_broker_up(false);
        assert_eq!(h.readiness()[2], ("broker_connected", false));
        assert!(!h.ready());
    }

    #[test]
    fn live_until_the_loop_stops_beating() {
        let h = Health::new(Duration::from_millis(50));
        h.beat();
        assert!(h.live());
        std::thread::sleep(Duration::from_millis(80));
        assert!(!h.live());
        h.beat();
        assert!(h.live());
    }
}
