//! The state every connection and request handler shares.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::auth::Authenticator;
use crate::config::Config;
use crate::friends::Friends;
use crate::gateway::registry::Registry;
use crate::leaderboards::Leaderboards;
use crate::metrics::Metrics;
use crate::notifications::Notifications;
use crate::runs::RunService;
use crate::shutdown::{InFlight, Shutdown};
use crate::store::Store;

/// Shared state, behind an `Arc`.
pub struct App {
    /// The resolved configuration.
    pub config: Config,
    /// Redis.
    pub store: Store,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Token verification.
    pub auth: Authenticator,
    /// Connected players.
    pub registry: Arc<Registry>,
    /// Authoritative runs.
    pub runs: RunService,
    /// Friends, requests, blocks, names.
    pub friends: Friends,
    /// Period boards.
    pub leaderboards: Leaderboards,
    /// Inboxes and live delivery.
    pub notifications: Notifications,
    /// The shutdown signal.
    pub shutdown: Shutdown,
    /// Open WebSocket connections, drained at shutdown.
    pub connections: Arc<InFlight>,
    /// Whether Redis answered the last health probe.
    pub redis_healthy: AtomicBool,
}

impl App {
    /// True while the node should receive traffic: Redis reachable and not shutting down.
    pub fn is_ready(&self) -> bool {
        self.redis_healthy.load(Ordering::Relaxed) && !self.shutdown.is_triggered()
    }
}
