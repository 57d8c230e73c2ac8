//! Recording a finished run's result: the player's bests, and the report the player is shown.
//!
//! Recording is idempotent (best scores only ever grow, the run is marked recorded last), so the retry
//! queue may call it again after a lost reply without changing the outcome.

use std::time::Duration;

use redis::Script;
use std::sync::LazyLock;

use super::checkpoint;
use super::finished::FinishedRun;
use crate::store::{Store, StoreError, keys};

static RAISE_BEST: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("raise_best.lua")));

/// What a recorded run amounts to for its player.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// The run's final score.
    pub final_score: u32,
    /// The player's best score before this run (0 if none).
    pub previous_best: u32,
    /// True when this run set a new all-time personal best.
    pub new_best: bool,
}

/// Writes results to Redis.
#[derive(Clone)]
pub struct ResultRecorder {
    store: Store,
    ended_run_ttl: Duration,
}

impl ResultRecorder {
    /// A recorder keeping ended runs readable for `ended_run_ttl`.
    pub fn new(store: Store, ended_run_ttl: Duration) -> ResultRecorder {
        ResultRecorder {
            store,
            ended_run_ttl,
        }
    }

    /// Records `run`: raises the player's best if beaten, then marks the run recorded.
    pub async fn record(&self, run: &FinishedRun) -> Result<RunReport, StoreError> {
        let mut invocation = RAISE_BEST.prepare_invoke();
        invocation
            .key(keys::player_best(&run.player))
            .arg("all_time")
            .arg(run.summary.score)
            .arg(run.finished_at_ms);
        let previous_best: u32 = self.store.run_script("best_raise", &invocation).await?;
        checkpoint::mark_recorded(&self.store, run.run_id, self.ended_run_ttl).await?;
        Ok(RunReport {
            final_score: run.summary.score,
            previous_best,
            new_best: run.summary.score > previous_best,
        })
    }
}
