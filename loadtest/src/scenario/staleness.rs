//! `staleness`: how old the global top 100 a reader gets can be. Each node caches each period's top 100
//! for up to a second (`leaderboards::TOP_CACHE_TTL`), so a new best shows on the global top some time
//! after it is written; this scenario measures that time.
//!
//! `--writers` players each play a run that beats their previous best, then pause 1.5 to 2.5 s (longer
//! than the cache lives, so every score stays on the board long enough for every reader to see it, and
//! the writes fall at random points of the cache's life). The other players read the weekly global top
//! `--global-limit` in a loop (`--think-ms` apart). A reader's first sight of each writer's new score is
//! timed from the moment the writer was told its run was over (kind `top_staleness`). The board is
//! written before that answer (the node records a run before it answers its end), so the figure is the
//! age of the truth a reader is shown, short by at most the final jump's round trip (kind
//! `jump_final`); a sight that comes before the answer counts as zero.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use protocol::PlayerId;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use super::{Presser, Shared, hello, play_run, read_global};
use crate::client::{CallError, Connection};
use crate::stats::Stats;

/// The kind under which each sight's delay is kept.
pub const STALENESS: &str = "top_staleness";

/// The shortest and longest pause of a writer between runs, in ms.
const WRITER_PAUSE_MS: (u64, u64) = (1_500, 2_500);

/// What writers and readers share: who the writers are, and each new score's end and early sights.
pub struct Watch {
    writers: HashMap<PlayerId, u32>,
    scores: Mutex<HashMap<(u32, u32), Score>>,
}

#[derive(Default)]
struct Score {
    ended: Option<Instant>,
    seen_before_end: u32,
}

impl Watch {
    /// A watch on the writers `writers` (writer `i` is `writers[i]`).
    pub fn new(writers: &[PlayerId]) -> Watch {
        Watch {
            writers: writers
                .iter()
                .enumerate()
                .map(|(index, id)| (id.clone(), index as u32))
                .collect(),
            scores: Mutex::new(HashMap::new()),
        }
    }

    /// Writer `writer` was told at `at` that its run scoring `score` was over.
    fn ended(&self, writer: u32, score: u32, at: Instant, stats: &Stats) {
        let Ok(mut scores) = self.scores.lock() else {
            return;
        };
        let entry = scores.entry((writer, score)).or_default();
        entry.ended = Some(at);
        for _ in 0..std::mem::take(&mut entry.seen_before_end) {
            stats.ok(STALENESS, Duration::ZERO);
        }
    }

    /// A reader saw `score` for `writer` for the first time at `at`.
    fn seen(&self, writer: u32, score: u32, at: Instant, stats: &Stats) {
        let Ok(mut scores) = self.scores.lock() else {
            return;
        };
        let entry = scores.entry((writer, score)).or_default();
        match entry.ended {
            Some(ended) => stats.ok(STALENESS, at.saturating_duration_since(ended)),
            None => entry.seen_before_end += 1,
        }
    }
}

/// Writer `writer`: a new best of one more centre hit each run, then a pause, until the deadline.
pub async fn writer(
    shared: Arc<Shared>,
    watch: Arc<Watch>,
    mut connection: Connection,
    writer: u32,
) -> Result<(), CallError> {
    let options = &shared.options;
    let mut rng = Pcg64::seed_from_u64(options.seed ^ (u64::from(writer) << 20));
    hello(&mut connection).await?;
    let mut hits = 0;
    while tokio::time::Instant::now() < shared.deadline {
        hits += 1;
        let mut presser = Presser::Scripted { hits };
        let ended = play_run(
            &mut connection,
            &mut presser,
            options.pace,
            shared.deadline,
            &shared.stats,
            &mut rng,
        )
        .await?;
        let Some(score) = ended else { break };
        watch.ended(writer, score, Instant::now(), &shared.stats);
        let pause = Duration::from_millis(rng.random_range(WRITER_PAUSE_MS.0..=WRITER_PAUSE_MS.1));
        let left = shared
            .deadline
            .saturating_duration_since(tokio::time::Instant::now());
        connection.idle(pause.min(left)).await?;
    }
    connection.close().await;
    Ok(())
}

/// A reader: the global top in a loop, each writer's new score timed when first seen.
pub async fn reader(
    shared: Arc<Shared>,
    watch: Arc<Watch>,
    mut connection: Connection,
) -> Result<(), CallError> {
    let options = &shared.options;
    hello(&mut connection).await?;
    let mut best_seen: HashMap<u32, u32> = HashMap::new();
    while tokio::time::Instant::now() < shared.deadline {
        let page = read_global(&mut connection, options.global_limit).await?;
        let now = Instant::now();
        for entry in page.iter().flat_map(|page| page.entries.iter()) {
            let Some(&writer) = watch.writers.get(&entry.player) else {
                continue;
            };
            let best = best_seen.entry(writer).or_insert(0);
            if entry.score > *best {
                *best = entry.score;
                watch.seen(writer, entry.score, now, &shared.stats);
            }
        }
        if options.think_ms > 0 {
            let left = shared
                .deadline
                .saturating_duration_since(tokio::time::Instant::now());
            connection
                .idle(Duration::from_millis(options.think_ms).min(left))
                .await?;
        }
    }
    connection.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(stats: &Stats) -> u64 {
        stats
            .kinds()
            .get(STALENESS)
            .map_or(0, |kind| kind.latency_us.len())
    }

    #[test]
    fn a_sight_is_timed_from_the_end_and_an_early_sight_counts_as_zero() {
        let writer = PlayerId::new("w0").expect("a valid id");
        let watch = Watch::new(std::slice::from_ref(&writer));
        assert_eq!(watch.writers.get(&writer), Some(&0));
        let stats = Stats::default();
        let start = Instant::now();
        watch.seen(0, 7, start, &stats);
        assert_eq!(count(&stats), 0, "timed only once the end is known");
        watch.ended(0, 7, start + Duration::from_millis(5), &stats);
        assert_eq!(count(&stats), 1);
        watch.seen(0, 7, start + Duration::from_millis(400), &stats);
        assert_eq!(count(&stats), 2);
        let kinds = stats.kinds();
        let latency = &kinds[STALENESS].latency_us;
        assert!(latency.min() <= 1);
        assert!(
            (394_000..=396_000).contains(&latency.max()),
            "{}",
            latency.max()
        );
    }
}
