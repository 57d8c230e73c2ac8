//! Recording a finished run's result: the period boards, the friends it passed (each notified once),
//! and the report the player is shown.
//!
//! Recording is idempotent, so the retry queue may record a result again after any failure:
//! - boards only take a better score (`ZADD GT`);
//! - the outcome (the report and every friend passed) is saved with the run before any friend is
//!   notified, and a retry uses the saved outcome rather than the boards, which no longer show a new best;
//! - each friend's inbox keeps the ids of the runs that notified it, so a retried notification is stored
//!   once;
//! - the run is marked recorded last.

use std::time::Duration;

use futures_util::{StreamExt, stream};
use protocol::{Board, BoundedVec, DisplayName, NewBest, PassedFriend, Period, PlayerId, Scope};
use serde::{Deserialize, Serialize};

use super::checkpoint;
use super::finished::FinishedRun;
use crate::friends::FriendGraph;
use crate::leaderboards::{Leaderboards, Recorded};
use crate::notifications::{Notifications, Pass};
use crate::store::{Store, StoreError};

/// Notifications of one run in flight at once.
const FAN_OUT_IN_FLIGHT: usize = 64;

/// What a recorded run amounts to for its player.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// The run's final score.
    pub final_score: u32,
    /// New personal bests per period.
    pub new_best: NewBest,
    /// Friends passed on this week's board, best first, at most 100.
    pub passed: Vec<PassedFriend>,
    /// How many friends were passed in all.
    pub passed_count: u32,
    /// Rank among friends on this week's board before the run.
    pub friend_rank_before: Option<u32>,
    /// The same rank after.
    pub friend_rank_after: Option<u32>,
}

/// Writes results to Redis.
#[derive(Clone)]
pub struct ResultRecorder {
    store: Store,
    leaderboards: Leaderboards,
    friends: FriendGraph,
    notifications: Notifications,
    ended_run_ttl: Duration,
}

impl ResultRecorder {
    /// A recorder keeping ended runs readable for `ended_run_ttl`.
    pub fn new(
        store: Store,
        leaderboards: Leaderboards,
        friends: FriendGraph,
        notifications: Notifications,
        ended_run_ttl: Duration,
    ) -> ResultRecorder {
        ResultRecorder {
            store,
            leaderboards,
            friends,
            notifications,
            ended_run_ttl,
        }
    }

    /// Records `run` on the boards of the periods it ended in, notifies the friends it passed, and marks
    /// the run recorded.
    pub async fn record(&self, run: &FinishedRun) -> Result<RunReport, StoreError> {
        let recorded = self
            .leaderboards
            .record(
                &run.player,
                run.summary.score,
                run.finished_at_ms,
                run.finished_at_ms,
            )
            .await?;
        // Only a retry finds its score already on a board; only then is there an outcome to reuse.
        let saved = if recorded.seen_before {
            checkpoint::saved_outcome::<Outcome>(&self.store, run.run_id).await?
        } else {
            None
        };
        let outcome = match saved {
            Some(outcome) => outcome,
            None => self.outcome(run, recorded).await?,
        };
        if outcome.passes.is_empty() {
            checkpoint::mark_recorded(&self.store, run.run_id, self.ended_run_ttl, Some(&outcome))
                .await?;
        } else {
            checkpoint::save_outcome(&self.store, run.run_id, self.ended_run_ttl, &outcome).await?;
            self.notify(run, &outcome).await?;
            checkpoint::mark_recorded::<Outcome>(&self.store, run.run_id, self.ended_run_ttl, None)
                .await?;
        }
        Ok(outcome.report)
    }

    /// The outcome of a first recording: the report, with the names of the friends shown, and what
    /// their notifications need.
    async fn outcome(&self, run: &FinishedRun, recorded: Recorded) -> Result<Outcome, StoreError> {
        let shown: Vec<&(PlayerId, u32)> = recorded
            .passed
            .iter()
            .take(protocol::limits::MAX_PASSED_FRIENDS)
            .collect();
        // The names of the friends shown and of the player (for the notifications) in one HMGET.
        let mut names = if recorded.passed.is_empty() {
            Vec::new()
        } else {
            let mut ids: Vec<PlayerId> = shown.iter().map(|(friend, _)| friend.clone()).collect();
            ids.push(run.player.clone());
            self.friends.names(&ids).await?
        };
        let passer_name = names.pop().flatten();
        let passed = shown
            .iter()
            .zip(names)
            .map(|((player, score), name)| PassedFriend {
                player: player.clone(),
                name,
                score: *score,
            })
            .collect();
        Ok(Outcome {
            report: RunReport {
                final_score: run.summary.score,
                new_best: recorded.new_best,
                passed,
                passed_count: u32::try_from(recorded.passed.len()).unwrap_or(u32::MAX),
                friend_rank_before: recorded.friend_rank_before,
                friend_rank_after: recorded.friend_rank_after,
            },
            passes: recorded.passed,
            weekly_best: recorded.weekly_best,
            passer_name,
        })
    }

    /// Notifies every friend passed, concurrently (the Redis connection pipelines the scripts), so a run
    /// that passes hundreds of friends ends in a few round trips, not hundreds.
    async fn notify(&self, run: &FinishedRun, outcome: &Outcome) -> Result<(), StoreError> {
        let board = Board {
            period: Period::Weekly,
            scope: Scope::Friends,
        };
        let notifications = self.notifications.clone();
        let finished_at_ms = run.finished_at_ms;
        let passes: Vec<(PlayerId, Pass)> = outcome
            .passes
            .iter()
            .map(|(friend, their_weekly)| {
                let pass = Pass {
                    passer: run.player.clone(),
                    name: outcome.passer_name.clone(),
                    their_score: outcome.weekly_best,
                    your_score: *their_weekly,
                    board,
                    run: run.run_id,
                };
                (friend.clone(), pass)
            })
            .collect();
        let sent: Vec<Result<(), StoreError>> = stream::iter(passes)
            .map(move |(friend, pass)| {
                let notifications = notifications.clone();
                async move {
                    notifications
                        .friend_passed(&friend, &pass, finished_at_ms)
                        .await
                }
            })
            .buffer_unordered(FAN_OUT_IN_FLIGHT)
            .collect()
            .await;
        sent.into_iter().collect()
    }
}

/// A recording's outcome, saved with the run so a retry repeats it exactly.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Outcome {
    /// What the player is shown.
    report: RunReport,
    /// Every friend passed, with their weekly best (the report lists at most 100).
    passes: Vec<(PlayerId, u32)>,
    /// The player's weekly best after the run.
    weekly_best: u32,
    /// The player's display name, for the notifications.
    passer_name: Option<DisplayName>,
}

/// The report as the wire's `passed` list.
pub fn passed_list(
    report: &RunReport,
) -> BoundedVec<PassedFriend, { protocol::limits::MAX_PASSED_FRIENDS }> {
    BoundedVec::truncating(report.passed.clone())
}
