//! `chaos`: fault injection with an audit. The tool starts a redis-server with an append-only file and
//! `--nodes` nodes on it (`cluster`), imports pairs of friends, and lets the pairs pass each other
//! (`pairs`) while nodes are SIGKILLed and Redis restarted on a schedule (`faults`). Players behave as a
//! real SDK does (`crate::resilient`): they reconnect to another node, resume and resend. When the load
//! ends, everything is started again, the sweepers are given time to settle, and `audit` compares what
//! the players were told with what Redis holds. `report` prints it; any loss or duplicate fails the run.

mod audit;
mod faults;
mod pairs;
mod report;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use leapfrog_core::leaderboards::PeriodRules;
use leapfrog_core::store::Sharding;
use tokio::time::Instant;

pub use audit::{Audit, NotificationsAudit, RunsAudit};
pub use faults::{FaultEvent, FaultLog};
pub use report::{ChaosReport, ChaosSettings, ClientTotals};

use crate::admin;
use crate::cli::{Pace, RunOptions};
use crate::cluster::{Cluster, ClusterSettings};
use crate::graph::Graph;
use crate::report::Report;
use crate::resilient::Player;
use crate::scenario::passes::Pacer;
use crate::stats::Stats;

/// Node options that let players press at machine speed (the timing check, the rate limit and the
/// hourly cap on runs lifted), as the server's own tests do.
pub const MACHINE_SPEED: [&str; 8] = [
    "--timing-tolerance-ms",
    "100000000",
    "--rate-per-second",
    "1000000",
    "--rate-burst",
    "1000000",
    "--max-runs-per-hour",
    "10000000",
];

/// Shards of every board: given to the nodes, so the audit finds each player's entries.
const BOARD_SHARDS: u16 = 16;

/// Runs the chaos scenario described by `options` and audits it.
pub async fn run(options: RunOptions) -> anyhow::Result<ChaosReport> {
    let _ = leapfrog_server::fd_limit::raise_fd_limit();
    if options.players < 2 || !options.players.is_multiple_of(2) {
        bail!("chaos plays in pairs: --players must be even and at least 2");
    }
    let chaos = &options.chaos;
    let secret = |kind: &str| format!("chaos-{kind}-{:032x}", rand::random::<u128>());
    let jwt_secret = match options.jwt_secret.as_str() {
        "" => secret("jwt"),
        given => given.to_owned(),
    };
    let admin_secret = match options.admin_secret.as_str() {
        "" => secret("admin"),
        given => given.to_owned(),
    };
    let mut node_args: Vec<String> = [
        "--dev-auth",
        "--jwt-secret",
        &jwt_secret,
        "--admin-secret",
        &admin_secret,
        "--coalesce-window-ms",
        "0",
        "--sweep-interval-ms",
        &chaos.sweep_interval_ms.to_string(),
        "--settle-grace-ms",
        &chaos.settle_grace_ms.to_string(),
        "--run-idle-timeout-ms",
        &chaos.run_idle_timeout_ms.to_string(),
        "--drain-timeout-ms",
        "1000",
        // The audit replays every answered run's stored log once the load is over: keep settled runs
        // longer than a chaos run lasts (an hour at most).
        "--settled-run-retention-ms",
        "7200000",
        "--board-shards",
        &BOARD_SHARDS.to_string(),
    ]
    .map(str::to_owned)
    .to_vec();
    if options.pace == Pace::Fast {
        node_args.extend(MACHINE_SPEED.map(str::to_owned));
    }
    let timeout = Duration::from_millis(options.request_timeout_ms);
    let settings = ClusterSettings::from_options(&options.cluster, node_args, timeout)?;
    eprintln!(
        "chaos: starting redis-server (appendfsync {}) and {} nodes ({})",
        options.cluster.appendfsync.as_redis(),
        settings.nodes,
        settings.server_bin.display()
    );
    let cluster = Arc::new(Cluster::start(settings).await?);
    eprintln!("chaos: work directory {}", cluster.work_dir().display());

    let ids: Vec<_> = (0..options.players)
        .map(|index| admin::player_id(&options.prefix, index))
        .collect::<anyhow::Result<_>>()?;
    let graph = Graph::pairs(options.players);
    admin::import_graph(cluster.admin_addr(0).await, &admin_secret, &ids, &graph)
        .await
        .context("importing the pairs of friends")?;

    let stats = Arc::new(Stats::default());
    let started = Instant::now();
    let deadline = started + options.ramp() + options.duration();
    let give_up = Duration::from_secs(options.cluster.give_up_secs);
    let pair_settings = Arc::new(pairs::PairSettings {
        deadline,
        pacer: Arc::new(Pacer::new(options.rate)),
        pace: options.pace,
    });
    let faults = tokio::spawn(faults::inject(
        cluster.clone(),
        chaos.clone(),
        started,
        deadline,
    ));
    let progress = tokio::spawn(progress(stats.clone(), started, options.progress_secs));
    let pair_count = options.players / 2;
    let mut tasks = tokio::task::JoinSet::new();
    for pair in 0..pair_count {
        let at = started
            + options
                .ramp()
                .mul_f64(f64::from(pair) / f64::from(pair_count));
        let player = |index: u32| -> anyhow::Result<(u32, Player)> {
            let token = admin::token(&jwt_secret, &ids[index as usize])?;
            let player = Player::new(
                token,
                cluster.directory(),
                index as usize,
                stats.clone(),
                give_up,
            );
            Ok((index, player))
        };
        let (watcher, passer) = (player(2 * pair)?, player(2 * pair + 1)?);
        let settings = pair_settings.clone();
        tasks.spawn(async move {
            tokio::time::sleep_until(at).await;
            pairs::play(settings, watcher, passer).await
        });
    }
    // A pair ends by the deadline plus its last run; a player retries one request for at most the
    // give-up time, so a pair still going long after that is stuck.
    let stuck_after = deadline + give_up * 4;
    let mut outcomes = Vec::new();
    while let Some(outcome) = tokio::time::timeout_at(stuck_after, tasks.join_next())
        .await
        .with_context(|| {
            format!(
                "the players were still playing {} s after the deadline; the logs are in {} (kept with --keep-work-dir)",
                (give_up * 4).as_secs(),
                cluster.work_dir().display()
            )
        })?
    {
        outcomes.push(outcome.context("a pair's task failed")?);
    }
    progress.abort();
    let elapsed = started.elapsed();
    let fault_log = faults.await.context("the fault injector failed")??;
    cluster.start_all().await?;

    eprintln!(
        "chaos: load over after {:.1} s; waiting up to {} s for the sweepers to settle every run",
        elapsed.as_secs_f64(),
        chaos.settle_secs
    );
    let redis_url = cluster.redis_url();
    let (unsettled, waited) =
        audit::settle(&redis_url, Duration::from_secs(chaos.settle_secs)).await?;
    let runs: Vec<pairs::RunRecord> = outcomes
        .iter()
        .flat_map(|outcome| outcome.runs.iter().cloned())
        .collect();
    let seen: HashMap<u32, _> = outcomes
        .iter()
        .flat_map(|outcome| &outcome.players)
        .map(|(index, player)| (*index, player.notifications().clone()))
        .collect();
    let played = audit::Played {
        prefix: &options.prefix,
        players: options.players,
        runs: &runs,
        seen: &seen,
    };
    let sharding = Sharding::new(BOARD_SHARDS);
    let mut audit = audit::audit(&redis_url, &PeriodRules::default(), &sharding, &played).await?;
    audit.unsettled_runs = unsettled;
    audit.settle_wait_s = waited.as_secs_f64();

    let clients = ClientTotals::sum(
        outcomes
            .iter()
            .flat_map(|outcome| &outcome.players)
            .map(|(_, player)| player),
        outcomes
            .iter()
            .filter(|outcome| outcome.stopped_early)
            .count(),
    );
    let load = Report::build(&options, &stats, elapsed, options.ramp(), None, None, None);
    Ok(ChaosReport {
        settings: ChaosSettings::of(&options, cluster.node_count()),
        faults: fault_log,
        audit,
        clients,
        work_dir: options
            .cluster
            .keep_work_dir
            .then(|| cluster.work_dir().display().to_string()),
        load,
    })
}

/// A progress line every `every` seconds on stderr.
async fn progress(stats: Arc<Stats>, started: Instant, every: u64) {
    if every == 0 {
        return;
    }
    loop {
        tokio::time::sleep(Duration::from_secs(every)).await;
        let (ok, failed) = stats.requests();
        eprintln!(
            "t={:>6.1}s runs={} jumps={} requests={} failed={} notifications={}",
            started.elapsed().as_secs_f64(),
            stats.runs.load(std::sync::atomic::Ordering::Relaxed),
            stats.jumps.load(std::sync::atomic::Ordering::Relaxed),
            ok,
            failed,
            stats
                .notifications
                .load(std::sync::atomic::Ordering::Relaxed),
        );
    }
}
