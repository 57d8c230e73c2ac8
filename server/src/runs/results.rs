//! Recording a finished run's result: the period boards, the friends it passed (each notified once),
//! and the report the player is shown.
//!
//! Recording is idempotent: boards only take a better score (`ZADD GT`), notifications are sent once per
//! run (a `SET NX` marker), and the run is marked recorded last, so the retry queue may record a result
//! again after a lost reply without changing anything.

use std::time::Duration;

use futures_util::{StreamExt, stream};
use protocol::{Board, BoundedVec, NewBest, PassedFriend, Period, PlayerId, Scope};

use super::checkpoint;
use super::finished::FinishedRun;
use crate::friends::Friends;
use crate::leaderboards::Leaderboards;
use crate::notifications::{Notifications, Pass};
use crate::store::{Store, StoreError, keys};

/// Notifications of one run in flight at once.
const FAN_OUT_IN_FLIGHT: usize = 64;

/// What a recorded run amounts to for its player.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    friends: Friends,
    notifications: Notifications,
    ended_run_ttl: Duration,
}

impl ResultRecorder {
    /// A recorder keeping ended runs readable for `ended_run_ttl`.
    pub fn new(
        store: Store,
        leaderboards: Leaderboards,
        friends: Friends,
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
        let shown: Vec<_> = recorded
            .passed
            .iter()
            .take(protocol::limits::MAX_PASSED_FRIENDS)
            .collect();
        // The names of the friends shown and of the player (for the notifications) in one HMGET,
        // beside the run's notified marker: one round trip.
        let (mut names, first_notification) = if recorded.passed.is_empty() {
            (Vec::new(), false)
        } else {
            let mut ids: Vec<PlayerId> = shown.iter().map(|(friend, _)| friend.clone()).collect();
            ids.push(run.player.clone());
            tokio::try_join!(self.friends.names(&ids), self.first_notification(run))?
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
        if first_notification {
            let board = Board {
                period: Period::Weekly,
                scope: Scope::Friends,
            };
            // Friends are notified concurrently (the Redis connection pipelines the scripts), so a run
            // that passes hundreds of friends answers in a few round trips, not hundreds.
            let notifications = self.notifications.clone();
            let finished_at_ms = run.finished_at_ms;
            let passes: Vec<(PlayerId, Pass)> = recorded
                .passed
                .iter()
                .map(|(friend, their_weekly)| {
                    let pass = Pass {
                        passer: run.player.clone(),
                        name: passer_name.clone(),
                        their_score: recorded.weekly_best,
                        your_score: *their_weekly,
                        board,
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
            sent.into_iter().collect::<Result<(), StoreError>>()?;
        }
        checkpoint::mark_recorded(&self.store, run.run_id, self.ended_run_ttl).await?;
        Ok(RunReport {
            final_score: run.summary.score,
            new_best: recorded.new_best,
            passed,
            passed_count: u32::try_from(recorded.passed.len()).unwrap_or(u32::MAX),
            friend_rank_before: recorded.friend_rank_before,
            friend_rank_after: recorded.friend_rank_after,
        })
    }

    /// True the first time it is asked for a run: its notifications go out once, even across retries.
    async fn first_notification(&self, run: &FinishedRun) -> Result<bool, StoreError> {
        let set: Option<String> = self
            .store
            .query(
                "run_notified",
                redis::cmd("SET")
                    .arg(keys::run_notified(&run.run_id))
                    .arg(1)
                    .arg("NX")
                    .arg("EX")
                    .arg(self.ended_run_ttl.as_secs().max(1)),
            )
            .await?;
        Ok(set.is_some())
    }
}

/// The report as the wire's `passed` list.
pub fn passed_list(
    report: &RunReport,
) -> BoundedVec<PassedFriend, { protocol::limits::MAX_PASSED_FRIENDS }> {
    BoundedVec::truncating(report.passed.clone())
}
