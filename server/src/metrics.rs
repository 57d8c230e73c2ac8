//! Every Prometheus metric the server exports, registered once in its own registry. Names follow the
//! Prometheus conventions (`_total` counters, `_seconds` histograms, base units), prefixed `leapfrog_`.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

/// Histogram buckets for work that usually takes well under a millisecond.
const FAST_BUCKETS: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    /// WebSocket connections open now.
    pub connections_open: IntGauge,
    /// Connection attempts by outcome (`accepted`, or why refused).
    pub connects_total: IntCounterVec,
    /// Closed connections by reason.
    pub disconnects_total: IntCounterVec,
    /// Client messages by request type.
    pub messages_in_total: IntCounterVec,
    /// Server messages by type.
    pub messages_out_total: IntCounterVec,
    /// Frames that could not be decoded, by error kind.
    pub decode_errors_total: IntCounterVec,
    /// Messages refused by the rate limiter.
    pub rate_limited_total: IntCounter,
    /// Request handling time by request type.
    pub request_duration_seconds: HistogramVec,
    /// Runs started.
    pub runs_started_total: IntCounter,
    /// Runs that ended by the rules or by timing out.
    pub runs_finished_total: IntCounter,
    /// Runs abandoned by their players.
    pub runs_abandoned_total: IntCounter,
    /// Jumps or offline runs refused, by reason.
    pub runs_rejected_total: IntCounterVec,
    /// Jumps applied.
    pub jumps_total: IntCounter,
    /// Time to handle one jump: checks, simulation, checkpoint, answer.
    pub jump_duration_seconds: Histogram,
    /// Finished-run results waiting in the retry queue.
    pub run_results_pending: IntGauge,
    /// Retries of finished-run results.
    pub run_result_retries_total: IntCounter,
    /// Redis command latency by operation.
    pub redis_command_duration_seconds: HistogramVec,
    /// Redis command failures by operation.
    pub redis_errors_total: IntCounterVec,
    /// 1 while the node serves traffic (Redis reachable, not draining), else 0.
    pub ready: IntGauge,
    /// Time to read a leaderboard page, by scope.
    pub leaderboard_read_seconds: HistogramVec,
    /// Time to record a run on every period board.
    pub leaderboard_write_seconds: Histogram,
    /// Friends on each friend-scoped board read or write.
    pub friend_board_size: Histogram,
    /// Notifications created, by kind.
    pub notifications_created_total: IntCounterVec,
    /// Notifications stored in inboxes.
    pub notifications_stored_total: IntCounter,
    /// Notifications pushed live, by route (`local` connection, `remote` node).
    pub notifications_pushed_total: IntCounterVec,
    /// Notifications acknowledged.
    pub notifications_acked_total: IntCounter,
    /// "Friend passed you" notifications folded into a summary.
    pub notifications_coalesced_total: IntCounter,
    /// From the passing run's end to the push onto the friend's connection.
    pub notification_delivery_seconds: Histogram,
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new(node_id: &str) -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(
            Some("leapfrog".into()),
            Some([("node".to_owned(), node_id.to_owned())].into()),
        )?;
        let counter = |name: &str, help: &str| -> Result<IntCounter, prometheus::Error> {
            let metric = IntCounter::new(name, help)?;
            registry.register(Box::new(metric.clone()))?;
            Ok(metric)
        };
        let counter_vec =
            |name: &str, help: &str, label: &str| -> Result<IntCounterVec, prometheus::Error> {
                let metric = IntCounterVec::new(Opts::new(name, help), &[label])?;
                registry.register(Box::new(metric.clone()))?;
                Ok(metric)
            };
        let gauge = |name: &str, help: &str| -> Result<IntGauge, prometheus::Error> {
            let metric = IntGauge::new(name, help)?;
            registry.register(Box::new(metric.clone()))?;
            Ok(metric)
        };
        let histogram_vec =
            |name: &str, help: &str, label: &str| -> Result<HistogramVec, prometheus::Error> {
                let metric = HistogramVec::new(
                    HistogramOpts::new(name, help).buckets(FAST_BUCKETS.to_vec()),
                    &[label],
                )?;
                registry.register(Box::new(metric.clone()))?;
                Ok(metric)
            };
        let histogram =
            |name: &str, help: &str, buckets: Vec<f64>| -> Result<Histogram, prometheus::Error> {
                let metric = Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets))?;
                registry.register(Box::new(metric.clone()))?;
                Ok(metric)
            };
        let jump_duration_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "jump_duration_seconds",
                "Time to handle one jump: checks, simulation, checkpoint and answer.",
            )
            .buckets(FAST_BUCKETS.to_vec()),
        )?;
        registry.register(Box::new(jump_duration_seconds.clone()))?;
        Ok(Metrics {
            connections_open: gauge("connections_open", "WebSocket connections open now.")?,
            connects_total: counter_vec(
                "connects_total",
                "Connection attempts by outcome.",
                "outcome",
            )?,
            disconnects_total: counter_vec(
                "disconnects_total",
                "Closed connections by reason.",
                "reason",
            )?,
            messages_in_total: counter_vec(
                "messages_in_total",
                "Client messages by request type.",
                "type",
            )?,
            messages_out_total: counter_vec(
                "messages_out_total",
                "Server messages by type.",
                "type",
            )?,
            decode_errors_total: counter_vec(
                "decode_errors_total",
                "Client frames that could not be decoded, by error kind.",
                "kind",
            )?,
            rate_limited_total: counter(
                "rate_limited_total",
                "Client messages refused by the rate limiter.",
            )?,
            request_duration_seconds: histogram_vec(
                "request_duration_seconds",
                "Request handling time by request type.",
                "type",
            )?,
            runs_started_total: counter("runs_started_total", "Runs started.")?,
            runs_finished_total: counter(
                "runs_finished_total",
                "Runs that ended by the rules or by timing out.",
            )?,
            runs_abandoned_total: counter(
                "runs_abandoned_total",
                "Runs abandoned by their players.",
            )?,
            runs_rejected_total: counter_vec(
                "runs_rejected_total",
                "Jumps or offline runs refused, by reason.",
                "reason",
            )?,
            jumps_total: counter("jumps_total", "Jumps applied.")?,
            jump_duration_seconds,
            run_results_pending: gauge(
                "run_results_pending",
                "Finished-run results waiting in the retry queue.",
            )?,
            run_result_retries_total: counter(
                "run_result_retries_total",
                "Retries of finished-run results.",
            )?,
            redis_command_duration_seconds: histogram_vec(
                "redis_command_duration_seconds",
                "Redis command latency by operation.",
                "op",
            )?,
            redis_errors_total: counter_vec(
                "redis_errors_total",
                "Redis command failures by operation.",
                "op",
            )?,
            ready: gauge(
                "ready",
                "1 while the node serves traffic (Redis reachable, not draining), else 0.",
            )?,
            leaderboard_read_seconds: histogram_vec(
                "leaderboard_read_seconds",
                "Time to read a leaderboard page, by scope.",
                "scope",
            )?,
            leaderboard_write_seconds: histogram(
                "leaderboard_write_seconds",
                "Time to record a run on every period board.",
                FAST_BUCKETS.to_vec(),
            )?,
            friend_board_size: histogram(
                "friend_board_size",
                "Friends on each friend-scoped board read or write.",
                vec![
                    0.0, 10.0, 50.0, 100.0, 200.0, 500.0, 1_000.0, 2_000.0, 5_000.0,
                ],
            )?,
            notifications_created_total: counter_vec(
                "notifications_created_total",
                "Notifications created, by kind.",
                "kind",
            )?,
            notifications_stored_total: counter(
                "notifications_stored_total",
                "Notifications stored in inboxes.",
            )?,
            notifications_pushed_total: counter_vec(
                "notifications_pushed_total",
                "Notifications pushed live, by route.",
                "route",
            )?,
            notifications_acked_total: counter(
                "notifications_acked_total",
                "Notifications acknowledged.",
            )?,
            notifications_coalesced_total: counter(
                "notifications_coalesced_total",
                "Friend-passed notifications folded into a summary.",
            )?,
            notification_delivery_seconds: histogram(
                "notification_delivery_seconds",
                "From the passing run's end to the push onto the friend's connection.",
                vec![
                    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0,
                ],
            )?,
            registry,
        })
    }

    /// The registry, for metric families defined by other modules.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Every metric in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::error!(%error, "encoding metrics failed");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}
