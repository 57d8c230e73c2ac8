//! The resolved configuration the node runs with, and [`Options::resolve`], which checks every option's
//! value against its range and hands each domain module its settings.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use leapfrog_core::challenges::ChallengeSettings;
use leapfrog_core::friends::{MAX_FRIENDS, SocialLimits};
use leapfrog_core::leaderboards::{FriendCacheConfig, PeriodRules, ResetZone};
use leapfrog_core::notifications::InboxConfig;
use leapfrog_core::runs::{RunQuota, RunSettings};
use leapfrog_core::store::RedisTarget;

use crate::auth::jwt::VerifyingKey;

use super::checked::{MAX_DAYS, MAX_MS, days, millis, within};
use super::{ConfigError, LogFormat, Options};

/// Where Redis comes from.
#[derive(Debug, Clone)]
pub enum RedisSource {
    /// An existing Redis or Redis Cluster.
    Existing(RedisTarget),
    /// A redis-server child this process starts and stops.
    Supervised {
        /// The binary.
        binary: PathBuf,
        /// Its data directory.
        data_dir: PathBuf,
        /// Its port (0 = any free one).
        port: u16,
    },
}

/// How players authenticate.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The HS256 secret of the login service, if it signs with one.
    pub jwt_secret: Option<Vec<u8>>,
    /// The login service's public key (RS256 or ES256), if it signs with a private key.
    pub public_key: Option<VerifyingKey>,
    /// The required `iss`, if any.
    pub issuer: Option<String>,
    /// The required `aud`, if any.
    pub audience: Option<String>,
    /// Clock skew tolerated on the token times, in seconds.
    pub leeway_seconds: u64,
    /// True when `POST /dev/token` is served.
    pub dev_auth: bool,
}

/// Limits and timings of WebSocket connections.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// Most connections on the node.
    pub max_connections: usize,
    /// Most connections per player.
    pub max_per_player: usize,
    /// Most connections not authenticated yet (besides `max_connections`).
    pub max_unauthenticated: usize,
    /// Sustained messages per second per player.
    pub rate_per_second: u32,
    /// Burst size per player.
    pub rate_burst: u32,
    /// How often each player's messages not yet counted are added to the cluster-wide budget.
    pub message_budget_sync: Duration,
    /// Rate-limited messages within the abuse window that close the connection.
    pub abuse_threshold: u32,
    /// Upgrades per second and burst per IP address, if limited.
    pub upgrades_per_ip: Option<(u32, u32)>,
    /// Ping after this much silence.
    pub heartbeat: Duration,
    /// Close after this much silence.
    pub idle_timeout: Duration,
    /// Deadline for `hello` with a token.
    pub hello_timeout: Duration,
    /// Outbound queue length.
    pub outbound_queue: usize,
    /// Longest a write may take.
    pub write_timeout: Duration,
}

/// Limits of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Time to send a request's headers, and again its body.
    pub read_timeout: Duration,
    /// Sustained read API requests per second per player.
    pub api_rate_per_second: u32,
    /// Read API burst per player.
    pub api_rate_burst: u32,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Public address.
    pub listen: SocketAddr,
    /// Admin address.
    pub admin_listen: SocketAddr,
    /// Redis.
    pub redis: RedisSource,
    /// Timeout of one Redis command.
    pub redis_timeout: Duration,
    /// How long a group-committed batch waits for more requests before it is sent (one Redis).
    pub redis_batch_window: Duration,
    /// Auth.
    pub auth: AuthConfig,
    /// Secret of the admin API, if enabled (at least 32 bytes).
    pub admin_secret: Option<String>,
    /// Directory of the built web client served at `/`.
    pub web_root: PathBuf,
    /// This node's name.
    pub node_id: String,
    /// Connections.
    pub connections: ConnectionConfig,
    /// HTTP.
    pub http: HttpConfig,
    /// Per-player caps of the social graph.
    pub social: SocialLimits,
    /// Graceful shutdown bound.
    pub drain_timeout: Duration,
    /// Runs.
    pub runs: RunSettings,
    /// Shared challenges.
    pub challenges: ChallengeSettings,
    /// When boards turn over.
    pub periods: PeriodRules,
    /// Shards of each period board and of the names.
    pub board_shards: u16,
    /// How long past boards stay readable.
    pub board_retention: Duration,
    /// The node's cache of friend lists and friends' bests for friend boards.
    pub friend_cache: FriendCacheConfig,
    /// Inboxes and coalescing.
    pub inbox: InboxConfig,
    /// Log format.
    pub log_format: LogFormat,
    /// Worker threads of the runtime, or `None` for one per core the process may use.
    pub worker_threads: Option<NonZeroUsize>,
}

/// Most worker threads: far beyond any machine's cores, so a typo is refused rather than spawned.
const MAX_WORKER_THREADS: usize = 1_024;

/// Longest a group-committed batch may wait for more requests, in µs: beyond 10 ms the latency it adds
/// to every request outweighs what it saves.
const MAX_BATCH_WINDOW_US: u64 = 10_000;

/// Shortest HS256 secret and admin secret accepted, in bytes: the hash's output size.
const MIN_SECRET_BYTES: usize = 32;

impl Options {
    /// Checks every value against its allowed range and builds the configuration.
    pub fn resolve(self) -> Result<Config, ConfigError> {
        let auth = self.auth()?;
        let admin_secret = match self.admin_secret.filter(|secret| !secret.is_empty()) {
            Some(secret) if secret.len() < MIN_SECRET_BYTES => {
                return Err(ConfigError::Invalid {
                    option: "admin-secret",
                    reason: format!(
                        "must be at least {MIN_SECRET_BYTES} bytes, not {} (openssl rand -base64 48 makes one)",
                        secret.len()
                    ),
                });
            }
            secret => secret,
        };
        let redis = match self.redis_url {
            Some(urls) if self.redis_cluster => RedisSource::Existing(RedisTarget::Cluster(
                urls.split(',')
                    .map(str::trim)
                    .filter(|url| !url.is_empty())
                    .map(str::to_owned)
                    .collect(),
            )),
            Some(url) => RedisSource::Existing(RedisTarget::Single(url)),
            None => RedisSource::Supervised {
                binary: self.redis_server_bin,
                data_dir: self.redis_data_dir,
                port: self.redis_port,
            },
        };
        // Checked even while the limit is off, so a bad value does not wait for the day it is turned on.
        let upgrades_per_ip_burst = within(
            "upgrades-per-ip-burst",
            self.upgrades_per_ip_burst,
            1..=10_000_000,
        )?;
        let connections = ConnectionConfig {
            max_connections: within("max-connections", self.max_connections, 1..=10_000_000)?,
            max_per_player: within(
                "max-connections-per-player",
                self.max_connections_per_player,
                1..=1_000,
            )?,
            max_unauthenticated: within(
                "max-unauthenticated",
                self.max_unauthenticated,
                1..=10_000_000,
            )?,
            rate_per_second: within("rate-per-second", self.rate_per_second, 1..=10_000_000)?,
            rate_burst: within("rate-burst", self.rate_burst, 1..=10_000_000)?,
            // At least one step of the flush per slice of players; at most the budget's window.
            message_budget_sync: millis(
                "message-budget-sync-ms",
                self.message_budget_sync_ms,
                100..=10_000,
            )?,
            abuse_threshold: within(
                "rate-abuse-threshold",
                self.rate_abuse_threshold,
                0..=10_000_000,
            )?,
            upgrades_per_ip: match within(
                "upgrades-per-ip-per-second",
                self.upgrades_per_ip_per_second,
                0..=10_000_000,
            )? {
                0 => None,
                rate => Some((rate, upgrades_per_ip_burst)),
            },
            heartbeat: millis("heartbeat-ms", self.heartbeat_ms, 1..=MAX_MS)?,
            idle_timeout: millis("idle-timeout-ms", self.idle_timeout_ms, 1..=MAX_MS)?,
            hello_timeout: millis("hello-timeout-ms", self.hello_timeout_ms, 1..=MAX_MS)?,
            outbound_queue: within("outbound-queue", self.outbound_queue, 1..=65_536)?,
            write_timeout: millis("write-timeout-ms", self.write_timeout_ms, 1..=MAX_MS)?,
        };
        let http = HttpConfig {
            read_timeout: millis(
                "http-read-timeout-ms",
                self.http_read_timeout_ms,
                1..=MAX_MS,
            )?,
            api_rate_per_second: within(
                "api-rate-per-second",
                self.api_rate_per_second,
                1..=10_000_000,
            )?,
            api_rate_burst: within("api-rate-burst", self.api_rate_burst, 1..=10_000_000)?,
        };
        let social = SocialLimits {
            max_friends: within("max-friends", self.max_friends, 1..=MAX_FRIENDS)?,
            max_pending_requests: within(
                "max-pending-requests",
                self.max_pending_requests,
                1..=10_000,
            )?,
            max_blocked: within("max-blocked", self.max_blocked, 1..=1_000_000)?,
            requests_sent_per_hour: within(
                "friend-requests-per-hour",
                self.friend_requests_per_hour,
                1..=1_000_000,
            )?,
            requests_received_per_hour: within(
                "friend-requests-received-per-hour",
                self.friend_requests_received_per_hour,
                1..=1_000_000,
            )?,
        };
        let zone = match self.utc_offset_minutes {
            Some(minutes) => {
                ResetZone::fixed_minutes(minutes).map_err(|error| ConfigError::Invalid {
                    option: "utc-offset-minutes",
                    reason: error.to_string(),
                })?
            }
            None => self.timezone,
        };
        Ok(Config {
            listen: self.listen,
            admin_listen: self.admin_listen,
            redis,
            redis_timeout: millis("redis-timeout-ms", self.redis_timeout_ms, 1..=MAX_MS)?,
            redis_batch_window: Duration::from_micros(within(
                "redis-batch-window-us",
                self.redis_batch_window_us,
                0..=MAX_BATCH_WINDOW_US,
            )?),
            auth,
            admin_secret,
            web_root: self.web_root,
            node_id: self.node_id.unwrap_or_else(default_node_id),
            connections,
            http,
            social,
            drain_timeout: millis("drain-timeout-ms", self.drain_timeout_ms, 0..=MAX_MS)?,
            runs: RunSettings {
                idle_timeout: millis("run-idle-timeout-ms", self.run_idle_timeout_ms, 1..=MAX_MS)?,
                timing_tolerance: millis(
                    "timing-tolerance-ms",
                    self.timing_tolerance_ms,
                    0..=MAX_MS,
                )?,
                pending_queue_len: within("pending-results", self.pending_results, 1..=10_000_000)?,
                sweep_interval: millis("sweep-interval-ms", self.sweep_interval_ms, 10..=MAX_MS)?,
                settle_grace: millis("settle-grace-ms", self.settle_grace_ms, 0..=MAX_MS)?,
                settled_retention: millis(
                    "settled-run-retention-ms",
                    self.settled_run_retention_ms,
                    1_000..=MAX_MS,
                )?,
                quota: RunQuota {
                    max_live: within("max-live-runs", self.max_live_runs, 1..=1_000)?,
                    max_per_hour: within(
                        "max-runs-per-hour",
                        self.max_runs_per_hour,
                        1..=10_000_000,
                    )?,
                },
            },
            periods: PeriodRules {
                weekly_reset_weekday: within(
                    "weekly-reset-weekday",
                    self.weekly_reset_weekday,
                    0..=6,
                )?,
                reset_hour: within("reset-hour", self.reset_hour, 0..=23)?,
                zone,
            },
            challenges: ChallengeSettings {
                ttl: days("challenge-ttl-days", self.challenge_ttl_days, 1..=MAX_DAYS)?,
            },
            board_shards: within("board-shards", self.board_shards, 1..=1_024)?,
            board_retention: days(
                "board-retention-days",
                self.board_retention_days,
                0..=MAX_DAYS,
            )?,
            friend_cache: FriendCacheConfig {
                ttl: millis("friend-cache-ms", self.friend_cache_ms, 0..=60_000)?,
                entries: within(
                    "friend-cache-entries",
                    self.friend_cache_entries,
                    0..=100_000_000,
                )?,
            },
            inbox: InboxConfig {
                max_len: within("inbox-max-len", self.inbox_max_len, 1..=100_000)?,
                ttl: days("inbox-ttl-days", self.inbox_ttl_days, 1..=MAX_DAYS)?,
                coalesce_window: millis("coalesce-window-ms", self.coalesce_window_ms, 0..=MAX_MS)?,
            },
            log_format: self.log_format,
            worker_threads: NonZeroUsize::new(within(
                "worker-threads",
                self.worker_threads,
                0..=MAX_WORKER_THREADS,
            )?),
        })
    }
}

impl Options {
    /// The player auth: a login service key (an HS256 secret of at least 32 bytes, a public key file, or
    /// both), unless `--dev-auth` alone; the claim checks.
    fn auth(&self) -> Result<AuthConfig, ConfigError> {
        let jwt_secret = match &self.jwt_secret {
            Some(secret) if secret.len() < MIN_SECRET_BYTES => {
                return Err(ConfigError::Invalid {
                    option: "jwt-secret",
                    reason: format!(
                        "must be at least {MIN_SECRET_BYTES} bytes, not {}",
                        secret.len()
                    ),
                });
            }
            secret => secret.clone().map(String::into_bytes),
        };
        let public_key = match &self.jwt_public_key_file {
            None => None,
            Some(path) => {
                let invalid = |reason: String| ConfigError::Invalid {
                    option: "jwt-public-key-file",
                    reason: format!("{}: {reason}", path.display()),
                };
                let pem = std::fs::read(path).map_err(|error| invalid(error.to_string()))?;
                Some(
                    VerifyingKey::from_public_key_pem(&pem)
                        .map_err(|error| invalid(error.to_string()))?,
                )
            }
        };
        if jwt_secret.is_none() && public_key.is_none() && !self.dev_auth {
            return Err(ConfigError::Invalid {
                option: "jwt-secret",
                reason:
                    "required (set LEAPFROG_JWT_SECRET), or --jwt-public-key-file, or run with \
                         --dev-auth for local play"
                        .into(),
            });
        }
        let non_empty = |value: &Option<String>| value.clone().filter(|text| !text.is_empty());
        Ok(AuthConfig {
            jwt_secret,
            public_key,
            issuer: non_empty(&self.jwt_issuer),
            audience: non_empty(&self.jwt_audience),
            leeway_seconds: within("jwt-leeway-seconds", self.jwt_leeway_seconds, 0..=300)?,
            dev_auth: self.dev_auth,
        })
    }
}

/// `<hostname>-<pid>`: unique per process on a host, readable in logs.
fn default_node_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "node".into());
    format!("{host}-{}", std::process::id())
}
