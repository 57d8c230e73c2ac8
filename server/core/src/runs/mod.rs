//! Authoritative game runs: the server draws each seed, simulates every jump with `game-logic`,
//! checkpoints the input log to Redis before answering each jump, and records the result when the run
//! ends.
//!
//! This module knows nothing of sockets: the node's handlers translate requests into these calls. A run
//! lives in Redis (`checkpoint`), not in a node: any node resumes it by replay, answers a resent jump
//! with the same result, and finishes recording it if the node that played it could not. Every run is in
//! the durable index of unsettled runs (`index`) from its start until its result is recorded; each node
//! sweeps it (`sweeper`), so no finished run is lost with a node, and a run nobody plays ends by itself.
//! `pending` retries a result Redis could not take at once.

mod active;
pub(crate) mod checkpoint;
mod finished;
pub(crate) mod index;
pub mod input_log;
mod jump_write;
pub mod pending;
mod quota;
pub mod results;
pub mod settling;
mod sharing;
mod sweeper;
mod timing_guard;

use std::sync::Arc;
use std::time::Duration;

use game_logic::{
    GameSession, Jump, JumpOutcome, ReplayError, Ruleset, SessionError, replay_session,
};
use protocol::{ChallengeId, PlayerId, RunId};
use thiserror::Error;

pub use active::{ActiveRun, Ending};
pub use checkpoint::{LoadError, RunMeta, RunMode};
pub use finished::{EndReason, FinishedRun};
pub use pending::PendingResults;
pub use quota::{Cap, RunQuota};
pub use results::{ResultRecorder, RunReport};
pub use settling::Settler;
pub use timing_guard::TooFast;

use crate::challenges::{ChallengeError, Challenges};
use crate::error_chain::ErrorChain;
use crate::in_place::boxed;
use crate::leaderboards::PriorBests;
use crate::metrics::Metrics;
use crate::shutdown::Shutdown;
use crate::store::{Store, StoreError};
pub(crate) use checkpoint::share_once;
use checkpoint::{Appended, EndStep, LiveLog, RunState, StoredRun, Takeover};
use jump_write::JumpWrite;
pub(crate) use sharing::shareable;
use timing_guard::TimingGuard;

/// How long an ended run whose result is not recorded yet stays readable: a sweeper records it within
/// this, whatever failed. Once recorded (or rejected), it stays only `RunSettings::settled_retention`.
pub const ENDED_RUN_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Settings of the run service.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// A live run untouched this long is ended.
    pub idle_timeout: Duration,
    /// Network jitter allowed by the timing checks.
    pub timing_tolerance: Duration,
    /// Capacity of the pending-results retry queue.
    pub pending_queue_len: usize,
    /// How often this node sweeps the index of unsettled runs.
    pub sweep_interval: Duration,
    /// How long after a run ends a sweeper may record it if the node that ended it has not: longer than
    /// that node normally needs, so a sweeper only steps in for a node that died or gave up.
    pub settle_grace: Duration,
    /// Per-player caps on starting runs.
    pub quota: RunQuota,
    /// How long a run stays in Redis once settled (recorded or rejected): the window in which a resume
    /// or a resent last jump on another connection is answered with its result. Past it the run is gone
    /// (its best kept as a replay if it was one), so a finished run costs Redis nothing.
    pub settled_retention: Duration,
}

/// How a client asks to start a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartMode {
    /// A fresh seed from the OS.
    Solo,
    /// The course of a challenge a player shared.
    Challenge {
        /// The challenge.
        challenge: ChallengeId,
    },
    /// A fresh seed, the run played offline and submitted whole.
    Offline,
}

/// Why a run operation was refused. Each maps to one protocol error code.
#[derive(Debug, Error)]
pub enum RunError {
    /// No such run (never existed, expired, or not this player's: the two are not told apart).
    #[error("no run {0} for this player")]
    NotFound(RunId),
    /// The request names a run other than the one this connection plays.
    #[error("run {0} is not the run this connection plays")]
    NotCurrent(RunId),
    /// The run is over.
    #[error("run {run} is over with score {score}")]
    RunOver {
        /// The run.
        run: RunId,
        /// Its final score.
        score: u32,
    },
    /// No such challenge to play (never shared, or expired).
    #[error("no challenge {0} (it never existed or has expired)")]
    ChallengeNotFound(ChallengeId),
    /// The player reached a cap on starting runs.
    #[error("{}: wait for a run to end or for the hour to pass", match .0 {
        Cap::LiveRuns => "too many runs live at once",
        Cap::RunsPerHour => "too many runs started in the last hour",
    })]
    CapReached(Cap),
    /// Another connection resumed the run and drives it now.
    #[error("run {0} is being played on another connection; resume it here to take it over")]
    NotDriver(RunId),
    /// A jump came sooner than a person can play.
    #[error("too fast: this jump needs {} ms since the previous one but came after {} ms", .0.required_ms, .0.elapsed_ms)]
    TooFast(TooFast),
    /// The jump's values are impossible.
    #[error("{0}")]
    InvalidJump(SessionError),
    /// A whole run submitted from offline play failed verification.
    #[error("the submitted run is invalid: {0}")]
    Rejected(ReplayError),
    /// The sequence number is not the next one.
    #[error("jump {got} is out of sequence: the run expects jump {expected}")]
    OutOfSequence {
        /// The next sequence number the run expects.
        expected: u32,
        /// The one received.
        got: u32,
    },
    /// The request does not fit the run's mode (a live jump in an offline run, or the reverse).
    #[error("run {run} is a {mode:?} run: {request} does not apply to it")]
    WrongMode {
        /// The run.
        run: RunId,
        /// Its mode.
        mode: RunMode,
        /// What was asked.
        request: &'static str,
    },
    /// Redis failed; nothing was recorded, the request can be retried as it is.
    #[error("the run store is unavailable")]
    Unavailable(#[from] StoreError),
    /// The stored run is damaged.
    #[error("the stored run is damaged: {0}")]
    Corrupt(LoadError),
}

impl From<LoadError> for RunError {
    fn from(error: LoadError) -> RunError {
        match error {
            LoadError::Store(store) => RunError::Unavailable(store),
            other => RunError::Corrupt(other),
        }
    }
}

/// The answer to a jump: its outcome, and how the run ended if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JumpReply {
    /// The jump's outcome, as the engine computed it.
    pub outcome: JumpOutcome,
    /// Set when this jump ended the run.
    pub ending: Option<Ending>,
}

/// Every `reason` label of `runs_rejected_total`: a live jump faster than a person (`too_fast`), or an
/// offline run's replay refusal (`RunService::reject`). Created at zero when the node starts.
pub(crate) const REJECTION_REASONS: [&str; 4] = [
    "too_fast",
    "input_after_end",
    "invalid_input",
    "too_many_inputs",
];

/// The runs of this node.
#[derive(Clone)]
pub struct RunService {
    store: Store,
    metrics: Arc<Metrics>,
    settings: RunSettings,
    recorder: ResultRecorder,
    challenges: Challenges,
    pending: PendingResults,
    settler: Settler,
}

impl RunService {
    /// The service, with its retry queue and its sweeper of the index of unsettled runs started; the
    /// sweeper stops at `shutdown`.
    pub fn start(
        store: Store,
        metrics: Arc<Metrics>,
        settings: RunSettings,
        recorder: ResultRecorder,
        challenges: Challenges,
        shutdown: Shutdown,
    ) -> RunService {
        let settler = Settler::start(store.clone(), settings.settled_retention, &metrics);
        let recorder = recorder.settling_with(settler.clone());
        let pending = PendingResults::start(
            settings.pending_queue_len,
            recorder.clone(),
            metrics.clone(),
        );
        let service = RunService {
            store,
            metrics,
            settings,
            recorder,
            challenges,
            pending,
            settler,
        };
        // Its state is the runs in Redis: after a panic it sweeps again from there.
        crate::restarting::spawn(
            "the sweeper",
            (service.clone(), shutdown),
            |(runs, shutdown)| Box::pin(sweeper::sweep(runs.clone(), shutdown.clone())),
        );
        service
    }

    /// The queue of recorded runs' flags, for the shutdown drain.
    pub fn settler(&self) -> &Settler {
        &self.settler
    }

    /// The retry queue, for the shutdown drain.
    pub fn pending(&self) -> &PendingResults {
        &self.pending
    }

    /// Starts a run for `player`: draws the seed (unless a challenge names one), writes the run's record
    /// and lists it in the index of unsettled runs before answering, so the run is resumable from its
    /// first jump and never lost.
    pub async fn start_run(
        &self,
        player: &PlayerId,
        mode: StartMode,
        now_ms: u64,
    ) -> Result<ActiveRun, RunError> {
        let (seed, ruleset, run_mode, challenge) = match mode {
            StartMode::Solo => (rand::random(), Ruleset::LATEST, RunMode::Solo, None),
            StartMode::Challenge { challenge } => {
                let course =
                    self.challenges
                        .course(challenge)
                        .await
                        .map_err(|error| match error {
                            ChallengeError::Store(store) => RunError::Unavailable(store),
                            _ => RunError::ChallengeNotFound(challenge),
                        })?;
                (
                    course.seed,
                    course.ruleset,
                    RunMode::Challenge,
                    Some(challenge),
                )
            }
            StartMode::Offline => (rand::random(), Ruleset::LATEST, RunMode::Offline, None),
        };
        let id = RunId::from_bytes(rand::random());
        let due_ms = now_ms.saturating_add(millis(self.settings.idle_timeout));
        let meta = RunMeta {
            player: player.clone(),
            seed,
            ruleset,
            mode: run_mode,
            started_at_ms: now_ms,
            challenge,
        };
        let driver = new_driver();
        // The quota and the run are written at once, one round trip: a start is nearly always within
        // the caps, and a refused one deletes the run it wrote (`discard_start`) before it answers.
        let create = async {
            tokio::try_join!(
                checkpoint::create(&self.store, id, &meta, &driver, self.live_ttl()),
                index::schedule(&self.store, id, due_ms),
            )
        };
        let quota = self.settings.quota;
        // The player's weekly best goes in the same round trip: it tells the run's end whether to read
        // the friend list ahead for the recording (a solo or offline run; challenge runs rank apart).
        let hint = async {
            if challenge.is_none() {
                self.recorder.weekly_best_hint(player, now_ms).await
            } else {
                None
            }
        };
        let (taken, created, weekly_hint) = tokio::join!(
            quota::take(&self.store, quota, player, id, now_ms, due_ms),
            create,
            hint,
        );
        let taken = match taken {
            // A run whose end could not free its slot (Redis failed at that moment) is not live: drop
            // such runs and try once more before refusing.
            Ok(Err(Cap::LiveRuns)) => match quota::prune_ended(&self.store, player).await {
                Ok(0) => Ok(Err(Cap::LiveRuns)),
                Ok(_) => quota::take(&self.store, quota, player, id, now_ms, due_ms).await,
                Err(error) => Err(error),
            },
            taken => taken,
        };
        let refusal = match (taken, created) {
            (Ok(Ok(())), Ok(_)) => None,
            (Ok(Err(cap)), _) => {
                self.metrics
                    .player_caps_hit_total
                    .with_label_values(&[cap.label()])
                    .inc();
                Some((RunError::CapReached(cap), false))
            }
            (Err(error), _) => Some((error.into(), false)),
            // The quota was taken for a run that could not be written: give it back.
            (Ok(Ok(())), Err(error)) => Some((error.into(), true)),
        };
        if let Some((error, release)) = refusal {
            self.discard_start(player, id, release).await;
            return Err(error);
        }
        self.metrics.runs_started_total.inc();
        let session = GameSession::new(seed, ruleset);
        Ok(ActiveRun {
            id,
            guard: TimingGuard::new(now_ms, None, self.settings.timing_tolerance),
            meta,
            session,
            last_outcome: None,
            ending: None,
            inputs: Vec::new(),
            driver,
            live_log: LiveLog::new(&id, 1),
            ttl_refreshed_ms: None,
            uncertain: false,
            prior_bests: None,
            weekly_hint,
        })
    }

    /// Takes back what a refused or failed start wrote, so no sweeper finds a run that never started:
    /// the run, its index entry and (`release`) its live-run slot, before the start is answered. What
    /// Redis fails to take back now (a master failing over, say) is tried again in the background, a
    /// few times over about half a minute; past that the run stays listed until its idle timeout.
    async fn discard_start(&self, player: &PlayerId, id: RunId, release: bool) {
        let mut left = StartUndo {
            run: true,
            index: true,
            slot: release,
        };
        if self.undo_start(player, id, &mut left).await {
            return;
        }
        let this = self.clone();
        let player = player.clone();
        tokio::spawn(async move {
            for attempt in 0..START_UNDO_RETRIES {
                tokio::time::sleep(START_UNDO_BACKOFF * 2u32.pow(attempt)).await;
                if this.undo_start(&player, id, &mut left).await {
                    return;
                }
            }
            tracing::warn!(run = %id, "a start that did not happen stays listed until its idle timeout");
        });
    }

    /// One try at what `left` says is still to take back of a start; true when nothing is left.
    async fn undo_start(&self, player: &PlayerId, id: RunId, left: &mut StartUndo) -> bool {
        let run = async { !left.run || checkpoint::discard(&self.store, id).await.is_ok() };
        let index = async { !left.index || index::settle(&self.store, id).await.is_ok() };
        let slot = async { !left.slot || quota::release(&self.store, player, id).await.is_ok() };
        let (run, index, slot) = tokio::join!(run, index, slot);
        *left = StartUndo {
            run: !run,
            index: !index,
            slot: !slot,
        };
        run && index && slot
    }

    /// Loads `player`'s run `id` from Redis and replays its log, to continue it on this connection, which
    /// takes it over: from now on only this connection may play it. A run that ended comes back ended,
    /// with its result; if its result was never recorded (the node that played it died), it is recorded
    /// now.
    pub async fn resume(&self, player: &PlayerId, id: RunId) -> Result<ActiveRun, RunError> {
        let driver = new_driver();
        let mut stored = checkpoint::load(
            &self.store,
            id,
            Some(Takeover {
                driver: &driver,
                live_ttl: self.live_ttl(),
            }),
        )
        .await?
        .filter(|stored| &stored.meta.player == player)
        .ok_or(RunError::NotFound(id))?;
        let (session, last_outcome) = replay(id, &stored)?;
        let mut run = ActiveRun {
            id,
            guard: TimingGuard::new(
                stored.meta.started_at_ms,
                stored.last_jump_ms,
                self.settings.timing_tolerance,
            ),
            meta: stored.meta.clone(),
            session,
            last_outcome,
            ending: None,
            // Replayed above and not read again: the run keeps them.
            inputs: std::mem::take(&mut stored.inputs),
            driver,
            live_log: LiveLog::new(&id, stored.epoch),
            ttl_refreshed_ms: None,
            uncertain: false,
            prior_bests: None,
            weekly_hint: None,
        };
        if let RunState::Ended {
            reason,
            at_ms,
            recorded,
        } = stored.state
        {
            run.ending = Some(match (reason, recorded) {
                (EndReason::Rejected, _) => Ending::Rejected,
                (_, true) => Ending::Recorded(Box::new(
                    self.recorder
                        .saved_report(&stored)
                        .await
                        .unwrap_or_else(|| RunReport::score_only(run.session.score())),
                )),
                (_, false) => self.record_or_queue(finished(&run, reason, at_ms)).await,
            });
        }
        Ok(run)
    }

    /// Applies live jump number `seq`. A resent `seq` (the last one applied) is answered again without
    /// being applied twice, on this connection or any other. The jump is checkpointed before it is
    /// answered; if Redis fails, the same request can be retried: it is answered from what Redis holds,
    /// whether or not the failed write reached it.
    ///
    /// Not an `async fn`, which would keep its arguments beside the locals they are moved into: this
    /// future is part of every jump's handling, which stays within a kilobyte (the allocator's fast
    /// path; see the server's `handlers::run::jump`).
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn would hold its arguments twice"
    )]
    pub fn jump<'a>(
        &'a self,
        run: &'a mut ActiveRun,
        seq: u32,
        jump: Jump,
        now_ms: u64,
    ) -> impl Future<Output = Result<JumpReply, RunError>> + 'a {
        async move {
            // What only some jumps do (a reload, a resent jump's answer, the run's end and recording) is
            // boxed: a jump's future then holds only the checkpoint's state, not kilobytes of recording
            // state moved into every message's box.
            if run.uncertain {
                boxed(|| self.reload_if_uncertain(run)).await?;
            }
            if run.meta.mode == RunMode::Offline {
                return Err(RunError::WrongMode {
                    run: run.id,
                    mode: run.meta.mode,
                    request: "a live jump",
                });
            }
            let applied = run.session.jumps();
            if seq.checked_add(1) == Some(applied)
                && let Some(outcome) = run.last_outcome
            {
                return Ok(JumpReply {
                    outcome,
                    ending: boxed(|| self.retried_ending(run)).await,
                });
            }
            if run.ending.is_some() || run.session.is_over() {
                return Err(RunError::RunOver {
                    run: run.id,
                    score: run.session.score(),
                });
            }
            if seq != applied {
                return Err(RunError::OutOfSequence {
                    expected: applied,
                    got: seq,
                });
            }
            if now_ms.saturating_sub(run.last_activity_ms()) > millis(self.settings.idle_timeout) {
                let score = run.session.score();
                boxed(|| self.end(run, EndReason::TimedOut, now_ms)).await?;
                return Err(RunError::RunOver { run: run.id, score });
            }
            game_logic::timing::check(run.meta.ruleset.params(), jump)
                .map_err(|invalid| RunError::InvalidJump(SessionError::InvalidJump(invalid)))?;
            if let Err(too_fast) = run.guard.check(&run.session, jump, now_ms) {
                self.metrics
                    .runs_rejected_total
                    .with_label_values(&["too_fast"])
                    .inc();
                return Err(RunError::TooFast(too_fast));
            }
            // Applied to the run's own session: no copy of the session per jump. Should the checkpoint
            // not be written, the session goes back to the jumps its log holds (`unapplied`); should
            // this future be dropped mid-write (its connection closing), the run is reloaded before any
            // further use.
            let outcome = run.session.apply(jump).map_err(RunError::InvalidJump)?;
            let end = outcome.game_over.then_some(EndReason::GameOver);
            let closing = end.map(|reason| Closing {
                reason,
                score: run.session.score(),
            });
            run.uncertain = true;
            if let Err(error) = self.append(run, &[jump], closing, now_ms).await {
                return Err(unapplied(run, error));
            }
            run.guard.accepted(now_ms);
            run.last_outcome = Some(outcome);
            self.metrics.jumps_total.inc();
            let ending = match end {
                Some(reason) => Some(boxed(|| self.finish(run, reason, now_ms)).await),
                None => None,
            };
            Ok(JumpReply { outcome, ending })
        }
    }

    /// How a resent last jump's run ended: a pending result is tried again, so the answer carries the
    /// result once it is recorded.
    async fn retried_ending(&self, run: &mut ActiveRun) -> Option<Ending> {
        if run.ending == Some(Ending::Pending)
            && let Ok(stored) = checkpoint::load(&self.store, run.id, None).await
            && let Some(stored) = stored
            && let RunState::Ended { reason, at_ms, .. } = stored.state
        {
            run.ending = Some(self.record_or_queue(finished(run, reason, at_ms)).await);
        }
        run.ending.clone()
    }

    /// Ends the run at the player's request; its score so far counts.
    pub async fn abandon(&self, run: &mut ActiveRun, now_ms: u64) -> Result<Ending, RunError> {
        self.reload_if_uncertain(run).await?;
        if let Some(ending) = self.retried_ending(run).await {
            return Ok(ending);
        }
        self.end(run, EndReason::Abandoned, now_ms).await
    }

    /// Takes a chunk of an offline run: jumps `first_seq..` in order. Each chunk is checked as it comes
    /// and appended to the run's log; the last one verifies the whole run against the time since the
    /// seed was handed out and records its result. An invalid run is ended and rejected.
    pub async fn submit_chunk(
        &self,
        run: &mut ActiveRun,
        first_seq: u32,
        jumps: &[Jump],
        last: bool,
        now_ms: u64,
    ) -> Result<Option<Ending>, RunError> {
        self.reload_if_uncertain(run).await?;
        if run.meta.mode != RunMode::Offline {
            return Err(RunError::WrongMode {
                run: run.id,
                mode: run.meta.mode,
                request: "an offline submission",
            });
        }
        if let Some(ending) = self.retried_ending(run).await {
            return match ending {
                Ending::Recorded(_) | Ending::Pending if last => Ok(Some(ending)),
                _ => Err(RunError::RunOver {
                    run: run.id,
                    score: run.session.score(),
                }),
            };
        }
        let applied = run.session.jumps();
        if first_seq != applied {
            return Err(RunError::OutOfSequence {
                expected: applied,
                got: first_seq,
            });
        }
        let mut next = run.session.clone();
        for (offset, jump) in jumps.iter().enumerate() {
            let index = applied as usize + offset;
            let refusal = match next.apply(*jump) {
                Ok(_) => continue,
                Err(SessionError::RunOver) => ReplayError::InputAfterRunOver { index },
                Err(SessionError::InvalidJump(reason)) => {
                    ReplayError::InvalidInput { index, reason }
                }
                Err(SessionError::TooManyJumps { max }) => ReplayError::TooManyInputs {
                    count: index + 1,
                    max,
                },
            };
            return Err(self.reject(run, refusal, now_ms).await);
        }
        let elapsed_ms = now_ms
            .saturating_sub(run.meta.started_at_ms)
            .saturating_add(millis(self.settings.timing_tolerance));
        if next.min_duration_ms() > elapsed_ms {
            let refusal = ReplayError::TooFast {
                min_ms: next.min_duration_ms(),
                elapsed_ms,
            };
            return Err(self.reject(run, refusal, now_ms).await);
        }
        let end = (last || next.is_over()).then_some(EndReason::OfflineVerified);
        let closing = end.map(|reason| Closing {
            reason,
            score: next.score(),
        });
        self.append(run, jumps, closing, now_ms).await?;
        run.session = next;
        match end {
            Some(reason) => Ok(Some(self.finish(run, reason, now_ms).await)),
            None => Ok(None),
        }
    }

    /// Ends an offline run that failed verification; its score does not count. Its `reason` label is one
    /// of [`REJECTION_REASONS`].
    async fn reject(&self, run: &mut ActiveRun, refusal: ReplayError, now_ms: u64) -> RunError {
        let reason = match refusal {
            ReplayError::TooFast { .. } => "too_fast",
            ReplayError::InputAfterRunOver { .. } => "input_after_end",
            ReplayError::InvalidInput { .. } => "invalid_input",
            ReplayError::TooManyInputs { .. } => "too_many_inputs",
        };
        self.metrics
            .runs_rejected_total
            .with_label_values(&[reason])
            .inc();
        tracing::info!(run = %run.id, player = %run.meta.player, %refusal, "offline run rejected");
        let closing = Closing {
            reason: EndReason::Rejected,
            score: run.session.score(),
        };
        match self.append(run, &[], Some(closing), now_ms).await {
            Ok(()) => {
                run.ending = Some(Ending::Rejected);
                self.settle_quietly(run.id).await;
                RunError::Rejected(refusal)
            }
            Err(error) => error,
        }
    }

    /// Ends the run in Redis for `reason`, then records its result.
    async fn end(
        &self,
        run: &mut ActiveRun,
        reason: EndReason,
        now_ms: u64,
    ) -> Result<Ending, RunError> {
        let closing = Closing {
            reason,
            score: run.session.score(),
        };
        self.append(run, &[], Some(closing), now_ms).await?;
        Ok(self.finish(run, reason, now_ms).await)
    }

    /// Checkpoints `jumps` after the ones the run's log holds (and ends the run as `end` says). When the
    /// run ends, its index entry is moved a grace period ahead in the same round trip: the run is
    /// recorded by this node first, and by a sweeper only if this node does not.
    ///
    /// Not an `async fn`, which would keep its arguments beside the locals they are moved into: this
    /// future is part of every jump's handling, which stays within a kilobyte (the allocator's fast
    /// path; see the server's `handlers::run::jump`).
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn would hold its arguments twice"
    )]
    fn append<'a>(
        &'a self,
        run: &'a mut ActiveRun,
        jumps: &'a [Jump],
        end: Option<Closing>,
        now_ms: u64,
    ) -> impl Future<Output = Result<(), RunError>> + 'a {
        async move {
            let recorded = run.inputs.len();
            // The session holds the logged jumps, and the new ones too if they were applied first.
            debug_assert!(matches!(
                (run.session.jumps() as usize).checked_sub(recorded),
                Some(ahead) if ahead == 0 || ahead == jumps.len()
            ));
            let appended = match end {
                None => {
                    let live_ttl = self.live_ttl();
                    let refresh_ttl = run
                        .ttl_refreshed_ms
                        .is_none_or(|at| now_ms.saturating_sub(at) >= millis(live_ttl / 4))
                        .then_some(live_ttl);
                    let write = JumpWrite {
                        recorded,
                        driver: &run.driver,
                        live_log: &run.live_log,
                        now_ms,
                        refresh_ttl,
                    };
                    let written = jump_write::write_jumps(&self.store, run.id, jumps, write).await;
                    if refresh_ttl.is_some() && matches!(written, Ok(Appended::Done)) {
                        run.ttl_refreshed_ms = Some(now_ms);
                    }
                    written
                }
                Some(closing) => boxed(|| self.write_end(run, jumps, closing, now_ms)).await,
            };
            // An error after the write was sent leaves its outcome unknown: Redis may have applied it. And
            // a log found shorter than this node knows it means Redis lost writes: reload what it holds.
            run.uncertain = matches!(appended, Err(_) | Ok(Appended::OutOfSequence { .. }));
            let appended = appended?;
            match appended {
                Appended::Done => {
                    run.inputs.extend_from_slice(jumps);
                    Ok(())
                }
                Appended::OutOfSequence { jumps } => Err(RunError::OutOfSequence {
                    expected: u32::try_from(jumps).unwrap_or(u32::MAX),
                    got: u32::try_from(recorded).unwrap_or(u32::MAX),
                }),
                Appended::NotActive => Err(RunError::RunOver {
                    run: run.id,
                    score: run.session.score(),
                }),
                Appended::NotDriver => Err(RunError::NotDriver(run.id)),
            }
        }
    }

    /// Ends the run in Redis (with its last `jumps`, after the first `recorded`), moves its index entry
    /// a grace period ahead and frees its live slot, all at once; for a run that will be recorded, the
    /// player's bests its recording starts from are read beside them.
    async fn write_end(
        &self,
        run: &mut ActiveRun,
        jumps: &[Jump],
        closing: Closing,
        now_ms: u64,
    ) -> Result<Appended, StoreError> {
        let Closing { reason, score } = closing;
        let step = EndStep {
            logged: &run.inputs,
            reason,
            driver: Some(&run.driver),
            now_ms,
            // A rejected run is settled at once: nothing is left to record.
            ttl: if reason == EndReason::Rejected {
                self.settings.settled_retention
            } else {
                ENDED_RUN_TTL
            },
            fence_ttl: self.live_ttl(),
        };
        let due_ms = now_ms.saturating_add(millis(self.settings.settle_grace));
        // The bests the recording starts from are read beside the end (a period run that will be
        // recorded): one round trip less between the end and the result.
        let will_record = reason != EndReason::Rejected && run.meta.challenge.is_none();
        // So are the friends, for a run its start expects to be a new weekly best (who it passed).
        let friends = run
            .weekly_hint
            .is_some_and(|hint| hint.beaten_by(score, now_ms));
        let prior = async {
            if will_record {
                self.recorder
                    .prior_bests(&run.meta.player, now_ms, friends)
                    .await
            } else {
                None
            }
        };
        let (appended, scheduled, released, prior) = tokio::join!(
            checkpoint::end(&self.store, run.id, jumps, step),
            index::schedule(&self.store, run.id, due_ms),
            quota::release(&self.store, &run.meta.player, run.id),
            prior,
        );
        run.prior_bests = prior
            .filter(|_| matches!(appended, Ok(Appended::Done)))
            .map(Box::new);
        if let Err(error) = scheduled {
            // The run stays listed from its start, due when it would have timed out.
            tracing::debug!(error = %ErrorChain(&error), run = %run.id, "an ended run keeps its first index entry");
        }
        if let Err(error) = released {
            // Its live slot frees itself when the run would have timed out.
            tracing::debug!(error = %ErrorChain(&error), run = %run.id, "an ended run keeps its live slot a while");
        }
        appended
    }

    /// Reloads `run` from Redis, as a resume would, if a write of it failed after it was sent: a retried
    /// request is then answered from what Redis holds (the same answer, and for an ended run its
    /// result, if the write was applied; a fresh attempt if not), never refused as out of sequence.
    async fn reload_if_uncertain(&self, run: &mut ActiveRun) -> Result<(), RunError> {
        if run.uncertain {
            *run = self.resume(&run.meta.player.clone(), run.id).await?;
        }
        Ok(())
    }

    /// Counts the run's end and records its result now, or leaves it pending.
    async fn finish(&self, run: &mut ActiveRun, reason: EndReason, now_ms: u64) -> Ending {
        match reason {
            EndReason::Abandoned => self.metrics.runs_abandoned_total.inc(),
            _ => self.metrics.runs_finished_total.inc(),
        }
        let prior = run.prior_bests.take().map(|prior| *prior);
        // The run's end was written, so Redis holds exactly these jumps as its log.
        let ending = self
            .record_or_queue_after(finished(run, reason, now_ms), prior, Some(&run.inputs))
            .await;
        run.ending = Some(ending.clone());
        ending
    }

    /// Records `finished` now; if Redis cannot take it, queues it for a quick retry (or, with the queue
    /// full, leaves it to a sweeper: it is in the index either way) and says it is pending.
    async fn record_or_queue(&self, finished: FinishedRun) -> Ending {
        self.record_or_queue_after(finished, None, None).await
    }

    /// [`RunService::record_or_queue`], given the player's bests read since the run ended and the
    /// run's jumps as Redis holds them, if known (see [`ResultRecorder::record_after`]).
    async fn record_or_queue_after(
        &self,
        finished: FinishedRun,
        prior: Option<PriorBests>,
        inputs: Option<&[Jump]>,
    ) -> Ending {
        match self.recorder.record_after(&finished, prior, inputs).await {
            Ok(report) => Ending::Recorded(Box::new(report)),
            Err(error) => {
                tracing::warn!(run = %finished.run_id, error = %ErrorChain(&error), "recording a run result failed; it is pending");
                if !self.pending.enqueue(finished) {
                    tracing::warn!("the pending-results queue is full; a sweeper records the run");
                }
                Ending::Pending
            }
        }
    }

    /// Settles run `id` as a sweeper found it due at `now_ms`: records an ended run, ends and records a
    /// run idle past the timeout, moves a live one to when it would time out, and drops what is settled
    /// or gone from the index.
    async fn settle(&self, id: RunId, now_ms: u64) -> Result<(), RunError> {
        let Some(stored) = checkpoint::load(&self.store, id, None).await? else {
            index::settle(&self.store, id).await?;
            return Ok(());
        };
        match stored.state {
            // Settled already: nothing to replay, only the index entry to drop.
            RunState::Ended { recorded: true, .. }
            | RunState::Ended {
                reason: EndReason::Rejected,
                ..
            } => index::settle(&self.store, id).await?,
            RunState::Ended { reason, at_ms, .. } => {
                let (session, _) = replay(id, &stored)?;
                let finished = FinishedRun {
                    run_id: id,
                    player: stored.meta.player.clone(),
                    summary: session.summary(),
                    reason,
                    finished_at_ms: at_ms,
                    challenge: stored.meta.challenge,
                };
                // The log just loaded is the ended run's.
                let report = self
                    .recorder
                    .record_after(&finished, None, Some(&stored.inputs))
                    .await?;
                self.metrics
                    .runs_swept_total
                    .with_label_values(&["recorded"])
                    .inc();
                self.recorder.deliver(&finished, &report).await;
            }
            RunState::Active => {
                let (session, _) = replay(id, &stored)?;
                let last_ms = stored.last_jump_ms.unwrap_or(stored.meta.started_at_ms);
                let timeout_ms = last_ms.saturating_add(millis(self.settings.idle_timeout));
                if now_ms < timeout_ms {
                    index::schedule(&self.store, id, timeout_ms).await?;
                    return Ok(());
                }
                let step = EndStep {
                    logged: &stored.inputs,
                    reason: EndReason::TimedOut,
                    driver: None,
                    now_ms,
                    ttl: ENDED_RUN_TTL,
                    fence_ttl: self.live_ttl(),
                };
                if checkpoint::end(&self.store, id, &[], step).await? != Appended::Done {
                    // A jump or an end came meanwhile: look again at the next sweep.
                    return Ok(());
                }
                self.metrics.runs_finished_total.inc();
                let finished = FinishedRun {
                    run_id: id,
                    player: stored.meta.player.clone(),
                    summary: session.summary(),
                    reason: EndReason::TimedOut,
                    finished_at_ms: now_ms,
                    challenge: stored.meta.challenge,
                };
                let _ = quota::release(&self.store, &stored.meta.player, id).await;
                // Ended with no jump added: its log is the one loaded.
                let report = self
                    .recorder
                    .record_after(&finished, None, Some(&stored.inputs))
                    .await?;
                self.metrics
                    .runs_swept_total
                    .with_label_values(&["timed_out"])
                    .inc();
                self.recorder.deliver(&finished, &report).await;
            }
        }
        Ok(())
    }

    /// Removes a settled run from the index; a failure only leaves it for a sweeper to remove.
    async fn settle_quietly(&self, id: RunId) {
        if let Err(error) = index::settle(&self.store, id).await {
            tracing::debug!(error = %ErrorChain(&error), run = %id, "a settled run stays in the index until swept");
        }
    }

    /// Redis TTL of a live run's keys, refreshed by every jump: past the idle timeout, with a margin for
    /// the sweep that ends it.
    fn live_ttl(&self) -> Duration {
        self.settings.idle_timeout * 2
    }
}

/// `run` after its last jump, applied to its session, was not checkpointed (`error`): the session back
/// to the jumps its log holds, replayed (a failed write only), and `error` as it reads without the
/// jump. Should the replay fail, which the jumps it replays rule out, the run is reloaded from Redis
/// before its next use.
fn unapplied(run: &mut ActiveRun, error: RunError) -> RunError {
    match replay_session(run.meta.seed, run.meta.ruleset, &run.inputs) {
        Ok(session) => run.session = session,
        Err(_) => run.uncertain = true,
    }
    match error {
        RunError::RunOver { run: id, .. } => RunError::RunOver {
            run: id,
            score: run.session.score(),
        },
        other => other,
    }
}

/// A stored run's engine state and its last jump's outcome, by replay.
pub(crate) fn replay(
    id: RunId,
    stored: &StoredRun,
) -> Result<(GameSession, Option<JumpOutcome>), RunError> {
    let unreplayable = |source| RunError::Corrupt(LoadError::Unreplayable { run: id, source });
    let Some((last, before)) = stored.inputs.split_last() else {
        return Ok((
            GameSession::new(stored.meta.seed, stored.meta.ruleset),
            None,
        ));
    };
    let mut session =
        replay_session(stored.meta.seed, stored.meta.ruleset, before).map_err(unreplayable)?;
    let outcome = session.apply(*last).map_err(|error| {
        unreplayable(match error {
            SessionError::RunOver => ReplayError::InputAfterRunOver {
                index: before.len(),
            },
            SessionError::InvalidJump(reason) => ReplayError::InvalidInput {
                index: before.len(),
                reason,
            },
            SessionError::TooManyJumps { max } => ReplayError::TooManyInputs {
                count: stored.inputs.len(),
                max,
            },
        })
    })?;
    Ok((session, Some(outcome)))
}

/// What a refused or failed start has still to take back from Redis.
#[derive(Debug, Clone, Copy)]
struct StartUndo {
    /// The run's record.
    run: bool,
    /// Its index entry.
    index: bool,
    /// The player's live-run slot it took.
    slot: bool,
}

/// Tries, after the first, at taking back a start that did not happen; they wait 1, 2, 4, 8 and 16 s.
const START_UNDO_RETRIES: u32 = 5;

/// The wait before the first of [`START_UNDO_RETRIES`].
const START_UNDO_BACKOFF: Duration = Duration::from_secs(1);

/// How a run being checkpointed ends: why, and the score it ends with (after the jumps written with
/// its end).
#[derive(Debug, Clone, Copy)]
struct Closing {
    reason: EndReason,
    score: u32,
}

/// The run as a finished one, ended for `reason` at `at_ms`.
fn finished(run: &ActiveRun, reason: EndReason, at_ms: u64) -> FinishedRun {
    FinishedRun {
        run_id: run.id,
        player: run.meta.player.clone(),
        summary: run.session.summary(),
        reason,
        finished_at_ms: at_ms,
        challenge: run.meta.challenge,
    }
}

/// A fresh token naming the connection that drives a run: 16 lowercase hex digits of a random number,
/// written directly (each run starts one; `format!` cost more than the rest of its key work).
fn new_driver() -> String {
    driver_token(rand::random::<u64>())
}

/// `value` as 16 lowercase hex digits.
fn driver_token(value: u64) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    (0..16)
        .rev()
        .map(|nibble| char::from(DIGITS[((value >> (nibble * 4)) & 0xf) as usize]))
        .collect()
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use game_logic::{Bot, Skill};

    #[test]
    fn a_driver_token_is_its_number_in_sixteen_hex_digits() {
        for value in [0, 1, 0xf, 0x0123_4567_89ab_cdef, u64::MAX] {
            assert_eq!(driver_token(value), format!("{value:016x}"));
        }
    }

    /// A run whose last jump was applied to its session and then not checkpointed: the session is back
    /// at the logged jumps, and a refusal reports the score without the jump.
    #[test]
    fn a_jump_not_checkpointed_is_taken_back_out_of_the_session() {
        let (seed, ruleset) = (42, Ruleset::V1);
        let id = RunId::from_bytes([7; 16]);
        let mut bot = Bot::new(Skill::PERFECT, ruleset, seed);
        let mut session = GameSession::new(seed, ruleset);
        let mut inputs = Vec::new();
        for _ in 0..3 {
            let jump = bot.next_jump(session.world());
            session
                .apply(jump)
                .expect("a perfect bot's jumps are valid");
            inputs.push(jump);
        }
        let logged = session.clone();
        // The fourth jump, applied in place and then refused by Redis.
        let extra = bot.next_jump(session.world());
        session.apply(extra).expect("valid");
        assert!(session.score() > logged.score(), "a centre hit scores");
        let mut run = ActiveRun {
            id,
            meta: RunMeta {
                player: PlayerId::new("taken-back").expect("a valid id"),
                seed,
                ruleset,
                mode: RunMode::Solo,
                started_at_ms: 0,
                challenge: None,
            },
            session,
            guard: TimingGuard::new(0, None, Duration::ZERO),
            last_outcome: None,
            ending: None,
            inputs,
            driver: driver_token(1),
            live_log: LiveLog::new(&id, 1),
            ttl_refreshed_ms: None,
            uncertain: false,
            prior_bests: None,
            weekly_hint: None,
        };
        let refusal = RunError::RunOver { run: id, score: 0 };
        let error = unapplied(&mut run, refusal);
        assert_eq!(run.session.jumps(), 3);
        assert_eq!(run.session.score(), logged.score());
        assert!(!run.uncertain, "replayed, not left to a reload");
        assert!(
            matches!(error, RunError::RunOver { run, score } if run == id && score == logged.score()),
            "{error:?}"
        );
        assert!(matches!(
            unapplied(&mut run, RunError::NotDriver(id)),
            RunError::NotDriver(_)
        ));
    }
}
