//! Configuration: command-line flags, `LEAPFROG_*` environment variables and an optional TOML file, in
//! that order of precedence, then the defaults.
//!
//! Each option is declared once, as a field of [`Options`]: its flag, variable and default are clap's, so
//! `--help` shows them; the defaults of the board periods are [`PeriodRules::default`]'s. The file is
//! layered by the same parser (`file.rs`), and [`Options::resolve`] checks every value against its
//! allowed range (`checked.rs`) into a [`Config`]. A test holds `server/README.md`'s table to this list.

mod checked;
mod file;
mod resolved;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, CommandFactory, FromArgMatches, Parser};
use leapfrog_core::friends::SocialLimits;
use leapfrog_core::leaderboards::{FriendCacheConfig, PeriodRules, ResetZone};
use thiserror::Error;

pub use resolved::{AuthConfig, Config, ConnectionConfig, HttpConfig, RedisSource};

/// Every option, as given by a flag, a variable or the file, or else its default.
#[derive(Debug, Clone, Parser)]
#[command(name = "leapfrog-server", version, about = "The Leapfrog game server", long_about = None)]
// A repeated option takes its last value, as Unix tools do: a wrapper script can set a default that the
// caller overrides.
#[command(args_override_self = true)]
pub struct Options {
    /// TOML file with any of these options (keys are the long flag names). Flags and environment win.
    #[arg(long, env = "LEAPFROG_CONFIG")]
    pub config: Option<PathBuf>,

    /// Public address: WebSocket `/ws`, `/healthz`, `/readyz`
    #[arg(long, env = "LEAPFROG_LISTEN", default_value = "127.0.0.1:7300")]
    pub listen: SocketAddr,

    /// Admin address: `/metrics` and the admin API
    #[arg(long, env = "LEAPFROG_ADMIN_LISTEN", default_value = "127.0.0.1:7301")]
    pub admin_listen: SocketAddr,

    /// Redis URL (`redis://host:port/db`); with --redis-cluster, a comma-separated list of some of the
    /// cluster's nodes. Without it the server runs its own redis-server child.
    #[arg(long, env = "LEAPFROG_REDIS_URL")]
    pub redis_url: Option<String>,

    /// The --redis-url nodes are a Redis Cluster (Redis 7 or newer: sharded pub/sub)
    #[arg(
        long,
        env = "LEAPFROG_REDIS_CLUSTER",
        requires = "redis_url",
        action = ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        default_value_t = false
    )]
    pub redis_cluster: bool,

    /// Data directory of the supervised redis-server (append-only file)
    #[arg(
        long,
        env = "LEAPFROG_REDIS_DATA_DIR",
        default_value = "./.leapfrog-data/redis"
    )]
    pub redis_data_dir: PathBuf,

    /// The redis-server binary to supervise (found in PATH unless a path)
    #[arg(
        long,
        env = "LEAPFROG_REDIS_SERVER_BIN",
        default_value = "redis-server"
    )]
    pub redis_server_bin: PathBuf,

    /// Port of the supervised redis-server (0 = any free port)
    #[arg(long, env = "LEAPFROG_REDIS_PORT", default_value_t = 0)]
    pub redis_port: u16,

    /// Timeout of one Redis command, in ms
    #[arg(long, env = "LEAPFROG_REDIS_TIMEOUT_MS", default_value_t = 1_000)]
    pub redis_timeout_ms: u64,

    /// How long a group-committed batch of Redis requests (one Redis) waits for more before it is sent, in µs, while the node is busy and requests come closer together than that (0 = always at once): less CPU per request for Redis and the node, for about a millisecond more per request under load
    #[arg(long, env = "LEAPFROG_REDIS_BATCH_WINDOW_US", default_value_t = 150)]
    pub redis_batch_window_us: u64,

    /// HS256 secret of the login service's player tokens (at least 32 bytes). This or
    /// --jwt-public-key-file is required unless --dev-auth.
    #[arg(long, env = "LEAPFROG_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// PEM public key of the login service: RSA (RS256 tokens) or EC P-256 (ES256 tokens)
    #[arg(long, env = "LEAPFROG_JWT_PUBLIC_KEY_FILE")]
    pub jwt_public_key_file: Option<PathBuf>,

    /// Required `iss` of player tokens (unchecked when unset)
    #[arg(long, env = "LEAPFROG_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,

    /// Required `aud` of player tokens (unset: a token with an `aud` is refused)
    #[arg(long, env = "LEAPFROG_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,

    /// Clock skew tolerated on the tokens' `exp`, `nbf` and `iat`, in seconds
    #[arg(long, env = "LEAPFROG_JWT_LEEWAY_SECONDS", default_value_t = 30)]
    pub jwt_leeway_seconds: u64,

    /// Secret of the server-to-server admin API (Bearer token on the admin port; at least 32 bytes).
    #[arg(long, env = "LEAPFROG_ADMIN_SECRET", hide_env_values = true)]
    pub admin_secret: Option<String>,

    /// Development auth: adds `POST /dev/token` issuing a token for any player. Never in production.
    /// Dev tokens are signed with a key of their own, derived from --jwt-secret when given (nodes sharing
    /// it accept each other's dev tokens) and random otherwise (only this node accepts them).
    #[arg(
        long,
        env = "LEAPFROG_DEV_AUTH",
        action = ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        default_value_t = false
    )]
    pub dev_auth: bool,

    /// Directory of the built web client served at `/` (server/web/dist, built by `npm run build` there)
    #[arg(long, env = "LEAPFROG_WEB_ROOT", default_value = "server/web/dist")]
    pub web_root: PathBuf,

    /// This node's name in logs, metrics and presence [default: <hostname>-<pid>]
    #[arg(long, env = "LEAPFROG_NODE_ID")]
    pub node_id: Option<String>,

    /// Most WebSocket connections on this node
    #[arg(long, env = "LEAPFROG_MAX_CONNECTIONS", default_value_t = 100_000)]
    pub max_connections: usize,

    /// Most connections per player; past it the oldest is replaced by the new login
    #[arg(long, env = "LEAPFROG_MAX_CONNECTIONS_PER_PLAYER", default_value_t = 1)]
    pub max_connections_per_player: usize,

    /// Most connections that have not authenticated yet, apart from --max-connections
    #[arg(long, env = "LEAPFROG_MAX_UNAUTHENTICATED", default_value_t = 1_000)]
    pub max_unauthenticated: usize,

    /// Messages per second a player may send, sustained, over all their connections (control frames
    /// included); across nodes the same rate holds over 10 s windows
    #[arg(long, env = "LEAPFROG_RATE_PER_SECOND", default_value_t = 20)]
    pub rate_per_second: u32,

    /// Messages a player may send in a burst
    #[arg(long, env = "LEAPFROG_RATE_BURST", default_value_t = 40)]
    pub rate_burst: u32,

    /// How often this node adds each player's messages not yet counted to the cluster-wide budget, in
    /// ms: shorter holds a player spread over nodes to the rate sooner, longer sends Redis fewer
    /// requests
    #[arg(long, env = "LEAPFROG_MESSAGE_BUDGET_SYNC_MS", default_value_t = 2_000)]
    pub message_budget_sync_ms: u64,

    /// Rate-limited messages within 10 s after which the connection is closed
    #[arg(long, env = "LEAPFROG_RATE_ABUSE_THRESHOLD", default_value_t = 50)]
    pub rate_abuse_threshold: u32,

    /// WebSocket upgrades per second one IP address may make, sustained (0 = no limit; behind a proxy
    /// every client has the proxy's address)
    #[arg(long, env = "LEAPFROG_UPGRADES_PER_IP_PER_SECOND", default_value_t = 0)]
    pub upgrades_per_ip_per_second: u32,

    /// WebSocket upgrades one IP address may make in a burst
    #[arg(long, env = "LEAPFROG_UPGRADES_PER_IP_BURST", default_value_t = 100)]
    pub upgrades_per_ip_burst: u32,

    /// Time an HTTP client has to send a request's headers, and again its whole body, in ms
    #[arg(long, env = "LEAPFROG_HTTP_READ_TIMEOUT_MS", default_value_t = 10_000)]
    pub http_read_timeout_ms: u64,

    /// Requests per second a player may make to the HTTP read API, sustained
    #[arg(long, env = "LEAPFROG_API_RATE_PER_SECOND", default_value_t = 10)]
    pub api_rate_per_second: u32,

    /// Requests a player may make to the HTTP read API in a burst
    #[arg(long, env = "LEAPFROG_API_RATE_BURST", default_value_t = 20)]
    pub api_rate_burst: u32,

    /// Silence after which the server pings a connection, in ms
    #[arg(long, env = "LEAPFROG_HEARTBEAT_MS", default_value_t = 15_000)]
    pub heartbeat_ms: u64,

    /// Silence after which a connection is closed, in ms
    #[arg(long, env = "LEAPFROG_IDLE_TIMEOUT_MS", default_value_t = 45_000)]
    pub idle_timeout_ms: u64,

    /// Time a connection without a handshake token has to send `hello` with one, in ms
    #[arg(long, env = "LEAPFROG_HELLO_TIMEOUT_MS", default_value_t = 5_000)]
    pub hello_timeout_ms: u64,

    /// Frames queued for a connection before it counts as not reading and is closed
    #[arg(long, env = "LEAPFROG_OUTBOUND_QUEUE", default_value_t = 64)]
    pub outbound_queue: usize,

    /// Time a write to a client may take before it counts as not reading, in ms
    #[arg(long, env = "LEAPFROG_WRITE_TIMEOUT_MS", default_value_t = 10_000)]
    pub write_timeout_ms: u64,

    /// Graceful shutdown bound: clients told, in-flight work and pending results finished, in ms
    #[arg(long, env = "LEAPFROG_DRAIN_TIMEOUT_MS", default_value_t = 10_000)]
    pub drain_timeout_ms: u64,

    /// A live run untouched this long is ended, in ms
    #[arg(long, env = "LEAPFROG_RUN_IDLE_TIMEOUT_MS", default_value_t = 600_000)]
    pub run_idle_timeout_ms: u64,

    /// Network jitter allowed by the timing checks, in ms
    #[arg(long, env = "LEAPFROG_TIMING_TOLERANCE_MS", default_value_t = 150)]
    pub timing_tolerance_ms: u64,

    /// Finished-run results that may wait for Redis in the retry queue
    #[arg(long, env = "LEAPFROG_PENDING_RESULTS", default_value_t = 10_000)]
    pub pending_results: usize,

    /// How often this node sweeps the index of unsettled runs (records what a dead node left, ends idle runs), in ms
    #[arg(long, env = "LEAPFROG_SWEEP_INTERVAL_MS", default_value_t = 2_000)]
    pub sweep_interval_ms: u64,

    /// Most runs a player may have live at once (across every connection and node)
    #[arg(long, env = "LEAPFROG_MAX_LIVE_RUNS", default_value_t = 3)]
    pub max_live_runs: u32,

    /// Most runs a player may start per hour (abandoned runs count their score, and this caps seed shopping)
    #[arg(long, env = "LEAPFROG_MAX_RUNS_PER_HOUR", default_value_t = 200)]
    pub max_runs_per_hour: u32,

    /// Days a shared challenge and its board live after the challenge is created
    #[arg(long, env = "LEAPFROG_CHALLENGE_TTL_DAYS", default_value_t = 7)]
    pub challenge_ttl_days: u64,

    /// How long after a run ends another node's sweeper may record it if this node has not, in ms
    #[arg(long, env = "LEAPFROG_SETTLE_GRACE_MS", default_value_t = 15_000)]
    pub settle_grace_ms: u64,

    /// How long a settled run (recorded or rejected) stays in Redis, in ms: a resume or a resent last jump within it is answered with the run's result
    #[arg(
        long,
        env = "LEAPFROG_SETTLED_RUN_RETENTION_MS",
        default_value_t = 600_000
    )]
    pub settled_run_retention_ms: u64,

    /// Weekday the weekly boards reset on, 0 = Monday .. 6 = Sunday
    #[arg(
        long,
        env = "LEAPFROG_WEEKLY_RESET_WEEKDAY",
        default_value_t = PeriodRules::default().weekly_reset_weekday
    )]
    pub weekly_reset_weekday: u8,

    /// Local hour the daily and weekly boards reset at
    #[arg(
        long,
        env = "LEAPFROG_RESET_HOUR",
        default_value_t = PeriodRules::default().reset_hour
    )]
    pub reset_hour: u8,

    /// IANA time zone of the resets, daylight saving included (Europe/Berlin). A reset hour the clocks
    /// skip turns over at the jump; one they pass twice, at its first pass
    #[arg(
        long,
        env = "LEAPFROG_TIMEZONE",
        default_value_t = PeriodRules::default().zone
    )]
    pub timezone: ResetZone,

    /// Time zone of the resets as a fixed offset from UTC in minutes (480 for China), instead of
    /// --timezone
    #[arg(
        long,
        env = "LEAPFROG_UTC_OFFSET_MINUTES",
        allow_hyphen_values = true,
        conflicts_with = "timezone"
    )]
    pub utc_offset_minutes: Option<i32>,

    /// Shards each period board and the display names are split into (fixed per deployment: recorded in Redis)
    #[arg(long, env = "LEAPFROG_BOARD_SHARDS", default_value_t = 16)]
    pub board_shards: u16,

    /// Days a past daily or weekly board stays readable after its period ends
    #[arg(long, env = "LEAPFROG_BOARD_RETENTION_DAYS", default_value_t = 28)]
    pub board_retention_days: u64,

    /// Longest a friend board shows a cached friend list or friend's best, in ms (0: no cache, every read asks Redis)
    #[arg(
        long,
        env = "LEAPFROG_FRIEND_CACHE_MS",
        default_value_t = FriendCacheConfig::DEFAULT.ttl.as_millis() as u64
    )]
    pub friend_cache_ms: u64,

    /// Most friends' bests the node caches for friend boards (one per player and board), and most friend ids across its cached friend lists (0: no cache)
    #[arg(
        long,
        env = "LEAPFROG_FRIEND_CACHE_ENTRIES",
        default_value_t = FriendCacheConfig::DEFAULT.entries
    )]
    pub friend_cache_entries: usize,

    /// Most notifications kept per inbox
    #[arg(long, env = "LEAPFROG_INBOX_MAX_LEN", default_value_t = 500)]
    pub inbox_max_len: usize,

    /// Days an inbox lives after its last notification
    #[arg(long, env = "LEAPFROG_INBOX_TTL_DAYS", default_value_t = 30)]
    pub inbox_ttl_days: u64,

    /// Window in which further "friend passed you" notifications are folded into one summary, in ms
    #[arg(long, env = "LEAPFROG_COALESCE_WINDOW_MS", default_value_t = 10_000)]
    pub coalesce_window_ms: u64,

    /// Most friends a player may have
    #[arg(
        long,
        env = "LEAPFROG_MAX_FRIENDS",
        default_value_t = SocialLimits::default().max_friends
    )]
    pub max_friends: usize,

    /// Most friend requests a player may have waiting for an answer
    #[arg(
        long,
        env = "LEAPFROG_MAX_PENDING_REQUESTS",
        default_value_t = SocialLimits::default().max_pending_requests
    )]
    pub max_pending_requests: usize,

    /// Most players a player may block
    #[arg(
        long,
        env = "LEAPFROG_MAX_BLOCKED",
        default_value_t = SocialLimits::default().max_blocked
    )]
    pub max_blocked: usize,

    /// Friend requests a player may send per hour
    #[arg(
        long,
        env = "LEAPFROG_FRIEND_REQUESTS_PER_HOUR",
        default_value_t = SocialLimits::default().requests_sent_per_hour
    )]
    pub friend_requests_per_hour: u32,

    /// Friend requests a player may receive per hour
    #[arg(
        long,
        env = "LEAPFROG_FRIEND_REQUESTS_RECEIVED_PER_HOUR",
        default_value_t = SocialLimits::default().requests_received_per_hour
    )]
    pub friend_requests_received_per_hour: u32,

    /// Log format
    #[arg(long, env = "LEAPFROG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,

    /// Worker threads of the node's runtime; 0 = one per core it may use, 1 = every task on one thread (a node per core spends less CPU per message: no hand-offs between threads)
    #[arg(long, env = "LEAPFROG_WORKER_THREADS", default_value_t = 0)]
    pub worker_threads: usize,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// A configuration that cannot be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The flags or environment variables do not parse (or asked for `--help`).
    #[error(transparent)]
    Args(#[from] clap::Error),
    /// The file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("invalid config file {path}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: Box<toml::de::Error>,
    },
    /// A key or value of the file is not an option's.
    #[error("invalid config file {path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key.
        reason: String,
    },
    /// An option has an unusable value.
    #[error("invalid option --{option}: {reason}")]
    Invalid {
        /// The option's long name.
        option: &'static str,
        /// Why, with the allowed range.
        reason: String,
    },
}

impl Options {
    /// The options of this process: flags and `LEAPFROG_*` variables, then the `--config` file for
    /// whatever they left at its default. Bad flags, `--help` and `--version` print clap's answer and
    /// exit, as with `Parser::parse`; errors of the file are returned.
    pub fn load() -> Result<Options, ConfigError> {
        match Options::try_load_from(std::env::args_os()) {
            Err(ConfigError::Args(error)) => error.exit(),
            loaded => loaded,
        }
    }

    /// [`Options::load`] from `args` (the first is the program's name), returning every error.
    pub fn try_load_from<I, T>(args: I) -> Result<Options, ConfigError>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString>,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        let command = Options::command();
        let matches = command.clone().try_get_matches_from(&args)?;
        let matches = match matches.get_one::<PathBuf>("config") {
            None => matches,
            Some(path) => file::layer(command, &matches, path, args)?,
        };
        Ok(Options::from_arg_matches(&matches)?)
    }
}
