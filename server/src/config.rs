//! Configuration: command-line flags, `LEAPFROG_*` environment variables and an optional TOML file, in
//! that order of precedence, then the defaults documented on each option.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use serde::Deserialize;
use thiserror::Error;

/// Every option as given on the command line, in the environment or in the file: all optional, so
/// the sources can be layered before the defaults apply.
#[derive(Debug, Clone, Default, Parser, Deserialize)]
#[command(name = "leapfrog-server", version, about = "The Leapfrog game server", long_about = None)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Options {
    /// TOML file with any of these options (keys are the long flag names). Flags and environment win.
    #[arg(long, env = "LEAPFROG_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// Public address: WebSocket `/ws`, `/healthz`, `/readyz` [default: 127.0.0.1:7300]
    #[arg(long, env = "LEAPFROG_LISTEN")]
    pub listen: Option<SocketAddr>,

    /// Admin address: `/metrics` and the admin API [default: 127.0.0.1:7301]
    #[arg(long, env = "LEAPFROG_ADMIN_LISTEN")]
    pub admin_listen: Option<SocketAddr>,

    /// Redis URL (`redis://host:port/db`). Without it the server runs its own redis-server child.
    #[arg(long, env = "LEAPFROG_REDIS_URL")]
    pub redis_url: Option<String>,

    /// Data directory of the supervised redis-server (append-only file) [default: ./.leapfrog-data/redis]
    #[arg(long, env = "LEAPFROG_REDIS_DATA_DIR")]
    pub redis_data_dir: Option<PathBuf>,

    /// The redis-server binary to supervise [default: redis-server from PATH]
    #[arg(long, env = "LEAPFROG_REDIS_SERVER_BIN")]
    pub redis_server_bin: Option<PathBuf>,

    /// Port of the supervised redis-server (0 = any free port) [default: 0]
    #[arg(long, env = "LEAPFROG_REDIS_PORT")]
    pub redis_port: Option<u16>,

    /// Timeout of one Redis command, in ms [default: 1000]
    #[arg(long, env = "LEAPFROG_REDIS_TIMEOUT_MS")]
    pub redis_timeout_ms: Option<u64>,

    /// HS256 secret of the login service's player tokens. Required unless --dev-auth.
    #[arg(long, env = "LEAPFROG_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Secret of the server-to-server admin API (Bearer token on the admin port).
    #[arg(long, env = "LEAPFROG_ADMIN_SECRET", hide_env_values = true)]
    pub admin_secret: Option<String>,

    /// Development auth: adds `POST /dev/token` issuing a token for any player. Never in production.
    #[arg(long, env = "LEAPFROG_DEV_AUTH", num_args = 0..=1, default_missing_value = "true")]
    pub dev_auth: Option<bool>,

    /// This node's name in logs, metrics and presence [default: <hostname>-<pid>]
    #[arg(long, env = "LEAPFROG_NODE_ID")]
    pub node_id: Option<String>,

    /// Most WebSocket connections on this node [default: 100000]
    #[arg(long, env = "LEAPFROG_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,

    /// Most connections per player; past it the oldest is replaced by the new login [default: 1]
    #[arg(long, env = "LEAPFROG_MAX_CONNECTIONS_PER_PLAYER")]
    pub max_connections_per_player: Option<usize>,

    /// Messages per second a connection may send, sustained [default: 20]
    #[arg(long, env = "LEAPFROG_RATE_PER_SECOND")]
    pub rate_per_second: Option<u32>,

    /// Messages a connection may send in a burst [default: 40]
    #[arg(long, env = "LEAPFROG_RATE_BURST")]
    pub rate_burst: Option<u32>,

    /// Rate-limited messages within 10 s after which the connection is closed [default: 50]
    #[arg(long, env = "LEAPFROG_RATE_ABUSE_THRESHOLD")]
    pub rate_abuse_threshold: Option<u32>,

    /// Silence after which the server pings a connection, in ms [default: 15000]
    #[arg(long, env = "LEAPFROG_HEARTBEAT_MS")]
    pub heartbeat_ms: Option<u64>,

    /// Silence after which a connection is closed, in ms [default: 45000]
    #[arg(long, env = "LEAPFROG_IDLE_TIMEOUT_MS")]
    pub idle_timeout_ms: Option<u64>,

    /// Time a connection without a handshake token has to send `hello` with one, in ms [default: 5000]
    #[arg(long, env = "LEAPFROG_HELLO_TIMEOUT_MS")]
    pub hello_timeout_ms: Option<u64>,

    /// Frames queued for a connection before it counts as not reading and is closed [default: 64]
    #[arg(long, env = "LEAPFROG_OUTBOUND_QUEUE")]
    pub outbound_queue: Option<usize>,

    /// Time a write to a client may take before it counts as not reading, in ms [default: 10000]
    #[arg(long, env = "LEAPFROG_WRITE_TIMEOUT_MS")]
    pub write_timeout_ms: Option<u64>,

    /// Graceful shutdown bound: clients told, in-flight work and pending results finished, in ms [default: 10000]
    #[arg(long, env = "LEAPFROG_DRAIN_TIMEOUT_MS")]
    pub drain_timeout_ms: Option<u64>,

    /// A live run untouched this long is ended, in ms [default: 600000]
    #[arg(long, env = "LEAPFROG_RUN_IDLE_TIMEOUT_MS")]
    pub run_idle_timeout_ms: Option<u64>,

    /// Network jitter allowed by the timing checks, in ms [default: 150]
    #[arg(long, env = "LEAPFROG_TIMING_TOLERANCE_MS")]
    pub timing_tolerance_ms: Option<u64>,

    /// Finished-run results that may wait for Redis in the retry queue [default: 10000]
    #[arg(long, env = "LEAPFROG_PENDING_RESULTS")]
    pub pending_results: Option<usize>,

    /// Weekday the weekly boards reset on, 0 = Monday .. 6 = Sunday [default: 0]
    #[arg(long, env = "LEAPFROG_WEEKLY_RESET_WEEKDAY")]
    pub weekly_reset_weekday: Option<u8>,

    /// Local hour the daily and weekly boards reset at [default: 0]
    #[arg(long, env = "LEAPFROG_RESET_HOUR")]
    pub reset_hour: Option<u8>,

    /// Time zone of the resets as a fixed offset from UTC in minutes, e.g. 480 for China [default: 0]
    #[arg(long, env = "LEAPFROG_UTC_OFFSET_MINUTES", allow_hyphen_values = true)]
    pub utc_offset_minutes: Option<i32>,

    /// Days a past daily or weekly board stays readable after its period ends [default: 28]
    #[arg(long, env = "LEAPFROG_BOARD_RETENTION_DAYS")]
    pub board_retention_days: Option<u64>,

    /// Most notifications kept per inbox [default: 500]
    #[arg(long, env = "LEAPFROG_INBOX_MAX_LEN")]
    pub inbox_max_len: Option<usize>,

    /// Days an inbox lives after its last notification [default: 30]
    #[arg(long, env = "LEAPFROG_INBOX_TTL_DAYS")]
    pub inbox_ttl_days: Option<u64>,

    /// Window in which further "friend passed you" notifications are folded into one summary, in ms [default: 10000]
    #[arg(long, env = "LEAPFROG_COALESCE_WINDOW_MS")]
    pub coalesce_window_ms: Option<u64>,

    /// Log format: `pretty` or `json` [default: pretty]
    #[arg(long, env = "LEAPFROG_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Where Redis comes from.
#[derive(Debug, Clone)]
pub enum RedisSource {
    /// An existing Redis.
    Url(String),
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
    /// The HS256 secret.
    pub jwt_secret: Vec<u8>,
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
    /// Sustained messages per second.
    pub rate_per_second: u32,
    /// Burst size.
    pub rate_burst: u32,
    /// Rate-limited messages within the abuse window that close the connection.
    pub abuse_threshold: u32,
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
    /// Auth.
    pub auth: AuthConfig,
    /// Secret of the admin API, if enabled.
    pub admin_secret: Option<String>,
    /// This node's name.
    pub node_id: String,
    /// Connections.
    pub connections: ConnectionConfig,
    /// Graceful shutdown bound.
    pub drain_timeout: Duration,
    /// Runs.
    pub runs: leapfrog_core::runs::RunSettings,
    /// When boards turn over.
    pub periods: leapfrog_core::leaderboards::PeriodRules,
    /// How long past boards stay readable.
    pub board_retention: Duration,
    /// Inboxes and coalescing.
    pub inbox: leapfrog_core::notifications::InboxConfig,
    /// Log format.
    pub log_format: LogFormat,
}

/// A configuration that cannot be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for these options.
    #[error("invalid config file {path}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: Box<toml::de::Error>,
    },
    /// An option has an unusable value.
    #[error("invalid option --{option}: {reason}")]
    Invalid {
        /// The option's long name.
        option: &'static str,
        /// Why.
        reason: String,
    },
}

macro_rules! layer {
    ($cli:ident, $file:ident, $($field:ident),+ $(,)?) => {
        Options { config: $cli.config, $($field: $cli.$field.or($file.$field)),+ }
    };
}

impl Options {
    /// Fills what flags and environment left unset from the TOML file named by `--config`, if any.
    pub fn with_file(self) -> Result<Options, ConfigError> {
        let Some(path) = self.config.clone() else {
            return Ok(self);
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let file: Options = toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path,
            source: Box::new(source),
        })?;
        let cli = self;
        Ok(layer!(
            cli,
            file,
            listen,
            admin_listen,
            redis_url,
            redis_data_dir,
            redis_server_bin,
            redis_port,
            redis_timeout_ms,
            jwt_secret,
            admin_secret,
            dev_auth,
            node_id,
            max_connections,
            max_connections_per_player,
            rate_per_second,
            rate_burst,
            rate_abuse_threshold,
            heartbeat_ms,
            idle_timeout_ms,
            hello_timeout_ms,
            outbound_queue,
            write_timeout_ms,
            drain_timeout_ms,
            run_idle_timeout_ms,
            timing_tolerance_ms,
            pending_results,
            weekly_reset_weekday,
            reset_hour,
            utc_offset_minutes,
            board_retention_days,
            inbox_max_len,
            inbox_ttl_days,
            coalesce_window_ms,
            log_format,
        ))
    }

    /// Applies the defaults and checks every value.
    pub fn resolve(self) -> Result<Config, ConfigError> {
        let ms = Duration::from_millis;
        let dev_auth = self.dev_auth.unwrap_or(false);
        let jwt_secret = match (self.jwt_secret, dev_auth) {
            (Some(secret), _) if secret.len() >= 32 => secret.into_bytes(),
            (Some(_), _) => {
                return Err(ConfigError::Invalid {
                    option: "jwt-secret",
                    reason: "must be at least 32 bytes".into(),
                });
            }
            (None, true) => rand::random::<[u8; 32]>().to_vec(),
            (None, false) => {
                return Err(ConfigError::Invalid {
                    option: "jwt-secret",
                    reason:
                        "required (set LEAPFROG_JWT_SECRET), or run with --dev-auth for local play"
                            .into(),
                });
            }
        };
        let redis = match self.redis_url {
            Some(url) => RedisSource::Url(url),
            None => RedisSource::Supervised {
                binary: self
                    .redis_server_bin
                    .unwrap_or_else(|| "redis-server".into()),
                data_dir: self
                    .redis_data_dir
                    .unwrap_or_else(|| "./.leapfrog-data/redis".into()),
                port: self.redis_port.unwrap_or(0),
            },
        };
        let positive = |option, value: u64| {
            if value == 0 {
                Err(ConfigError::Invalid {
                    option,
                    reason: "must be greater than 0".into(),
                })
            } else {
                Ok(value)
            }
        };
        let connections = ConnectionConfig {
            max_connections: self.max_connections.unwrap_or(100_000),
            max_per_player: positive(
                "max-connections-per-player",
                self.max_connections_per_player.unwrap_or(1) as u64,
            )? as usize,
            rate_per_second: positive("rate-per-second", self.rate_per_second.unwrap_or(20).into())?
                as u32,
            rate_burst: positive("rate-burst", self.rate_burst.unwrap_or(40).into())? as u32,
            abuse_threshold: self.rate_abuse_threshold.unwrap_or(50),
            heartbeat: ms(positive(
                "heartbeat-ms",
                self.heartbeat_ms.unwrap_or(15_000),
            )?),
            idle_timeout: ms(positive(
                "idle-timeout-ms",
                self.idle_timeout_ms.unwrap_or(45_000),
            )?),
            hello_timeout: ms(positive(
                "hello-timeout-ms",
                self.hello_timeout_ms.unwrap_or(5_000),
            )?),
            outbound_queue: positive("outbound-queue", self.outbound_queue.unwrap_or(64) as u64)?
                as usize,
            write_timeout: ms(positive(
                "write-timeout-ms",
                self.write_timeout_ms.unwrap_or(10_000),
            )?),
        };
        Ok(Config {
            listen: self.listen.unwrap_or_else(|| ([127, 0, 0, 1], 7300).into()),
            admin_listen: self
                .admin_listen
                .unwrap_or_else(|| ([127, 0, 0, 1], 7301).into()),
            redis,
            redis_timeout: ms(positive(
                "redis-timeout-ms",
                self.redis_timeout_ms.unwrap_or(1_000),
            )?),
            auth: AuthConfig {
                jwt_secret,
                dev_auth,
            },
            admin_secret: self.admin_secret.filter(|secret| !secret.is_empty()),
            node_id: self.node_id.unwrap_or_else(default_node_id),
            connections,
            drain_timeout: ms(self.drain_timeout_ms.unwrap_or(10_000)),
            runs: leapfrog_core::runs::RunSettings {
                idle_timeout: ms(positive(
                    "run-idle-timeout-ms",
                    self.run_idle_timeout_ms.unwrap_or(600_000),
                )?),
                timing_tolerance: ms(self.timing_tolerance_ms.unwrap_or(150)),
                pending_queue_len: positive(
                    "pending-results",
                    self.pending_results.unwrap_or(10_000) as u64,
                )? as usize,
            },
            periods: leapfrog_core::leaderboards::PeriodRules {
                weekly_reset_weekday: match self.weekly_reset_weekday.unwrap_or(0) {
                    day @ 0..=6 => day,
                    _ => {
                        return Err(ConfigError::Invalid {
                            option: "weekly-reset-weekday",
                            reason: "must be 0 (Monday) to 6 (Sunday)".into(),
                        });
                    }
                },
                reset_hour: match self.reset_hour.unwrap_or(0) {
                    hour @ 0..=23 => hour,
                    _ => {
                        return Err(ConfigError::Invalid {
                            option: "reset-hour",
                            reason: "must be 0 to 23".into(),
                        });
                    }
                },
                zone: leapfrog_core::leaderboards::ResetZone::fixed_minutes(
                    self.utc_offset_minutes.unwrap_or(0),
                )
                .map_err(|error| ConfigError::Invalid {
                    option: "utc-offset-minutes",
                    reason: error.to_string(),
                })?,
            },
            board_retention: Duration::from_secs(
                self.board_retention_days.unwrap_or(28) * 24 * 3600,
            ),
            inbox: leapfrog_core::notifications::InboxConfig {
                max_len: positive("inbox-max-len", self.inbox_max_len.unwrap_or(500) as u64)?
                    as usize,
                ttl: Duration::from_secs(
                    positive("inbox-ttl-days", self.inbox_ttl_days.unwrap_or(30))? * 24 * 3600,
                ),
                coalesce_window: ms(self.coalesce_window_ms.unwrap_or(10_000)),
            },
            log_format: self.log_format.unwrap_or_default(),
        })
    }
}

fn default_node_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "node".into());
    format!("{host}-{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Options {
        Options::try_parse_from(std::iter::once("leapfrog-server").chain(args.iter().copied()))
            .expect("valid flags")
    }

    #[test]
    fn defaults_apply_and_a_secret_is_required_without_dev_auth() {
        let error = parse(&[]).resolve().unwrap_err();
        assert!(error.to_string().contains("--jwt-secret"));
        let config = parse(&["--dev-auth"])
            .resolve()
            .expect("dev auth needs no secret");
        assert_eq!(config.listen, "127.0.0.1:7300".parse().unwrap());
        assert_eq!(config.connections.max_per_player, 1);
        assert!(matches!(
            config.redis,
            RedisSource::Supervised { port: 0, .. }
        ));
        assert!(parse(&["--jwt-secret", "short"]).resolve().is_err());
    }

    #[test]
    fn the_file_fills_what_flags_leave_unset() {
        let dir = std::env::temp_dir().join(format!("leapfrog-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("leapfrog.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\nrate-burst = 7\ndev-auth = true\n",
        )
        .unwrap();
        let path_arg = path.to_str().unwrap();
        let options = parse(&["--config", path_arg, "--rate-burst", "9"])
            .with_file()
            .unwrap();
        let config = options.resolve().unwrap();
        assert_eq!(config.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(config.connections.rate_burst, 9, "flags win over the file");
        std::fs::write(&path, "no-such-option = 1\n").unwrap();
        assert!(parse(&["--config", path_arg]).with_file().is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
