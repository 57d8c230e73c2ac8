//! What the load run measured: per message type a count, errors by kind and an HDR latency histogram;
//! counters for runs, jumps, notifications and connections. Shared by every player task.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use hdrhistogram::Histogram;

/// The measurements of one message type.
#[derive(Debug, Clone)]
pub struct Kind {
    /// Successful requests, latency in microseconds (1 µs to 60 s, 3 significant digits).
    pub latency_us: Histogram<u64>,
    /// Failed requests by error kind.
    pub errors: BTreeMap<String, u64>,
}

impl Kind {
    fn new() -> Kind {
        Kind {
            // Constant, valid bounds: construction cannot fail.
            latency_us: Histogram::new_with_bounds(1, 60_000_000, 3)
                .expect("1 µs to 60 s at 3 significant digits are valid bounds"),
            errors: BTreeMap::new(),
        }
    }
}

/// Every measurement of a run.
#[derive(Debug, Default)]
pub struct Stats {
    kinds: Mutex<BTreeMap<&'static str, Kind>>,
    /// Runs played to their end.
    pub runs: AtomicU64,
    /// Jumps answered.
    pub jumps: AtomicU64,
    /// Connections open now.
    pub connections: AtomicI64,
    /// Most connections open at once.
    pub peak_connections: AtomicI64,
    /// Connections that failed to open.
    pub connect_failures: AtomicU64,
    /// Notifications received (pushes).
    pub notifications: AtomicU64,
}

/// The message type under which "friend passed you" delivery latency is kept.
pub const DELIVERY: &str = "notification_delivery";

impl Stats {
    /// Records a successful request of type `kind` that took `took`.
    pub fn ok(&self, kind: &'static str, took: Duration) {
        self.record(kind, |entry| {
            let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
            entry.latency_us.saturating_record(micros);
        });
    }

    /// Records a failed request of type `kind`.
    pub fn error(&self, kind: &'static str, error: &str) {
        self.record(kind, |entry| {
            *entry.errors.entry(error.to_owned()).or_default() += 1;
        });
    }

    /// Records a notification received `delay_ms` after the run that caused it ended.
    pub fn delivered(&self, delay_ms: u64) {
        self.notifications.fetch_add(1, Ordering::Relaxed);
        self.ok(DELIVERY, Duration::from_millis(delay_ms));
    }

    /// A connection opened.
    pub fn connected(&self) {
        let now = self.connections.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_connections.fetch_max(now, Ordering::Relaxed);
    }

    /// A connection closed.
    pub fn disconnected(&self) {
        self.connections.fetch_sub(1, Ordering::Relaxed);
    }

    /// A copy of every message type's measurements.
    pub fn kinds(&self) -> BTreeMap<&'static str, Kind> {
        self.kinds
            .lock()
            .map(|kinds| kinds.clone())
            .unwrap_or_default()
    }

    /// Requests (successful and failed) so far, over every type but delivery.
    pub fn requests(&self) -> (u64, u64) {
        let Ok(kinds) = self.kinds.lock() else {
            return (0, 0);
        };
        kinds.iter().filter(|(name, _)| **name != DELIVERY).fold(
            (0, 0),
            |(ok, failed), (_, kind)| {
                (
                    ok + kind.latency_us.len(),
                    failed + kind.errors.values().sum::<u64>(),
                )
            },
        )
    }

    fn record(&self, kind: &'static str, update: impl FnOnce(&mut Kind)) {
        if let Ok(mut kinds) = self.kinds.lock() {
            update(kinds.entry(kind).or_insert_with(Kind::new));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_and_errors_are_kept_per_kind() {
        let stats = Stats::default();
        for ms in 1..=100 {
            stats.ok("jump", Duration::from_millis(ms));
        }
        stats.error("jump", "timeout");
        stats.error("start_run", "server_busy");
        let kinds = stats.kinds();
        let jump = &kinds["jump"];
        assert_eq!(jump.latency_us.len(), 100);
        let p99 = jump.latency_us.value_at_quantile(0.99);
        assert!((98_000..=100_000).contains(&p99), "{p99}");
        assert_eq!(jump.errors["timeout"], 1);
        assert_eq!(stats.requests(), (100, 2));
    }

    #[test]
    fn peak_connections_are_remembered() {
        let stats = Stats::default();
        stats.connected();
        stats.connected();
        stats.disconnected();
        assert_eq!(stats.connections.load(Ordering::Relaxed), 1);
        assert_eq!(stats.peak_connections.load(Ordering::Relaxed), 2);
    }
}
