//! Command-line options. Every run is bounded: a duration (at most an hour) and a player count.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The longest run the tool agrees to, so a forgotten run stops by itself.
pub const MAX_DURATION_SECS: u64 = 3_600;

/// `leapfrog-loadtest`: simulated players against a Leapfrog node, or the echo baseline.
#[derive(Debug, Parser)]
#[command(
    name = "leapfrog-loadtest",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A helper server instead of a load run.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The load run (when no subcommand is given).
    #[command(flatten)]
    pub run: RunOptions,
}

/// Helper servers.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// A bare tokio-tungstenite echo server: the ceiling every throughput figure is compared with.
    EchoServer {
        /// Address to listen on (loopback by default).
        #[arg(long, default_value = "127.0.0.1:7400")]
        listen: SocketAddr,
        /// Echo each frame only after a group commit shared by all connections (`echo::Commit`): the
        /// floor of a node that answers after a batched durable write.
        #[arg(long)]
        group_commit: bool,
        /// With `--group-commit`, each commit round sends one `PING` to the Redis at this address.
        #[arg(long, requires = "group_commit")]
        commit_redis: Option<SocketAddr>,
    },
}

/// What the simulated players do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// Play whole runs, read boards and acknowledge notifications, in the `--mix` proportions.
    Play,
    /// Connect, say hello and hold the connection: memory per idle connection.
    Idle,
    /// Pairs of friends pass each other in turn at `--rate` passes per second: "friend passed you"
    /// delivery latency.
    Passes,
    /// Fault injection with an audit: the tool starts Redis (AOF) and `--nodes` nodes itself, pairs of
    /// friends pass each other while nodes are SIGKILLed and Redis restarted on a schedule, then every
    /// answered run is checked on the boards and every pass in the inboxes (exit code 3 on a loss or a
    /// duplicate).
    Chaos,
    /// An hour of steady human-paced load (runs, board reads, passes, reconnects) on nodes the tool
    /// starts, with the nodes' memory and descriptors and Redis memory sampled each `--sample-secs`, and a
    /// verdict on whether the nodes stay flat (exit code 3 if not).
    Soak,
    /// How stale the global top 100 a reader gets is: `--writers` players each set a new top score
    /// every couple of seconds while the others read the weekly global top 100 in a loop; each reader's
    /// first sight of each new score is timed from its run's end (kind `top_staleness`).
    Staleness,
    /// A fixed scripted workload: each player sends exactly `--jumps` centre hits in one run, then closes
    /// (instructions per jump under callgrind: `loadtest/callgrind.sh`).
    Jumps,
}

/// Which server the traffic goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// A Leapfrog node.
    Server,
    /// `leapfrog-loadtest echo-server`: the same frames, echoed back.
    Echo,
}

/// How fast players press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Pace {
    /// Like a person: each jump waits what the timing model says a jump takes.
    Human,
    /// As fast as the server answers (start the server with a large `--timing-tolerance-ms`).
    Fast,
}

/// How friend-list sizes are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Degrees {
    /// Power law (Pareto, exponent 2.5) with `--friends-mean`, capped at `--friends-max`.
    PowerLaw,
    /// Exactly `--friends-mean` friends each.
    Fixed,
}

/// The load run.
#[derive(Debug, Clone, Args)]
pub struct RunOptions {
    /// What the players do.
    #[arg(long, value_enum, default_value = "play")]
    pub scenario: Scenario,
    /// A Leapfrog node or the echo baseline.
    #[arg(long, value_enum, default_value = "server")]
    pub target: Target,
    /// WebSocket URL of the node (or of the echo server).
    #[arg(long, default_value = "ws://127.0.0.1:7300/ws")]
    pub url: String,
    /// A second node: in `passes`, the passers connect here (cross-node delivery); in `play`, every
    /// other player does.
    #[arg(long)]
    pub second_url: Option<String>,
    /// The node's admin address (friend import).
    #[arg(long, default_value = "127.0.0.1:7301")]
    pub admin: SocketAddr,
    /// The admin secret (friend import).
    #[arg(
        long,
        env = "LEAPFROG_ADMIN_SECRET",
        hide_env_values = true,
        default_value = ""
    )]
    pub admin_secret: String,
    /// The server's JWT secret: the tool signs one token per simulated player.
    #[arg(
        long,
        env = "LEAPFROG_JWT_SECRET",
        hide_env_values = true,
        default_value = ""
    )]
    pub jwt_secret: String,
    /// Redis of the node: reports the Redis commands each completed run cost and each master's share
    /// of the commands and its CPU (INFO commandstats, INFO cpu). With --redis-cluster, a
    /// comma-separated list of some of the cluster's nodes, as the node takes it.
    #[arg(long)]
    pub redis_url: Option<String>,
    /// The --redis-url nodes are a Redis Cluster: every master is read.
    #[arg(long, requires = "redis_url")]
    pub redis_cluster: bool,
    /// Connected players (chaos: 32, soak: 200).
    #[arg(long, default_value_t = 100, default_value_ifs = [("scenario", "chaos", "32"), ("scenario", "soak", "200")])]
    pub players: u32,
    /// Player ids in the social graph; ids past `--players` are offline friends.
    #[arg(long)]
    pub population: Option<u32>,
    /// Prefix of the players' ids, so separate runs on one Redis do not meet.
    #[arg(long, default_value = "lt")]
    pub prefix: String,
    /// Seconds over which connections open.
    #[arg(long, default_value_t = 5)]
    pub ramp_secs: u64,
    /// Seconds the load lasts after the ramp (at most an hour; chaos: 240, soak: 3600).
    #[arg(long, default_value_t = 30, default_value_ifs = [("scenario", "chaos", "240"), ("scenario", "soak", "3600")])]
    pub duration_secs: u64,
    /// Human or machine speed (chaos: fast).
    #[arg(long, value_enum, default_value = "human", default_value_ifs = [("scenario", "chaos", "fast")])]
    pub pace: Pace,
    /// Pause between a player's actions, in ms (on top of the run itself; soak: 3000).
    #[arg(long, default_value_t = 0, default_value_ifs = [("scenario", "soak", "3000")])]
    pub think_ms: u64,
    /// Action weights for `play`: runs, friend-board reads, global-board reads, notification acks.
    #[arg(long, default_value = "run=70,friends=20,global=5,ack=5")]
    pub mix: String,
    /// Entries of a global-board read (the top of the weekly board), 1 to 100 (staleness: 100).
    #[arg(long, default_value_t = 20, default_value_ifs = [("scenario", "staleness", "100")],
          value_parser = clap::value_parser!(u8).range(1..=100))]
    pub global_limit: u8,
    /// `staleness`: players who set new top scores; the other players read the top.
    #[arg(long, default_value_t = 4)]
    pub writers: u32,
    /// How friend-list sizes are drawn.
    #[arg(long, value_enum, default_value = "power-law")]
    pub degrees: Degrees,
    /// Mean friends per player.
    #[arg(long, default_value_t = 20)]
    pub friends_mean: u32,
    /// Most friends per player.
    #[arg(long, default_value_t = 5_000)]
    pub friends_max: u32,
    /// Seed of the social graph and of the bots.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Skip the friend import (the graph is already in Redis).
    #[arg(long)]
    pub no_import: bool,
    /// Offline population members play one run first, so friend boards are full.
    #[arg(long)]
    pub warmup: bool,
    /// `play`: instead of the bot, each run scores more than the player's last (one more centre hit),
    /// so every run is a new best.
    #[arg(long)]
    pub scripted_bests: bool,
    /// Bot skill, 0 (hopeless) to 1000 (perfect).
    #[arg(long, default_value_t = 600)]
    pub skill: u16,
    /// `jumps` scenario: centre hits each player sends before closing.
    #[arg(long, default_value_t = 100)]
    pub jumps: u32,
    /// `passes`: passes per second over all pairs; `chaos`: runs per second over all pairs (chaos: 8).
    #[arg(long, default_value_t = 100, default_value_ifs = [("scenario", "chaos", "8")])]
    pub rate: u32,
    /// Source addresses 127.0.0.1 .. 127.0.0.N, to go past one address's ephemeral ports.
    #[arg(long, default_value_t = 1)]
    pub source_addrs: u8,
    /// Simultaneous connection attempts.
    #[arg(long, default_value_t = 256)]
    pub connect_concurrency: usize,
    /// A request unanswered this long counts as a timeout error.
    #[arg(long, default_value_t = 10_000)]
    pub request_timeout_ms: u64,
    /// The node's process id: memory per connection from its RSS (same machine only).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// A process whose CPU time (utime+stime from `/proc`, same machine only) the report divides by the
    /// operations of the load: `NAME=PID`, e.g. `node=1234` (repeatable). The tool always measures itself.
    #[arg(long = "cpu-pid", value_parser = parse_cpu_pid)]
    pub cpu_pids: Vec<(String, u32)>,
    /// Print the final report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Seconds between progress lines (0: none).
    #[arg(long, default_value_t = 1)]
    pub progress_secs: u64,
    /// SLO: fail (exit 2) if a message type's p99 exceeds this, e.g. `jump=5` (repeatable).
    #[arg(long, value_parser = parse_slo)]
    pub max_p99_ms: Vec<(String, f64)>,
    /// SLO: fail (exit 2) if errors exceed this fraction of requests.
    #[arg(long)]
    pub max_error_rate: Option<f64>,
    /// `chaos` and `soak`: the processes the tool starts and owns.
    #[command(flatten)]
    pub cluster: ClusterOptions,
    /// `chaos`: the fault schedule and the audit.
    #[command(flatten)]
    pub chaos: ChaosOptions,
    /// `soak`: sampling and the verdict.
    #[command(flatten)]
    pub soak: SoakOptions,
}

/// How Redis makes its append-only file durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Fsync {
    /// fsync before answering: a write Redis acknowledged survives a crash of Redis or of the machine.
    Always,
    /// fsync once a second: a crash of the machine may lose the last second or two of acknowledged writes.
    Everysec,
}

impl Fsync {
    /// The value of redis-server's `appendfsync`.
    pub fn as_redis(self) -> &'static str {
        match self {
            Fsync::Always => "always",
            Fsync::Everysec => "everysec",
        }
    }
}

/// The processes `chaos` and `soak` start: a redis-server with an append-only file and the nodes, on free
/// loopback ports, with their data and logs in one work directory; all killed when the tool exits.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Processes (chaos, soak)")]
pub struct ClusterOptions {
    /// The node binary (default: `leapfrog-server` beside this executable, or one directory up).
    #[arg(long)]
    pub server_bin: Option<PathBuf>,
    /// The redis-server binary (searched in `PATH` unless a path).
    #[arg(long, default_value = "redis-server")]
    pub redis_server_bin: PathBuf,
    /// Nodes to start on the one Redis (chaos: 2, soak: 1).
    #[arg(long, default_value_t = 2, default_value_ifs = [("scenario", "soak", "1")])]
    pub nodes: u8,
    /// Redis `appendfsync`: `always` makes "acknowledged means durable" hold (see the README).
    #[arg(long, value_enum, default_value = "always")]
    pub appendfsync: Fsync,
    /// Where Redis's data and the processes' logs go (default: a fresh directory under the system's
    /// temporary directory, removed at the end unless `--keep-work-dir`).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Keep the work directory (data and logs) after the run, to investigate.
    #[arg(long)]
    pub keep_work_dir: bool,
    /// The nodes' log filter (`LEAPFROG_LOG`).
    #[arg(long, default_value = "info")]
    pub node_log: String,
    /// The longest a player keeps retrying one request (reconnecting, resending) before giving up.
    #[arg(long, default_value_t = 60)]
    pub give_up_secs: u64,
}

/// The fault schedule of `chaos`, and how long its audit waits for the sweepers.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Faults (chaos)")]
pub struct ChaosOptions {
    /// SIGKILL a node (each in turn) every this many seconds, and start it again (0: never).
    #[arg(long, default_value_t = 10)]
    pub node_kill_every_secs: u64,
    /// How long a killed node stays down before it starts again, in ms.
    #[arg(long, default_value_t = 1_000)]
    pub node_down_ms: u64,
    /// SIGKILL Redis every this many seconds and start it again on its append-only file (0: never).
    #[arg(long, default_value_t = 45)]
    pub redis_restart_every_secs: u64,
    /// How long a killed Redis stays down before it starts again, in ms.
    #[arg(long, default_value_t = 1_000)]
    pub redis_down_ms: u64,
    /// The nodes' `--sweep-interval-ms`.
    #[arg(long, default_value_t = 200)]
    pub sweep_interval_ms: u64,
    /// The nodes' `--settle-grace-ms`.
    #[arg(long, default_value_t = 1_000)]
    pub settle_grace_ms: u64,
    /// The nodes' `--run-idle-timeout-ms` (a run started whose answer was lost is ended after this).
    #[arg(long, default_value_t = 15_000)]
    pub run_idle_timeout_ms: u64,
    /// After the load, the longest wait for the index of unsettled runs to empty before the audit.
    #[arg(long, default_value_t = 60)]
    pub settle_secs: u64,
}

/// Sampling and the verdict of `soak`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Soak")]
pub struct SoakOptions {
    /// Seconds between samples.
    #[arg(long, default_value_t = 60)]
    pub sample_secs: u64,
    /// Seconds of warm-up left out of the verdict (default: a fifth of the duration, at most 600).
    #[arg(long)]
    pub warmup_secs: Option<u64>,
    /// A node series is flat if its fitted growth over the post-warm-up span is within this percentage
    /// of its mean (or within 2 MiB of memory, 4 descriptors).
    #[arg(long, default_value_t = 5.0)]
    pub flat_tolerance_pct: f64,
    /// Each player closes its connection and opens a new one after this many actions (0: never).
    #[arg(long, default_value_t = 5)]
    pub reconnect_every: u32,
}

impl RunOptions {
    /// The bounded load duration.
    pub fn duration(&self) -> Duration {
        Duration::from_secs(self.duration_secs.min(MAX_DURATION_SECS))
    }

    /// The ramp-up.
    pub fn ramp(&self) -> Duration {
        Duration::from_secs(self.ramp_secs.min(MAX_DURATION_SECS))
    }

    /// Players in the social graph.
    pub fn population(&self) -> u32 {
        self.population.unwrap_or(self.players).max(self.players)
    }
}

fn parse_slo(text: &str) -> Result<(String, f64), String> {
    let (kind, ms) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KIND=MS, got {text:?}"))?;
    let ms: f64 = ms
        .parse()
        .map_err(|_| format!("not a number of ms: {ms:?}"))?;
    Ok((kind.to_owned(), ms))
}

fn parse_cpu_pid(text: &str) -> Result<(String, u32), String> {
    let (name, pid) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=PID, got {text:?}"))?;
    let pid: u32 = pid
        .parse()
        .map_err(|_| format!("not a process id: {pid:?}"))?;
    if name.is_empty() || name == "tool" {
        return Err(format!(
            "{name:?}: give the process a name other than tool (the tool measures itself)"
        ));
    }
    Ok((name.to_owned(), pid))
}

/// Weights of the `play` actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mix {
    /// Play a whole run.
    pub run: u32,
    /// Read the weekly friend board around the player.
    pub friends: u32,
    /// Read the top of the weekly global board.
    pub global: u32,
    /// List and acknowledge notifications.
    pub ack: u32,
}

impl std::str::FromStr for Mix {
    type Err = String;

    fn from_str(text: &str) -> Result<Mix, String> {
        let mut mix = Mix {
            run: 0,
            friends: 0,
            global: 0,
            ack: 0,
        };
        for part in text.split(',').filter(|part| !part.is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("expected NAME=WEIGHT, got {part:?}"))?;
            let weight: u32 = weight
                .parse()
                .map_err(|_| format!("not a weight: {weight:?}"))?;
            match name {
                "run" => mix.run = weight,
                "friends" => mix.friends = weight,
                "global" => mix.global = weight,
                "ack" => mix.ack = weight,
                other => {
                    return Err(format!(
                        "unknown action {other:?} (run, friends, global, ack)"
                    ));
                }
            }
        }
        if mix.run + mix.friends + mix.global + mix.ack == 0 {
            return Err("the mix has no weight".into());
        }
        Ok(mix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mix_parses_and_rejects_unknown_actions() {
        let mix: Mix = "run=1,ack=3".parse().unwrap();
        assert_eq!((mix.run, mix.friends, mix.global, mix.ack), (1, 0, 0, 3));
        assert!("dance=1".parse::<Mix>().is_err());
        assert!("run=0".parse::<Mix>().is_err());
    }

    #[test]
    fn slo_flags_parse() {
        assert_eq!(parse_slo("jump=5").unwrap(), ("jump".to_owned(), 5.0));
        assert!(parse_slo("jump").is_err());
        assert_eq!(parse_cpu_pid("redis=42").unwrap(), ("redis".to_owned(), 42));
        assert!(parse_cpu_pid("tool=42").is_err());
        assert!(parse_cpu_pid("node=x").is_err());
    }

    #[test]
    fn chaos_and_soak_have_their_own_defaults() {
        let chaos = Cli::parse_from(["leapfrog-loadtest", "--scenario", "chaos"]).run;
        assert_eq!(
            (chaos.players, chaos.duration_secs, chaos.pace, chaos.rate),
            (32, 240, Pace::Fast, 8)
        );
        assert_eq!(chaos.cluster.nodes, 2);
        let soak = Cli::parse_from(["leapfrog-loadtest", "--scenario", "soak"]).run;
        assert_eq!(
            (soak.players, soak.duration_secs, soak.pace, soak.think_ms),
            (200, 3600, Pace::Human, 3000)
        );
        assert_eq!(soak.cluster.nodes, 1);
        let staleness = Cli::parse_from(["leapfrog-loadtest", "--scenario", "staleness"]).run;
        assert_eq!((staleness.global_limit, staleness.writers), (100, 4));
        assert!(
            Cli::try_parse_from(["leapfrog-loadtest", "--global-limit", "101"]).is_err(),
            "a board page holds at most 100 entries"
        );
        assert!(
            Cli::try_parse_from(["leapfrog-loadtest", "--redis-cluster"]).is_err(),
            "--redis-cluster names no node without --redis-url"
        );
        let play = Cli::parse_from(["leapfrog-loadtest", "--players", "7"]).run;
        assert_eq!((play.players, play.duration_secs), (7, 30));
        let chosen =
            Cli::parse_from(["leapfrog-loadtest", "--scenario", "chaos", "--players", "8"]);
        assert_eq!(chosen.run.players, 8);
    }

    #[test]
    fn the_duration_is_bounded() {
        let cli = Cli::parse_from(["leapfrog-loadtest", "--duration-secs", "999999"]);
        assert_eq!(cli.run.duration(), Duration::from_secs(MAX_DURATION_SECS));
    }
}
