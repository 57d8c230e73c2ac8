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
    /// How boards and names are split into shards.
    pub(crate) sharding: Sharding,
    /// Why the node must stop, when it finds a configuration the deployment refuses.
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

    /// Whether Redis answered the last health probe (every 500 ms).
    pub(crate) fn is_store_reachable(&self) -> bool {
        self.redis_healthy.load(Ordering::Relaxed)
    }

    /// True while the node should receive traffic: Redis reachable and not shutting down.
    pub(crate) fn is_ready(&self) -> bool {
        self.is_store_reachable()
            && self.layout_checked.load(Ordering::Relaxed)
            && !self.shutdown.is_triggered()
    }
}
