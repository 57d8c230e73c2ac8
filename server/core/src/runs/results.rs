//! Recording a finished run's result: the period boards, the friends it passed (each notified once),
//! and the report the player is shown.
//!
//! Recording happens exactly once as boards and friends see it, whichever node records a run and however
//! often it is retried (the node that ended it, its retry queue, a sweeper after the node died):
//! - the outcome (the report and every friend passed) is planned from the boards before anything is
//!   written, and saved with the run unless an outcome is saved already (`HSETNX`): the first plan
//!   decides, every retry or concurrent recorder repeats it;
//! - boards only take a better score (`ZADD GT`), so writing them again changes nothing;
//! - each friend's inbox keeps the ids of the runs that notified it, so a repeated notification is
//!   stored once;
//! - the run is marked recorded, and leaves the index of unsettled runs, last (on a node, a moment
//!   later with other runs: `settling`).
//!
//! The boards, the replay and the notifications do not depend on each other, so they are written at
//! once (one round trip), and the replay's input log is read beside the outcome's save.

use std::time::Duration;

use futures_util::{StreamExt, stream};
use game_logic::Jump;
use protocol::{
    Board, BoundedVec, DisplayName, NewBest, PassedFriend, Period, PlayerId, RunId, RunOver, Scope,
};
use serde::{Deserialize, Serialize};

use super::checkpoint::StoredRun;
use super::finished::FinishedRun;
use super::settling::{self, Settler};
use super::{checkpoint, input_log};
use crate::challenges::Challenges;
use crate::error_chain::ErrorChain;
use crate::friends::FriendGraph;
use crate::leaderboards::{Leaderboards, PriorBests, Recorded, WeeklyBestHint};
use crate::notifications::{Notifications, Pass};
use crate::replays::{Replays, RunLog};
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
    challenges: Challenges,
    replays: Replays,
    ended_run_ttl: Duration,
    /// Where a recorded run's flag goes to be sent with others' ([`ResultRecorder::settling_with`]);
    /// without one, the recording sends it itself before it returns.
    settler: Option<Settler>,
}

impl ResultRecorder {
    /// A recorder keeping recorded runs readable for `ended_run_ttl` (the settled-run retention).
    pub fn new(
        store: Store,
        leaderboards: Leaderboards,
        friends: FriendGraph,
        notifications: Notifications,
        challenges: Challenges,
        replays: Replays,
        ended_run_ttl: Duration,
    ) -> ResultRecorder {
        ResultRecorder {
            store,
            leaderboards,
            friends,
            notifications,
            challenges,
            replays,
            ended_run_ttl,
            settler: None,
        }
    }

    /// This recorder, leaving each recorded run's flag and index entry to `settler`, which sends
    /// those of many runs together a moment later: a recording then returns one round trip sooner.
    /// The node records this way; a sweeper records again a run whose flag never came.
    pub fn settling_with(mut self, settler: Settler) -> ResultRecorder {
        self.settler = Some(settler);
        self
    }

    /// Records `run` on the boards of the periods it ended in (or, for a challenge run, on its
    /// challenge's board), keeps it as its player's replay of each period it is the best of, notifies the
    /// friends it passed, and marks the run recorded (or queues the mark: see
    /// [`ResultRecorder::settling_with`]).
    pub async fn record(&self, run: &FinishedRun) -> Result<RunReport, StoreError> {
        self.record_after(run, None, None).await
    }

    /// The player's bests on the boards a run that ends at `at_ms` would be recorded on, read while the
    /// run's end is written (see [`Leaderboards::prior_bests`]); `None` if Redis did not answer, and the
    /// recording reads them itself.
    /// With `friends`, the player's friend list is read too (a run expected to be a new weekly best).
    pub(crate) async fn prior_bests(
        &self,
        player: &PlayerId,
        at_ms: u64,
        friends: bool,
    ) -> Option<PriorBests> {
        let read = if friends {
            self.leaderboards
                .prior_bests_and_friends(player, at_ms)
                .await
        } else {
            self.leaderboards.prior_bests(player, at_ms).await
        };
        read
            .inspect_err(|error| tracing::debug!(error = %ErrorChain(error), %player, "the bests before a run's end are read again by its recording"))
            .ok()
    }

    /// `player`'s weekly best when a run starts (see [`WeeklyBestHint`]); `None` if Redis did not answer,
    /// and the run's end reads no friend list ahead.
    pub(crate) async fn weekly_best_hint(
        &self,
        player: &PlayerId,
        at_ms: u64,
    ) -> Option<WeeklyBestHint> {
        self.leaderboards
            .weekly_best_hint(player, at_ms)
            .await
            .inspect_err(|error| tracing::debug!(error = %ErrorChain(error), %player, "a run starts without its weekly best"))
            .ok()
    }

    /// [`ResultRecorder::record`], given the player's bests read since the run ended, if any, and the
    /// run's jumps if the caller holds all of them as Redis does (the node that ended it: its end was
    /// written only if Redis held the same log), so a replay kept of it is not read back from Redis.
    pub(crate) async fn record_after(
        &self,
        run: &FinishedRun,
        prior: Option<PriorBests>,
        inputs: Option<&[Jump]>,
    ) -> Result<RunReport, StoreError> {
        let planned = match run.challenge {
            Some(_) => Outcome::challenge_run(run.summary.score),
            None => {
                let planned = self
                    .leaderboards
                    .plan(&run.player, run.summary.score, run.finished_at_ms, prior)
                    .await?;
                Outcome::planned(run, planned)
            }
        };
        // The log a new best keeps as a replay is the caller's copy, or read beside the outcome's save
        // (one round trip for both); a retry whose saved outcome flags a best the plan did not reads
        // it in `keep_best`.
        let wants_log = run.challenge.is_none()
            && !crate::replays::kept_periods(planned.report.new_best).is_empty();
        let log = async {
            match inputs {
                _ if !wants_log => Ok(RunLog::NotRead),
                Some(inputs) => Ok(RunLog::Read(Some(input_log::encode_all(inputs)))),
                None => self.replays.read_log(run.run_id).await.map(RunLog::Read),
            }
        };
        // The names shown with the friends passed (and the player's, for their notifications) are read
        // beside the save too: a name is read when shown, not saved with the outcome.
        let named = planned.named_players(&run.player);
        let (mut outcome, log, names) = futures_util::future::try_join3(
            checkpoint::save_outcome_once(&self.store, run.run_id, planned),
            log,
            self.friends.names(&named),
        )
        .await?;
        // A retry whose saved outcome passed other friends than this plan names those instead.
        let names = match outcome.named_players(&run.player) {
            saved if saved == named => names,
            saved => self.friends.names(&saved).await?,
        };
        outcome.name(names);
        // The boards, the replay and the notifications are independent and each idempotent: written at
        // once (the connection pipelines them), one round trip instead of three.
        match run.challenge {
            Some(challenge) => {
                self.challenges
                    .apply(
                        challenge,
                        &run.player,
                        run.summary.score,
                        run.finished_at_ms,
                    )
                    .await?
            }
            None => {
                futures_util::future::try_join3(
                    self.leaderboards
                        .apply(&run.player, run.summary.score, run.finished_at_ms),
                    self.replays.keep_best(run, outcome.report.new_best, log),
                    self.notify(run, &outcome),
                )
                .await?;
            }
        }
        // Last: the flag and the index entry only spare a sweeper from recording the run again.
        match &self.settler {
            Some(settler) => settler.settle(run.run_id).await,
            None => settling::settle(&self.store, run.run_id, self.ended_run_ttl).await,
        }
        Ok(outcome.report)
    }

    /// Pushes a result recorded after its run's answer (by the retry queue or a sweeper) to its player,
    /// wherever they are connected.
    pub(crate) async fn deliver(&self, run: &FinishedRun, report: &RunReport) {
        let result = report.run_over(run.run_id, run.summary.seed);
        self.notifications
            .router()
            .deliver_result(&run.player, result)
            .await;
    }

    /// The report a recording of `stored` saved, if it saved one this version reads, with the names of
    /// the friends it shows as they are now (left out if Redis cannot say).
    pub(crate) async fn saved_report(&self, stored: &StoredRun) -> Option<RunReport> {
        let mut outcome = stored.saved_outcome::<Outcome>()?;
        if let Ok(names) = self
            .friends
            .names(&outcome.named_players(&stored.meta.player))
            .await
        {
            outcome.name(names);
        }
        Some(outcome.report)
    }

    /// Notifies every friend passed, concurrently (the Redis connection pipelines the scripts), so a run
    /// that passes hundreds of friends ends in a few round trips, not hundreds.
    async fn notify(&self, run: &FinishedRun, outcome: &Outcome) -> Result<(), StoreError> {
        if outcome.passes.is_empty() {
            return Ok(());
        }
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

impl Outcome {
    /// The outcome of a first recording of `run`, as planned: the report shows the first friends
    /// passed, unnamed until [`Outcome::name`].
    fn planned(run: &FinishedRun, recorded: Recorded) -> Outcome {
        let passed = recorded
            .passed
            .iter()
            .take(protocol::limits::MAX_PASSED_FRIENDS)
            .map(|(player, score)| PassedFriend {
                player: player.clone(),
                name: None,
                score: *score,
            })
            .collect();
        Outcome {
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
            passer_name: None,
        }
    }

    /// Whose names the outcome shows: the friends in the report, then `player` (the passer, named in
    /// the notifications); nobody when the run passed nobody.
    fn named_players(&self, player: &PlayerId) -> Vec<PlayerId> {
        if self.passes.is_empty() {
            return Vec::new();
        }
        let mut players: Vec<PlayerId> = self
            .report
            .passed
            .iter()
            .map(|friend| friend.player.clone())
            .collect();
        players.push(player.clone());
        players
    }

    /// Names the friends shown and the passer with `names`, read for [`Outcome::named_players`].
    fn name(&mut self, mut names: Vec<Option<DisplayName>>) {
        if names.len() != self.report.passed.len() + 1 {
            return;
        }
        self.passer_name = names.pop().flatten();
        for (friend, name) in self.report.passed.iter_mut().zip(names) {
            friend.name = name;
        }
    }

    /// A challenge run's outcome: its score on the challenge's board, nothing on the period boards, no
    /// friend told.
    fn challenge_run(final_score: u32) -> Outcome {
        Outcome {
            report: RunReport::score_only(final_score),
            passes: Vec::new(),
            weekly_best: 0,
            passer_name: None,
        }
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

impl RunReport {
    /// The wire form of a recorded run's end.
    pub fn run_over(&self, run_id: RunId, seed: u64) -> RunOver {
        RunOver {
            run_id,
            seed,
            final_score: self.final_score,
            new_best: self.new_best,
            passed: BoundedVec::truncating(self.passed.clone()),
            passed_count: self.passed_count,
            friend_rank_before: self.friend_rank_before,
            friend_rank_after: self.friend_rank_after,
        }
    }

    /// The report of a run whose saved outcome cannot be read (written by another version): its score,
    /// nothing else claimed.
    pub(crate) fn score_only(final_score: u32) -> RunReport {
        RunReport {
            final_score,
            new_best: NewBest::default(),
            passed: Vec::new(),
            passed_count: 0,
            friend_rank_before: None,
            friend_rank_after: None,
        }
    }
}
