//! One load run from start to end: raise the file limit, import the social graph, warm up, ramp the
//! players up, print progress, stop at the deadline and build the report.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::StreamExt;
use futures_util::stream;
use protocol::PlayerId;

use crate::admin;
use crate::cli::{Mix, RunOptions, Scenario, Target};
use crate::client::{Connection, Endpoint, source_addr};
use crate::cpu::{CpuReport, Watched};
use crate::graph::Graph;
use crate::report::{Memory, Report};
use crate::scenario::{Shared, idle, jumps, passes, play, staleness, warmup};
use crate::stats::Stats;
use crate::{redis_nodes, system};

/// Runs the load described by `options` and reports what it measured.
pub async fn run(options: RunOptions) -> anyhow::Result<Report> {
    let fd_limit = leapfrog_server::fd_limit::raise_fd_limit().unwrap_or(0);
    let mix: Mix = options.mix.parse().map_err(anyhow::Error::msg)?;
    if matches!(options.scenario, Scenario::Chaos | Scenario::Soak) {
        bail!(
            "chaos and soak start their own processes: they run through chaos::run and soak::run"
        );
    }
    let echo = options.target == Target::Echo;
    if options.scenario == Scenario::Staleness && (echo || options.players <= options.writers) {
        bail!("the staleness scenario needs a Leapfrog node and more --players than --writers");
    }
    if echo && matches!(options.scenario, Scenario::Passes | Scenario::Jumps) {
        bail!(
            "the passes and jumps scenarios need a Leapfrog node (notifications and runs do not echo)"
        );
    }
    if !echo && options.jwt_secret.is_empty() {
        bail!("--jwt-secret (or LEAPFROG_JWT_SECRET) is needed to sign the players' tokens");
    }
    let needed = u64::from(options.players) + 64;
    if fd_limit > 0 && needed > fd_limit {
        eprintln!(
            "warning: {} players need about {needed} open files; the limit is {fd_limit}",
            options.players
        );
    }
    let timeout = Duration::from_millis(options.request_timeout_ms);
    let first = Arc::new(Endpoint::new(&options.url, echo, timeout)?);
    let second = match &options.second_url {
        Some(url) => Arc::new(Endpoint::new(url, echo, timeout)?),
        None => first.clone(),
    };
    let population = options.population();
    let ids: Vec<PlayerId> = (0..population)
        .map(|index| admin::player_id(&options.prefix, index))
        .collect::<anyhow::Result<_>>()?;
    let tokens: Arc<Vec<String>> = Arc::new(
        ids.iter()
            .map(|id| admin::token(&options.jwt_secret, id))
            .collect::<anyhow::Result<_>>()?,
    );

    if !echo
        && !options.no_import
        && !matches!(
            options.scenario,
            Scenario::Idle | Scenario::Staleness | Scenario::Jumps
        )
    {
        let graph = if options.scenario == Scenario::Passes {
            Graph::pairs(options.players)
        } else {
            Graph::generate(
                options.degrees,
                options.players,
                population,
                options.friends_mean,
                options.friends_max,
                options.seed,
            )
        };
        eprintln!(
            "importing the social graph: {} players, {:.1} friends listed each on average",
            graph.lists.len(),
            graph.mean_degree()
        );
        let started = Instant::now();
        admin::import_graph(options.admin, &options.admin_secret, &ids, &graph).await?;
        eprintln!("imported in {:.1} s", started.elapsed().as_secs_f64());
    }
    if !echo && options.warmup && population > options.players {
        let started = Instant::now();
        let offline = population - options.players;
        let scratch = Arc::new(Stats::default());
        stream::iter(options.players..population)
            .for_each_concurrent(64, |index| {
                let (endpoint, tokens, scratch) = (first.clone(), tokens.clone(), scratch.clone());
                async move {
                    let token = &tokens[index as usize];
                    if let Ok(connection) =
                        Connection::open(endpoint, token, None, scratch.clone()).await
                    {
                        let _ = warmup::one_run(connection, index, &scratch).await;
                    }
                }
            })
            .await;
        eprintln!(
            "warm-up: {offline} offline players played {} runs in {:.1} s",
            scratch.runs.load(Ordering::Relaxed),
            started.elapsed().as_secs_f64()
        );
    }

    let rss_before = options.server_pid.and_then(system::rss_bytes);
    let redis_before = match &options.redis_url {
        Some(url) => {
            let masters = redis_nodes::masters(&redis_nodes::target(url, options.redis_cluster))
                .await
                .context("finding the Redis masters to read")?;
            let counters = redis_nodes::read(&masters)
                .await
                .context("reading Redis INFO")?;
            Some((masters, counters))
        }
        None => None,
    };
    let stats = Arc::new(Stats::default());
    let started = tokio::time::Instant::now();
    let deadline = started + options.ramp() + options.duration();
    let shared = Arc::new(Shared {
        options: options.clone(),
        stats: stats.clone(),
        deadline,
    });
    let progress = tokio::spawn(progress(shared.clone(), started));
    // Set once every player is done: a fixed workload (`--scenario jumps`) ends before the deadline,
    // and the probes then take their last readings at once instead of waiting for it.
    let (finished, done) = tokio::sync::watch::channel(false);
    let memory_probe = tokio::spawn(memory_probe(shared.clone(), rss_before, done.clone()));
    let cpu_probe = tokio::spawn(cpu_probe(shared.clone(), started, done));

    let pacer = Arc::new(passes::Pacer::new(options.rate));
    let writers = options.writers.min(options.players) as usize;
    let watch = Arc::new(staleness::Watch::new(&ids[..writers]));
    let gate = Arc::new(tokio::sync::Semaphore::new(
        options.connect_concurrency.max(1),
    ));
    let units = match options.scenario {
        Scenario::Passes => options.players / 2,
        _ => options.players,
    };
    let mut tasks = tokio::task::JoinSet::new();
    for unit in 0..units {
        let at = started
            + options
                .ramp()
                .mul_f64(f64::from(unit) / f64::from(units.max(1)));
        let (shared, tokens, gate, pacer, watch) = (
            shared.clone(),
            tokens.clone(),
            gate.clone(),
            pacer.clone(),
            watch.clone(),
        );
        let (first, second) = (first.clone(), second.clone());
        let sources = options.source_addrs;
        let scenario = options.scenario;
        tasks.spawn(async move {
            tokio::time::sleep_until(at).await;
            let open = |index: u32, endpoint: Arc<Endpoint>| {
                let (gate, tokens, stats) = (gate.clone(), tokens.clone(), shared.stats.clone());
                async move {
                    let _permit = gate.acquire().await.ok();
                    let token = &tokens[index as usize];
                    Connection::open(
                        endpoint,
                        token,
                        source_addr(u64::from(index), sources),
                        stats,
                    )
                    .await
                }
            };
            let outcome = match scenario {
                Scenario::Play => {
                    let endpoint = if unit % 2 == 0 { first } else { second };
                    match open(unit, endpoint).await {
                        Ok(connection) => play::player(shared.clone(), connection, unit, mix).await,
                        Err(error) => Err(error),
                    }
                }
                Scenario::Idle => match open(unit, first).await {
                    Ok(connection) => idle::player(shared.clone(), connection).await,
                    Err(error) => Err(error),
                },
                Scenario::Staleness => match open(unit, first).await {
                    Ok(connection) if (unit as usize) < writers => {
                        staleness::writer(shared.clone(), watch, connection, unit).await
                    }
                    Ok(connection) => staleness::reader(shared.clone(), watch, connection).await,
                    Err(error) => Err(error),
                },
                Scenario::Jumps => match open(unit, first).await {
                    Ok(connection) => jumps::player(shared.clone(), connection).await,
                    Err(error) => Err(error),
                },
                // Refused at the top of `run`.
                Scenario::Chaos | Scenario::Soak => Ok(()),
                Scenario::Passes => {
                    let watcher = open(2 * unit, first).await;
                    let passer = open(2 * unit + 1, second).await;
                    match (watcher, passer) {
                        (Ok(watcher), Ok(passer)) => {
                            passes::pair(shared.clone(), pacer, watcher, passer, unit).await
                        }
                        (Err(error), _) | (_, Err(error)) => Err(error),
                    }
                }
            };
            if let Err(error) = outcome {
                shared.stats.error("session", &error.label());
            }
        });
    }
    // Every task ends by the deadline (requests time out); the grace covers closing handshakes.
    let grace = deadline + Duration::from_secs(15);
    while let Ok(Some(_)) = tokio::time::timeout_at(grace, tasks.join_next()).await {}
    tasks.abort_all();
    let _ = finished.send(true);
    progress.abort();
    let memory = memory_probe.await.ok().flatten();
    let cpu = cpu_probe.await.ok();
    let elapsed = started.elapsed();

    let redis = match redis_before {
        Some((masters, before)) => {
            let after = redis_nodes::read(&masters)
                .await
                .context("reading Redis INFO after the load")?;
            Some(redis_nodes::load_between(&masters, &before, &after))
        }
        None => None,
    };
    Ok(Report::build(
        &options,
        &stats,
        elapsed,
        options.ramp(),
        memory,
        redis,
        cpu,
    ))
}

/// Prints a progress line every `--progress-secs` to stderr.
async fn progress(shared: Arc<Shared>, started: tokio::time::Instant) {
    let every = shared.options.progress_secs;
    if every == 0 {
        return;
    }
    let stats = &shared.stats;
    let mut last = (0u64, 0u64, 0u64, started);
    loop {
        tokio::time::sleep(Duration::from_secs(every)).await;
        let now = tokio::time::Instant::now();
        let (ok, failed) = stats.requests();
        let jumps = stats.jumps.load(Ordering::Relaxed);
        let runs = stats.runs.load(Ordering::Relaxed);
        let seconds = now.duration_since(last.3).as_secs_f64().max(1e-9);
        eprintln!(
            "t={:>5.1}s conns={:>6} req/s={:>8.0} jumps/s={:>8.0} runs/s={:>7.1} errors={} notifications={}",
            now.duration_since(started).as_secs_f64(),
            stats.connections.load(Ordering::Relaxed),
            (ok + failed - last.0) as f64 / seconds,
            (jumps - last.1) as f64 / seconds,
            (runs - last.2) as f64 / seconds,
            failed,
            stats.notifications.load(Ordering::Relaxed),
        );
        last = (ok + failed, jumps, runs, now);
    }
}

/// Reads the watched processes' CPU time at the start, at the end of the ramp and at the deadline (or
/// as soon as every player is done).
async fn cpu_probe(
    shared: Arc<Shared>,
    started: tokio::time::Instant,
    mut done: tokio::sync::watch::Receiver<bool>,
) -> CpuReport {
    let watched = Watched::new(&shared.options.cpu_pids);
    let start = watched.read(&shared.stats);
    until(started + shared.options.ramp(), &mut done).await;
    let ramped = watched.read(&shared.stats);
    until(shared.deadline, &mut done).await;
    let end = watched.read(&shared.stats);
    watched.report(&start, &ramped, &end)
}

/// Waits until `at`, or until every player is done; true if they are.
async fn until(at: tokio::time::Instant, done: &mut tokio::sync::watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep_until(at) => false,
        finished = done.wait_for(|finished| *finished) => finished.is_ok(),
    }
}

/// Samples the server's RSS just before the deadline, while every connection is held (nothing if the
/// players were done before: their connections are gone).
async fn memory_probe(
    shared: Arc<Shared>,
    before: Option<u64>,
    mut done: tokio::sync::watch::Receiver<bool>,
) -> Option<Memory> {
    let pid = shared.options.server_pid?;
    let before = before?;
    let at = shared.deadline - Duration::from_millis(500).min(shared.options.duration() / 2);
    if until(at, &mut done).await {
        return None;
    }
    let loaded = system::rss_bytes(pid)?;
    let connections = shared.stats.connections.load(Ordering::Relaxed).max(0) as u64;
    Some(Memory {
        rss_before_bytes: before,
        rss_loaded_bytes: loaded,
        connections,
        bytes_per_connection: loaded.saturating_sub(before) / connections.max(1),
    })
}
