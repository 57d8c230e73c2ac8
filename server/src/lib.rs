//! The Leapfrog node: the transports (HTTP and WebSocket), player auth, configuration and the binary,
//! around the domain in `leapfrog-core`.
//!
//! Layering: `http` and `gateway` are transport and only translate; `handlers` map requests to domain
//! calls in `leapfrog_core` (runs, friends, leaderboards, notifications), which alone talks to Redis.
//! [`Server::bind`] starts everything and [`Server::run`] serves until the stop signal, then drains.

pub mod allocator;
mod app;
pub mod auth;
pub mod config;
pub mod fd_limit;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod gateway;
mod handlers;
mod http;
mod metrics;
pub mod panics;
pub mod runtime;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use leapfrog_core::budget::MessageBudget;
use leapfrog_core::challenges::Challenges;
use leapfrog_core::error_chain::ErrorChain;
use leapfrog_core::friends::{FriendGraph, Friends};
use leapfrog_core::leaderboards::Leaderboards;
use leapfrog_core::leaderboards::layout::{self, LayoutError};
use leapfrog_core::metrics::Metrics;
use leapfrog_core::notifications::{Notifications, Presence, Router};
use leapfrog_core::replays::Replays;
use leapfrog_core::runs::{ResultRecorder, RunService};
use leapfrog_core::shutdown::{InFlight, Shutdown};
use leapfrog_core::store::supervisor::{SuperviseError, SupervisedRedis};
use leapfrog_core::store::{RedisTarget, Sharding, Store, StoreError};
use thiserror::Error;
use tokio::net::TcpListener;

use app::App;
use auth::Authenticator;
use config::{Config, RedisSource};
use gateway::player_budget::PlayerBudgets;
use gateway::rate_limit::RateLimits;
use gateway::registry::Registry;
use governor::RateLimiter;
use metrics::GatewayMetrics;

/// How often Redis health is probed for `/readyz`.
const HEALTH_PROBE_INTERVAL: Duration = Duration::from_millis(500);

/// How often rate limiters forget senders whose buckets are full again.
const FORGET_IDLE_INTERVAL: Duration = Duration::from_secs(60);

/// Why the server could not start.
#[derive(Debug, Error)]
pub enum ServerError {
    /// The supervised redis-server could not start.
    #[error(transparent)]
    Supervise(#[from] SuperviseError),
    /// Redis could not be reached.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A port could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// This node's board layout is not the deployment's.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// A token key cannot be used.
    #[error("player auth")]
    Auth(#[from] auth::jwt::KeyError),
    /// The metrics registry refused a metric (a bug).
    #[error("the metrics registry refused a metric")]
    Metrics(#[from] prometheus::Error),
}

/// A bound, ready-to-run server.
pub struct Server {
    app: Arc<App>,
    public: TcpListener,
    admin: TcpListener,
    redis: Option<SupervisedRedis>,
}

impl Server {
    /// Starts Redis (or connects to it), binds both ports, and starts the run service.
    pub async fn bind(config: Config) -> Result<Server, ServerError> {
        let auth = Authenticator::new(&config.auth)?;
        let redis = match &config.redis {
            RedisSource::Existing(_) => None,
            RedisSource::Supervised {
                binary,
                data_dir,
                port,
            } => Some(SupervisedRedis::start(binary, data_dir, *port).await?),
        };
        let target = match (&config.redis, &redis) {
            (RedisSource::Existing(target), _) => target.clone(),
            (_, Some(supervised)) => RedisTarget::Single(supervised.url().to_owned()),
            (RedisSource::Supervised { .. }, None) => {
                unreachable!("a supervised source always starts a child")
            }
        };
        let metrics = Arc::new(Metrics::new(&config.node_id)?);
        let gateway_metrics = GatewayMetrics::new(&metrics, &config)?;
        let store = Store::open_with_window(
            &target,
            config.redis_timeout,
            config.redis_batch_window,
            metrics.clone(),
        )?;
        let sharding = Sharding::new(config.board_shards);
        // A node configured for another layout than the deployment's must not start. While Redis is down
        // the check waits (the node is not ready meanwhile) and runs again until it passes.
        let layout_checked =
            match tokio::time::timeout(config.redis_timeout * 3, layout::verify(&store, &sharding))
                .await
            {
                Ok(Ok(_)) => true,
                Ok(Err(LayoutError::Mismatch {
                    recorded,
                    configured,
                })) => {
                    return Err(LayoutError::Mismatch {
                        recorded,
                        configured,
                    }
                    .into());
                }
                Ok(Err(LayoutError::Store(_))) | Err(_) => false,
            };
        let registry = Arc::new(Registry::default());
        let presence = Presence::new(store.clone(), &config.node_id);
        let router = Router::new(
            store.clone(),
            presence.clone(),
            registry.clone(),
            metrics.clone(),
        );
        let notifications =
            Notifications::new(store.clone(), metrics.clone(), config.inbox, router);
        let graph = FriendGraph::new(store.clone(), sharding.clone());
        let friends = Friends::new(
            graph.clone(),
            notifications.clone(),
            config.social,
            metrics.clone(),
        );
        let leaderboards = Leaderboards::new(
            store.clone(),
            sharding.clone(),
            graph.clone(),
            config.friend_cache,
            config.periods.clone(),
            config.board_retention,
            metrics.clone(),
        );
        let challenges = Challenges::new(store.clone(), graph.clone(), config.challenges);
        let replays = Replays::new(
            store.clone(),
            graph.clone(),
            config.periods.clone(),
            config.board_retention,
        );
        let recorder = ResultRecorder::new(
            store.clone(),
            leaderboards.clone(),
            graph,
            notifications.clone(),
            challenges.clone(),
            replays.clone(),
            config.runs.settled_retention,
        );
        let shutdown = Shutdown::new();
        let runs = RunService::start(
            store.clone(),
            metrics.clone(),
            config.runs.clone(),
            recorder,
            challenges.clone(),
            shutdown.clone(),
        );
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| ServerError::Bind { addr, source })
        };
        let public = bind(config.listen).await?;
        let admin = bind(config.admin_listen).await?;
        let connections = &config.connections;
        let rate_limits = RateLimits::new(connections);
        let budgets = PlayerBudgets::new(
            MessageBudget::new(store.clone()),
            connections.rate_per_second,
            connections.rate_burst,
        );
        let api_limits = RateLimiter::dashmap(gateway::rate_limit::quota(
            config.http.api_rate_per_second,
            config.http.api_rate_burst,
        ));
        let app = Arc::new(App {
            auth,
            config,
            store,
            metrics,
            gateway_metrics,
            registry,
            presence,
            runs,
            friends,
            leaderboards,
            notifications,
            challenges,
            replays,
            shutdown,
            wakeups: gateway::wakeups::Wakeups::new(),
            connections: Arc::new(InFlight::default()),
            unauthenticated: Arc::new(InFlight::default()),
            rate_limits,
            budgets,
            api_limits,
            redis_healthy: AtomicBool::new(false),
            layout_checked: AtomicBool::new(layout_checked),
            full: AtomicBool::new(false),
            sharding,
            fatal: std::sync::Mutex::new(None),
            fatal_signal: Shutdown::new(),
        });
        Ok(Server {
            app,
            public,
            admin,
            redis,
        })
    }

    /// The bound public address.
    pub fn public_addr(&self) -> std::io::Result<SocketAddr> {
        self.public.local_addr()
    }

    /// The bound admin address.
    pub fn admin_addr(&self) -> std::io::Result<SocketAddr> {
        self.admin.local_addr()
    }

    /// Serves until `stop` resolves, then shuts down gracefully: stops taking connections, tells every
    /// client goodbye, waits for connections and pending results (within the drain timeout), and stops
    /// the supervised Redis. Says what the drain left undone.
    pub async fn run(self, stop: impl Future<Output = ()>) -> Drained {
        let Server {
            app,
            public,
            admin,
            redis,
        } = self;
        let drained = Shutdown::new();
        // Each runs until the shutdown; one that ends before (a panic: a bug) stops the node, which
        // an orchestrator then starts again, rather than leaving it half working.
        let mut background = vec![
            (
                "the Redis health probe",
                tokio::spawn(probe_redis(app.clone())),
            ),
            (
                "the rate limiters' cleanup",
                tokio::spawn(forget_idle_limits(app.clone())),
            ),
            (
                "the message budget's sync",
                tokio::spawn(flush_budgets(app.clone())),
            ),
            // Ends by itself once the shutdown is raised, after waking every connection.
            (
                "the connections' wake-ups",
                tokio::spawn(wake_connections(app.clone())),
            ),
            (
                "the notification listener",
                tokio::spawn(
                    app.notifications
                        .router()
                        .clone()
                        .listen(app.shutdown.clone()),
                ),
            ),
        ];
        let mut servers = [
            (
                "the public port's server",
                tokio::spawn(http::serve(
                    app.clone(),
                    public,
                    http::public::handle,
                    wait(drained.clone()),
                )),
            ),
            (
                "the admin port's server",
                tokio::spawn(http::serve(
                    app.clone(),
                    admin,
                    http::admin::handle,
                    wait(drained.clone()),
                )),
            ),
        ];
        tokio::select! {
            _ = stop => {}
            _ = app.fatal_signal.triggered() => {}
            ended = first_to_end(background.iter_mut().chain(servers.iter_mut())) => {
                tracing::error!(task = ended.task, why = ended.why, "stopping: a background task ended");
                app.stop_fatally(format!("{} {}", ended.task, ended.why));
            }
        }
        let started = Instant::now();
        let drain_timeout = app.config.drain_timeout;
        tracing::info!(
            connections = app.connections.len(),
            "shutting down: draining"
        );
        app.shutdown.trigger();
        let left = app.connections.drained(drain_timeout).await;
        let pending = app
            .runs
            .pending()
            .drain(drain_timeout.saturating_sub(started.elapsed()))
            .await;
        // After the retry queue, whose recordings queue flags too.
        let unflagged = app
            .runs
            .settler()
            .drain(drain_timeout.saturating_sub(started.elapsed()))
            .await;
        if left > 0 || pending > 0 || unflagged > 0 {
            tracing::warn!(
                connections = left,
                pending_results = pending,
                unflagged_runs = unflagged,
                "drain timeout reached"
            );
        }
        drained.trigger();
        for (_, task) in background {
            task.abort();
        }
        for (_, server) in servers {
            // One that ended early was awaited already (awaiting it again would panic).
            if !server.is_finished() {
                let _ = server.await;
            }
        }
        if let Some(redis) = redis {
            redis.stop().await;
        }
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "shut down"
        );
        Drained {
            connections_left: left,
            results_left: pending,
            fatal: app
                .fatal
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take(),
        }
    }
}

/// What a graceful shutdown left undone when the drain timeout ran out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drained {
    /// Connections still open.
    pub connections_left: usize,
    /// Finished runs whose results this node could not record. They are not lost: every ended run is
    /// listed in Redis, and the next node to sweep records it.
    pub results_left: usize,
    /// Why the node stopped by itself, if it did: a configuration the deployment refuses, or one of its
    /// background tasks (the health probe, the notification listener, a port's server...) ended.
    pub fatal: Option<String>,
}

/// Which of a node's background tasks ended before the shutdown, and how.
struct Ended {
    task: &'static str,
    why: &'static str,
}

/// Resolves when one of `tasks` ends, each of which runs until the shutdown unless it panics; never if
/// there are none.
async fn first_to_end<'a>(
    tasks: impl Iterator<Item = &'a mut (&'static str, tokio::task::JoinHandle<()>)>,
) -> Ended {
    let waits: Vec<_> = tasks
        .map(|(task, handle)| Box::pin(async move { (*task, handle.await) }))
        .collect();
    if waits.is_empty() {
        return std::future::pending().await;
    }
    let ((task, result), _, _) = futures_util::future::select_all(waits).await;
    let why = match result {
        Ok(()) => "ended",
        Err(error) if error.is_panic() => "panicked",
        Err(_) => "was cancelled",
    };
    Ended { task, why }
}

async fn wait(signal: Shutdown) {
    signal.triggered().await;
}

/// Checks the board layout once Redis answers; a node with another layout than the deployment's stops.
async fn check_layout(app: &App) {
    match layout::verify(&app.store, &app.sharding).await {
        Ok(_) => {
            app.layout_checked.store(true, Ordering::Relaxed);
            tracing::info!("board layout checked");
        }
        Err(error @ LayoutError::Mismatch { .. }) => {
            tracing::error!(error = %ErrorChain(&error), "stopping: wrong board layout");
            app.stop_fatally(error.to_string());
        }
        Err(error) => {
            tracing::warn!(error = %ErrorChain(&error), "board layout not checked yet; retrying")
        }
    }
}

/// Keeps the rate limiters' maps to recent senders.
async fn forget_idle_limits(app: Arc<App>) {
    let mut interval = tokio::time::interval(FORGET_IDLE_INTERVAL);
    loop {
        interval.tick().await;
        app.rate_limits.forget_idle();
        app.api_limits.retain_recent();
        app.api_limits.shrink_to_fit();
        app.budgets.forget_past_windows();
    }
}

/// Adds the players' uncounted messages to the cluster-wide budget, one slice of the players at a time.
async fn flush_budgets(app: Arc<App>) {
    let step = gateway::player_budget::flush_step(app.config.connections.message_budget_sync);
    let mut interval = tokio::time::interval(step);
    for slice in 0.. {
        interval.tick().await;
        app.budgets.flush_slice(slice);
    }
}

/// Wakes the connections for their ticks, and all of them at once for the shutdown.
async fn wake_connections(app: Arc<App>) {
    let period = gateway::wakeups::tick_period(&app.config.connections);
    app.wakeups.run(period, &app.shutdown).await;
}

/// Keeps `redis_healthy` current for `/readyz` and the `ready` metric.
async fn probe_redis(app: Arc<App>) {
    let mut interval = tokio::time::interval(HEALTH_PROBE_INTERVAL);
    loop {
        interval.tick().await;
        let healthy = app.store.ping().await.is_ok();
        if healthy && !app.layout_checked.load(Ordering::Relaxed) {
            check_layout(&app).await;
        }
        app.gateway_metrics.redis_reachable.set(i64::from(healthy));
        if healthy != app.redis_healthy.swap(healthy, Ordering::Relaxed) {
            if healthy {
                tracing::info!("Redis reachable again: ready");
            } else {
                tracing::warn!("Redis unreachable: not ready");
            }
        }
        app.readiness();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A background task that panics, or returns, is named with how it ended; the others run on.
    #[tokio::test]
    async fn the_first_background_task_to_end_is_named_with_how() {
        let forever = || tokio::spawn(std::future::pending::<()>());
        let mut tasks = [
            ("waiting", forever()),
            (
                "panicking",
                tokio::spawn(async { panic!("a test panic in a background task") }),
            ),
        ];
        let ended = first_to_end(tasks.iter_mut()).await;
        assert_eq!((ended.task, ended.why), ("panicking", "panicked"));
        assert!(!tasks[0].1.is_finished());

        let mut tasks = [
            ("waiting", forever()),
            ("returning", tokio::spawn(async {})),
        ];
        let ended = first_to_end(tasks.iter_mut()).await;
        assert_eq!((ended.task, ended.why), ("returning", "ended"));

        let none = first_to_end(std::iter::empty());
        assert!(
            tokio::time::timeout(Duration::from_millis(20), none)
                .await
                .is_err(),
            "no task: never"
        );
    }
}
