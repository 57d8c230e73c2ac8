//! The state every connection and request handler shares.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use governor::DefaultKeyedRateLimiter;
use protocol::PlayerId;

use crate::auth::Authenticator;
use crate::config::Config;
use crate::gateway::player_budget::PlayerBudgets;
use crate::gateway::rate_limit::RateLimits;
use crate::gateway::registry::Registry;
use crate::gateway::wakeups::Wakeups;
use crate::metrics::GatewayMetrics;
use leapfrog_core::challenges::Challenges;
use leapfrog_core::friends::Friends;
use leapfrog_core::leaderboards::Leaderboards;
use leapfrog_core::metrics::Metrics;
use leapfrog_core::notifications::{Notifications, Presence};
use leapfrog_core::replays::Replays;
use leapfrog_core::runs::RunService;
use leapfrog_core::shutdown::{InFlight, Shutdown};
use leapfrog_core::store::{Sharding, Store};

/// Shared state, behind an `Arc`.
pub(crate) struct App {
    /// The resolved configuration.
    pub(crate) config: Config,
    /// Redis.
    pub(crate) store: Store,
    /// The domain's metrics and the node's registry.
    pub(crate) metrics: Arc<Metrics>,
    /// The transport's metrics.
    pub(crate) gateway_metrics: GatewayMetrics,
    /// Token verification.
    pub(crate) auth: Authenticator,
    /// Connected players.
    pub(crate) registry: Arc<Registry>,
    /// This node's presence records (which node holds a player's connection).
    pub(crate) presence: Presence,
    /// Authoritative runs.
    pub(crate) runs: RunService,
    /// Friends, requests, blocks, names.
    pub(crate) friends: Friends,
    /// Period boards.
    pub(crate) leaderboards: Leaderboards,
    /// Shared challenges.
    pub(crate) challenges: Challenges,
    /// Best runs kept to be replayed.
    pub(crate) replays: Replays,
    /// Inboxes and live delivery.
    pub(crate) notifications: Notifications,
    /// The shutdown signal.
    pub(crate) shutdown: Shutdown,
    /// Wakes every connection for its tick now and then, and at once for the shutdown.
    pub(crate) wakeups: Wakeups,
    /// Open WebSocket connections, drained at shutdown.
    pub(crate) connections: Arc<InFlight>,
    /// The open connections that have not authenticated yet (also counted in `connections`).
    pub(crate) unauthenticated: Arc<InFlight>,
    /// Per-player message buckets and per-address upgrade buckets.
    pub(crate) rate_limits: RateLimits,
    /// The players' shares of the cluster-wide message budget.
    pub(crate) budgets: PlayerBudgets,
    /// Per-player buckets of the HTTP read API.
    pub(crate) api_limits: DefaultKeyedRateLimiter<PlayerId>,
    /// Whether Redis answered the last health probe.
    pub(crate) redis_healthy: AtomicBool,
    /// Whether the board layout was checked against the deployment's (not ready until it is).
    pub(crate) layout_checked: AtomicBool,
    /// Whether the node reports itself full (see [`App::readiness`]).
    pub(crate) full: AtomicBool,
    /// How boards and names are split into shards.
    pub(crate) sharding: Sharding,
    /// Why the node must stop: a configuration the deployment refuses, or a background task that ended.
    pub(crate) fatal: std::sync::Mutex<Option<String>>,
    /// Raised with `fatal`.
    pub(crate) fatal_signal: Shutdown,
}

impl App {
    /// Open connections that have authenticated.
    pub(crate) fn authenticated_connections(&self) -> usize {
        self.connections
            .len()
            .saturating_sub(self.unauthenticated.len())
    }

    /// Stops the node because it cannot go on (`why`): a refused configuration, or a background task
    /// that ended. It drains as for a stop signal, and the binary exits non-zero saying `why`. The first
    /// reason is kept.
    pub(crate) fn stop_fatally(&self, why: String) {
        self.fatal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get_or_insert(why);
        self.fatal_signal.trigger();
    }

    /// Whether Redis answered the last health probe (every 500 ms).
    pub(crate) fn is_store_reachable(&self) -> bool {
        self.redis_healthy.load(Ordering::Relaxed)
    }

    /// Whether the node should receive traffic now, as `/readyz` and `leapfrog_ready` report it.
    ///
    /// A node at its connection limit is not ready, so load balancers stop sending it upgrades it would
    /// refuse; it is ready again once its authenticated connections fall to 90% of the limit (rounded
    /// down), so a node hovering at the limit does not flap in and out of the Service with every
    /// connection. Updates `leapfrog_ready` and `leapfrog_connections_full`.
    pub(crate) fn readiness(&self) -> Readiness {
        let full = self.update_full();
        let readiness = if self.shutdown.is_triggered() {
            Readiness::Draining
        } else if !self.is_store_reachable() {
            Readiness::RedisUnreachable
        } else if !self.layout_checked.load(Ordering::Relaxed) {
            Readiness::LayoutUnchecked
        } else if full {
            Readiness::Full
        } else {
            Readiness::Ready
        };
        self.gateway_metrics
            .ready
            .set(i64::from(readiness == Readiness::Ready));
        readiness
    }

    /// Whether the node is full now: at the limit it is; at or below 90% of it it is not; in between it
    /// stays as it was.
    fn update_full(&self) -> bool {
        let limit = self.config.connections.max_connections;
        let open = self.authenticated_connections();
        let full = if open >= limit {
            true
        } else if open <= limit * 9 / 10 {
            false
        } else {
            self.full.load(Ordering::Relaxed)
        };
        if full != self.full.swap(full, Ordering::Relaxed) {
            if full {
                tracing::warn!(open, limit, "connection limit reached: not ready");
            } else {
                tracing::info!(
                    open,
                    limit,
                    "below 90% of the connection limit: ready again"
                );
            }
        }
        self.gateway_metrics.full.set(i64::from(full));
        full
    }
}

/// Whether a node takes traffic, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readiness {
    /// Serving.
    Ready,
    /// Shutting down.
    Draining,
    /// The last health probe found Redis unreachable.
    RedisUnreachable,
    /// The board layout has not been checked against the deployment's yet.
    LayoutUnchecked,
    /// At the connection limit (with hysteresis, see [`App::readiness`]).
    Full,
}

impl Readiness {
    /// What `/readyz` answers.
    pub(crate) const fn text(self) -> &'static str {
        match self {
            Readiness::Ready => "ready",
            Readiness::Draining => "not ready: draining for shutdown",
            Readiness::RedisUnreachable => "not ready: Redis is unreachable",
            Readiness::LayoutUnchecked => "not ready: the board layout is not checked yet",
            Readiness::Full => "not ready: at the connection limit",
        }
    }
}
