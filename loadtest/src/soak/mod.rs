//! `soak`: steady load for a long time (an hour by default) on nodes the tool starts, watching for what
//! only time shows: memory or descriptors a node never gives back. Players play at human pace, read
//! boards, acknowledge notifications (friends pass each other on a power-law graph) and reconnect every
//! `--reconnect-every` actions; every `--sample-secs` the tool samples each node's RSS and open
//! descriptors (`/proc/<pid>`) and Redis's `used_memory` and key count. After the warm-up, a
//! least-squares line through each node series says whether it is flat (`trend`); Redis is expected to
//! grow with the runs it keeps, so its growth is reported per run instead of judged.

mod report;
pub mod trend;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use game_logic::{Bot, Ruleset, Skill};
use protocol::Scope;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use tokio::time::Instant;

pub use report::{NodeSample, Sample, SoakReport, SoakSettings, Verdict};

use crate::admin;
use crate::chaos::MACHINE_SPEED;
use crate::cli::{Mix, Pace, RunOptions};
use crate::cluster::{Cluster, ClusterSettings};
use crate::graph::Graph;
use crate::report::Report;
use crate::resilient::Player;
use crate::scenario::Presser;
use crate::stats::Stats;
use crate::system;

/// Runs the soak described by `options`.
pub async fn run(options: RunOptions) -> anyhow::Result<SoakReport> {
    let _ = leapfrog_server::fd_limit::raise_fd_limit();
    let mix: Mix = options.mix.parse().map_err(anyhow::Error::msg)?;
    let secret = |kind: &str| format!("soak-{kind}-{:032x}", rand::random::<u128>());
    let (jwt_secret, admin_secret) = (secret("jwt"), secret("admin"));
    let mut node_args: Vec<String> = ["--jwt-secret", &jwt_secret, "--admin-secret", &admin_secret]
        .map(str::to_owned)
        .to_vec();
    if options.pace == Pace::Fast {
        node_args.extend(MACHINE_SPEED.map(str::to_owned));
    }
    let timeout = Duration::from_millis(options.request_timeout_ms);
    let settings = ClusterSettings::from_options(&options.cluster, node_args, timeout)?;
    let cluster = Arc::new(Cluster::start(settings).await?);
    eprintln!("soak: work directory {}", cluster.work_dir().display());

    let population = options.population();
    let ids: Vec<_> = (0..population)
        .map(|index| admin::player_id(&options.prefix, index))
        .collect::<anyhow::Result<_>>()?;
    let graph = Graph::generate(
        options.degrees,
        options.players,
        population,
        options.friends_mean,
        options.friends_max,
        options.seed,
    );
    admin::import_graph(cluster.admin_addr(0).await, &admin_secret, &ids, &graph)
        .await
        .context("importing the social graph")?;

    let stats = Arc::new(Stats::default());
    let reconnects = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + options.ramp() + options.duration();
    let sampler = tokio::spawn(sample(
        cluster.clone(),
        stats.clone(),
        started,
        deadline,
        Duration::from_secs(options.soak.sample_secs.max(1)),
    ));
    let give_up = Duration::from_secs(options.cluster.give_up_secs);
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..options.players {
        let at = started
            + options
                .ramp()
                .mul_f64(f64::from(index) / f64::from(options.players.max(1)));
        let player = Player::new(
            admin::token(&jwt_secret, &ids[index as usize])?,
            cluster.directory(),
            index as usize,
            stats.clone(),
            give_up,
        );
        let (options, reconnects) = (options.clone(), reconnects.clone());
        tasks.spawn(async move {
            tokio::time::sleep_until(at).await;
            play(player, index, mix, &options, deadline, &reconnects).await;
        });
    }
    let samples = sampler.await.context("the sampler failed")??;
    // Players stop at the deadline; one in the middle of a request gets the give-up time to finish.
    let _ = tokio::time::timeout(give_up, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    tasks.abort_all();
    let elapsed = started.elapsed();
    let load = Report::build(&options, &stats, elapsed, options.ramp(), None, None, None);
    Ok(SoakReport::build(
        SoakSettings::of(&options, cluster.node_count()),
        samples,
        reconnects.load(Ordering::Relaxed),
        load,
    ))
}

/// One player until `deadline`: actions in the `mix` proportions, a pause of `--think-ms` after each
/// (reading pushes), a new connection every `--reconnect-every` actions.
async fn play(
    mut player: Player,
    index: u32,
    mix: Mix,
    options: &RunOptions,
    deadline: Instant,
    reconnects: &AtomicU64,
) {
    let mut rng = Pcg64::seed_from_u64(options.seed ^ (u64::from(index) << 20));
    let skill = Skill::new(options.skill).unwrap_or(Skill::CASUAL);
    let mut presser = Presser::Bot(Bot::new(skill, Ruleset::V1, rng.random()));
    let total = mix.run + mix.friends + mix.global + mix.ack;
    let think = Duration::from_millis(options.think_ms);
    let mut actions: u32 = 0;
    let _ = player.connect().await;
    while Instant::now() < deadline {
        let pick = rng.random_range(0..total);
        // A failed action is counted in the stats by its message type; the player goes on.
        if pick < mix.run {
            player
                .play_run(&mut presser, options.pace, Some(deadline))
                .await;
        } else if pick < mix.run + mix.friends {
            let _ = player.read_board(Scope::Friends).await;
        } else if pick < mix.run + mix.friends + mix.global {
            let _ = player.read_board(Scope::Global).await;
        } else {
            let _ = player.catch_up(true).await;
        }
        actions += 1;
        if options.soak.reconnect_every > 0 && actions.is_multiple_of(options.soak.reconnect_every)
        {
            player.disconnect().await;
            reconnects.fetch_add(1, Ordering::Relaxed);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        player.idle(think.min(left)).await;
    }
    player.disconnect().await;
}

/// Samples every `every` from `started` to `deadline` (and once at the deadline).
async fn sample(
    cluster: Arc<Cluster>,
    stats: Arc<Stats>,
    started: Instant,
    deadline: Instant,
    every: Duration,
) -> anyhow::Result<Vec<Sample>> {
    let mut redis = redis::Client::open(cluster.redis_url())?
        .get_multiplexed_async_connection()
        .await
        .context("connecting to Redis to sample its memory")?;
    let mut samples = Vec::new();
    let mut at = started;
    loop {
        tokio::time::sleep_until(at.min(deadline)).await;
        let mut nodes = Vec::new();
        for index in 0..cluster.node_count() {
            let pid = cluster.node_pid(index).await;
            nodes.push(NodeSample {
                rss_bytes: pid.and_then(system::rss_bytes),
                fds: pid.and_then(system::open_fds),
            });
        }
        let (used_memory, keys) = system::redis_memory(&mut redis).await?;
        let sample = Sample {
            t_s: started.elapsed().as_secs_f64(),
            nodes,
            redis_used_memory: used_memory,
            redis_keys: keys,
            runs: stats.runs.load(Ordering::Relaxed),
            connections: stats.connections.load(Ordering::Relaxed),
        };
        eprintln!("{}", sample.line());
        samples.push(sample);
        if at >= deadline {
            return Ok(samples);
        }
        at += every;
    }
}
