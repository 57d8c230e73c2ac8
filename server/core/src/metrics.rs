//! The domain's Prometheus metrics (runs, Redis, leaderboards, notifications), registered in the node's
//! one registry. Names follow the Prometheus conventions (`_total` counters, `_seconds` histograms, base
//! units), prefixed `leapfrog_`. The transport registers its own families in the same registry through
//! [`Metrics::registry`], with the same [`Families`] helper; the process's own families (`process_*`,
//! named by convention) go in [`Metrics::unprefixed_registry`].

use crate::error_chain::ErrorChain;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

/// Histogram buckets for work that usually takes well under a millisecond.
pub const FAST_BUCKETS: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

/// Creates metric families and registers them in one registry, so every family is registered exactly
/// once, where it is declared.
pub struct Families<'r> {
    registry: &'r Registry,
}

impl<'r> Families<'r> {
    /// Families registered in `registry`.
    pub fn new(registry: &'r Registry) -> Families<'r> {
        Families { registry }
    }

    fn register<M: prometheus::core::Collector + Clone + 'static>(
        &self,
        metric: M,
    ) -> Result<M, prometheus::Error> {
        self.registry.register(Box::new(metric.clone()))?;
        Ok(metric)
    }

    /// A counter.
    pub fn counter(&self, name: &str, help: &str) -> Result<IntCounter, prometheus::Error> {
        self.register(IntCounter::new(name, help)?)
    }

    /// A counter with one label.
    pub fn counter_vec(
        &self,
        name: &str,
        help: &str,
        label: &str,
    ) -> Result<IntCounterVec, prometheus::Error> {
        self.register(IntCounterVec::new(Opts::new(name, help), &[label])?)
    }

    /// A gauge.
    pub fn gauge(&self, name: &str, help: &str) -> Result<IntGauge, prometheus::Error> {
        self.register(IntGauge::new(name, help)?)
    }

    /// A histogram with `buckets`.
    pub fn histogram(
        &self,
        name: &str,
        help: &str,
        buckets: &[f64],
    ) -> Result<Histogram, prometheus::Error> {
        self.register(Histogram::with_opts(
            HistogramOpts::new(name, help).buckets(buckets.to_vec()),
        )?)
    }

    /// A histogram with one label and the [`FAST_BUCKETS`].
    pub fn histogram_vec(
        &self,
        name: &str,
        help: &str,
        label: &str,
    ) -> Result<HistogramVec, prometheus::Error> {
        self.register(HistogramVec::new(
            HistogramOpts::new(name, help).buckets(FAST_BUCKETS.to_vec()),
            &[label],
        )?)
    }
}

/// A per-player social cap whose refusals `player_caps_hit_total` counts, by its label (the run caps are
/// `runs::Cap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayerCap {
    /// Friend requests pending (sent, unanswered).
    PendingRequests,
    /// Players blocked.
    Blocks,
    /// Friends (either side of an acceptance or import).
    Friends,
    /// Friend requests sent in an hour.
    FriendRequestsPerHour,
    /// Friend requests received in an hour.
    FriendRequestsReceivedPerHour,
    /// Friend request notifications left out of a half-full inbox (the request itself is kept).
    RequestNotifications,
}

impl PlayerCap {
    /// Every cap, each created at zero when the node starts.
    pub const ALL: [PlayerCap; 6] = [
        PlayerCap::PendingRequests,
        PlayerCap::Blocks,
        PlayerCap::Friends,
        PlayerCap::FriendRequestsPerHour,
        PlayerCap::FriendRequestsReceivedPerHour,
        PlayerCap::RequestNotifications,
    ];

    /// The `cap` label.
    pub const fn label(self) -> &'static str {
        match self {
            PlayerCap::PendingRequests => "pending_requests",
            PlayerCap::Blocks => "blocks",
            PlayerCap::Friends => "friends",
            PlayerCap::FriendRequestsPerHour => "friend_requests_per_hour",
            PlayerCap::FriendRequestsReceivedPerHour => "friend_requests_received_per_hour",
            PlayerCap::RequestNotifications => "request_notifications",
        }
    }
}

/// The domain's metrics, and the node's registries.
pub struct Metrics {
    registry: Registry,
    /// Families whose names are fixed by convention (`process_*`), so without the `leapfrog_` prefix.
    unprefixed: Registry,
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
    /// Finished-run results waiting in the retry queue.
    pub run_results_pending: IntGauge,
    /// Recorded runs whose mark (the recorded flag, the index entry's removal) waits to be sent with
    /// other runs' marks (`runs::settling`): a backlog here means Redis is slow to take them.
    pub run_marks_pending: IntGauge,
    /// Retries of finished-run results.
    pub run_result_retries_total: IntCounter,
    /// Runs a sweeper settled for the node that played them, by outcome (`recorded`: ended but not
    /// recorded; `timed_out`: idle past the timeout, ended and recorded; `failed`: tried again later).
    pub runs_swept_total: IntCounterVec,
    /// Runs due in the index of unsettled runs that the last sweep could not take (a backlog).
    pub runs_sweep_backlog: IntGauge,
    /// Requests refused because a player reached a per-player cap, by cap.
    pub player_caps_hit_total: IntCounterVec,
    /// Redis command latency by operation.
    pub redis_command_duration_seconds: HistogramVec,
    /// Redis command failures by operation.
    pub redis_errors_total: IntCounterVec,
    /// Entries (one task's commands each: a jump's checkpoint) in each group-commit batch sent to one
    /// Redis as a single request: how much the batching saves at the load of the moment.
    pub redis_batch_entries: Histogram,
    /// Connections the group commit opened to one Redis: the first, then one after each connection
    /// Redis closed or that failed or timed out. A rate above zero means the node keeps losing its
    /// connection (Redis restarting, a proxy's idle timeout, a network fault).
    pub redis_connections_opened_total: IntCounter,
    /// Time to read a leaderboard page, by scope.
    pub leaderboard_read_seconds: HistogramVec,
    /// Time to record a run on every period board.
    pub leaderboard_write_seconds: Histogram,
    /// Friends on each friend-scoped board read or write.
    pub friend_board_size: Histogram,
    /// Friend lists a run's end read ahead (its start expected a new weekly best) that its recording
    /// used: a round trip saved each.
    pub friend_lists_read_ahead_used_total: IntCounter,
    /// Friend lists a run's end read ahead that its recording did not need (no new weekly best after
    /// all): a read wasted each.
    pub friend_lists_read_ahead_unused_total: IntCounter,
    /// Friends' bests a friend-board read took from the node's cache.
    pub friend_score_cache_hits_total: IntCounter,
    /// Friends' bests a friend-board read asked Redis for (not cached, or older than the cache's TTL).
    pub friend_score_cache_misses_total: IntCounter,
    /// Friend-board reads that took the viewer's friend list from the node's cache.
    pub friend_list_cache_hits_total: IntCounter,
    /// Friend-board reads that read the viewer's friend list from Redis.
    pub friend_list_cache_misses_total: IntCounter,
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
    /// Creates the node's registry (every family prefixed `leapfrog_` and labelled with `node_id`) and
    /// registers the domain's families in it, every known label value at zero, so `rate()` sees the first
    /// event of each on a fresh node.
    pub fn new(node_id: &str) -> Result<Metrics, prometheus::Error> {
        let node_label = || Some([("node".to_owned(), node_id.to_owned())].into());
        let registry = Registry::new_custom(Some("leapfrog".into()), node_label())?;
        let unprefixed = Registry::new_custom(None, node_label())?;
        let families = Families::new(&registry);
        let metrics = Metrics {
            runs_started_total: families.counter("runs_started_total", "Runs started.")?,
            runs_finished_total: families.counter(
                "runs_finished_total",
                "Runs that ended by the rules or by timing out.",
            )?,
            runs_abandoned_total: families
                .counter("runs_abandoned_total", "Runs abandoned by their players.")?,
            runs_rejected_total: families.counter_vec(
                "runs_rejected_total",
                "Jumps or offline runs refused, by reason.",
                "reason",
            )?,
            jumps_total: families.counter("jumps_total", "Jumps applied.")?,
            run_results_pending: families.gauge(
                "run_results_pending",
                "Finished-run results waiting in the retry queue.",
            )?,
            run_marks_pending: families.gauge(
                "run_marks_pending",
                "Recorded runs whose mark (recorded flag, index removal) waits to be sent with other runs' marks.",
            )?,
            run_result_retries_total: families.counter(
                "run_result_retries_total",
                "Retries of finished-run results.",
            )?,
            player_caps_hit_total: families.counter_vec(
                "player_caps_hit_total",
                "Requests refused because a player reached a per-player cap, by cap.",
                "cap",
            )?,
            runs_swept_total: families.counter_vec(
                "runs_swept_total",
                "Runs a sweeper settled for the node that played them, by outcome.",
                "outcome",
            )?,
            runs_sweep_backlog: families.gauge(
                "runs_sweep_backlog",
                "Runs due in the index of unsettled runs that the last sweep could not take.",
            )?,
            redis_command_duration_seconds: families.histogram_vec(
                "redis_command_duration_seconds",
                "Redis command latency by operation.",
                "op",
            )?,
            redis_errors_total: families.counter_vec(
                "redis_errors_total",
                "Redis command failures by operation.",
                "op",
            )?,
            redis_batch_entries: families.histogram(
                "redis_batch_entries",
                "Entries in each group-commit batch sent to Redis as one request.",
                &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0],
            )?,
            redis_connections_opened_total: families.counter(
                "redis_connections_opened_total",
                "Connections the group commit opened to one Redis (the first, then one after each failure).",
            )?,
            leaderboard_read_seconds: families.histogram_vec(
                "leaderboard_read_seconds",
                "Time to read a leaderboard page, by scope.",
                "scope",
            )?,
            leaderboard_write_seconds: families.histogram(
                "leaderboard_write_seconds",
                "Time to record a run on every period board.",
                FAST_BUCKETS,
            )?,
            friend_board_size: families.histogram(
                "friend_board_size",
                "Friends on each friend-scoped board read or write.",
                &[
                    0.0, 10.0, 50.0, 100.0, 200.0, 500.0, 1_000.0, 2_000.0, 5_000.0,
                ],
            )?,
            friend_lists_read_ahead_used_total: families.counter(
                "friend_lists_read_ahead_used_total",
                "Friend lists a run's end read ahead that its recording used (a round trip saved each).",
            )?,
            friend_lists_read_ahead_unused_total: families.counter(
                "friend_lists_read_ahead_unused_total",
                "Friend lists a run's end read ahead that its recording did not need (no new weekly best).",
            )?,
            friend_score_cache_hits_total: families.counter(
                "friend_score_cache_hits_total",
                "Friends' bests a friend-board read took from the node's cache.",
            )?,
            friend_score_cache_misses_total: families.counter(
                "friend_score_cache_misses_total",
                "Friends' bests a friend-board read asked Redis for.",
            )?,
            friend_list_cache_hits_total: families.counter(
                "friend_list_cache_hits_total",
                "Friend-board reads that took the viewer's friend list from the node's cache.",
            )?,
            friend_list_cache_misses_total: families.counter(
                "friend_list_cache_misses_total",
                "Friend-board reads that read the viewer's friend list from Redis.",
            )?,
            notifications_created_total: families.counter_vec(
                "notifications_created_total",
                "Notifications created, by kind.",
                "kind",
            )?,
            notifications_stored_total: families.counter(
                "notifications_stored_total",
                "Notifications stored in inboxes.",
            )?,
            notifications_pushed_total: families.counter_vec(
                "notifications_pushed_total",
                "Notifications pushed live, by route.",
                "route",
            )?,
            notifications_acked_total: families
                .counter("notifications_acked_total", "Notifications acknowledged.")?,
            notifications_coalesced_total: families.counter(
                "notifications_coalesced_total",
                "Friend-passed notifications folded into a summary.",
            )?,
            notification_delivery_seconds: families.histogram(
                "notification_delivery_seconds",
                "From the passing run's end to the push onto the friend's connection.",
                &[
                    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0,
                ],
            )?,
            registry,
            unprefixed,
        };
        for outcome in ["recorded", "timed_out", "failed"] {
            metrics.runs_swept_total.with_label_values(&[outcome]);
        }
        for reason in crate::runs::REJECTION_REASONS {
            metrics.runs_rejected_total.with_label_values(&[reason]);
        }
        for op in crate::store::Op::ALL {
            metrics
                .redis_command_duration_seconds
                .with_label_values(&[op.label()]);
            metrics.redis_errors_total.with_label_values(&[op.label()]);
        }
        for scope in crate::leaderboards::SCOPES {
            metrics
                .leaderboard_read_seconds
                .with_label_values(&[crate::leaderboards::scope_label(scope)]);
        }
        for kind in crate::notifications::EVENT_KINDS {
            metrics
                .notifications_created_total
                .with_label_values(&[kind]);
        }
        for route in crate::notifications::ROUTES {
            metrics
                .notifications_pushed_total
                .with_label_values(&[route]);
        }
        for cap in [crate::runs::Cap::LiveRuns, crate::runs::Cap::RunsPerHour] {
            metrics
                .player_caps_hit_total
                .with_label_values(&[cap.label()]);
        }
        for cap in PlayerCap::ALL {
            metrics
                .player_caps_hit_total
                .with_label_values(&[cap.label()]);
        }
        Ok(metrics)
    }

    /// Counts a request refused by the social cap `cap`.
    pub fn cap_hit(&self, cap: PlayerCap) {
        self.player_caps_hit_total
            .with_label_values(&[cap.label()])
            .inc();
    }

    /// The node's registry, for the families the transport defines.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The registry for families named by a convention rather than by Leapfrog (`process_*`): no prefix,
    /// the same `node` label.
    pub fn unprefixed_registry(&self) -> &Registry {
        &self.unprefixed
    }

    /// Every family of both registries in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut families = self.registry.gather();
        families.extend(self.unprefixed.gather());
        let mut buffer = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&families, &mut buffer) {
            tracing::error!(error = %ErrorChain(&error), "encoding metrics failed");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}
