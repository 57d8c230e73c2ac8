//! Authoritative game runs: the server draws each seed, simulates every jump with `game-logic`,
//! checkpoints the input log to Redis after every jump, and records the result when the run ends.
//!
//! This module knows nothing of sockets: `handlers::run` translates requests into these calls. A run is
//! resumable on any node from its Redis record by deterministic replay; a result Redis cannot take at once
//! goes to the bounded retry queue in `pending`.

mod active;
pub mod checkpoint;
mod finished;
pub mod input_log;
pub mod pending;
pub mod results;
mod timing_guard;

use crate::error_chain::ErrorChain;
use std::sync::Arc;
use std::time::{Duration, Instant};

use game_logic::{
    GameSession, Jump, JumpOutcome, ReplayError, Ruleset, SessionError, replay_session,
};
use protocol::{PlayerId, RunId};
use thiserror::Error;

pub use active::{ActiveRun, Ending};
pub use checkpoint::{RunMeta, RunMode};
pub use finished::{EndReason, FinishedRun};
pub use pending::{PendingResults, QueueFull, ResultListener};
pub use results::{ResultRecorder, RunReport};
pub use timing_guard::{TimingGuard, TooFast};

use crate::metrics::Metrics;
use crate::store::{Store, StoreError};
use checkpoint::{Appended, LoadError};

/// How long an ended run stays readable (for a resume that arrives after the end).
pub const ENDED_RUN_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long finishing a run waits for room in the retry queue before telling the client to retry.
const QUEUE_WAIT: Duration = Duration::from_secs(2);

/// Settings of the run service.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// A live run untouched this long is ended.
    pub idle_timeout: Duration,
    /// Network jitter allowed by the timing checks.
    pub timing_tolerance: Duration,
    /// Capacity of the pending-results retry queue.
    pub pending_queue_len: usize,
}

/// How a client asks to start a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartMode {
    /// A fresh seed from the OS.
    Solo,
    /// A seed a friend shared.
    Challenge {
        /// The shared seed.
        seed: u64,
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
    /// The result queue is full; the run ended but its result waits here: retry the request.
    #[error("the server is busy recording results; retry the request")]
    Busy,
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

/// The runs of this node.
#[derive(Clone)]
pub struct RunService {
    store: Store,
    metrics: Arc<Metrics>,
    config: RunSettings,
    recorder: ResultRecorder,
    pending: PendingResults,
}

impl RunService {
    /// The service, with its retry queue started; `listener` hears of results the queue recorded.
    pub fn start(
        store: Store,
        metrics: Arc<Metrics>,
        config: RunSettings,
        recorder: ResultRecorder,
        listener: ResultListener,
    ) -> RunService {
        let pending = PendingResults::start(
            config.pending_queue_len,
            recorder.clone(),
            metrics.clone(),
            listener,
        );
        RunService {
            store,
            metrics,
            config,
            recorder,
            pending,
        }
    }

    /// The retry queue, for the shutdown drain.
    pub fn pending(&self) -> &PendingResults {
        &self.pending
    }

    /// Starts a run for `player`: draws the seed (unless a challenge names one) and writes the run's
    /// record before answering, so the run is resumable from its first jump.
    pub async fn start_run(
        &self,
        player: &PlayerId,
        mode: StartMode,
        now: Instant,
        now_ms: u64,
    ) -> Result<ActiveRun, RunError> {
        let (seed, run_mode) = match mode {
            StartMode::Solo => (rand::random(), RunMode::Solo),
            StartMode::Challenge { seed } => (seed, RunMode::Challenge),
            StartMode::Offline => (rand::random(), RunMode::Offline),
        };
        let id = RunId::from_bytes(rand::random());
        let meta = RunMeta {
            player: player.clone(),
            seed,
            ruleset: Ruleset::LATEST,
            mode: run_mode,
            started_at_ms: now_ms,
        };
        checkpoint::create(&self.store, id, &meta, self.live_ttl()).await?;
        self.metrics.runs_started_total.inc();
        Ok(self.activate(id, meta, GameSession::new(seed, Ruleset::LATEST), now))
    }

    /// Loads `player`'s run `id` from Redis and replays its log, to continue it on this connection. An
    /// ended run answers [`RunError::RunOver`].
    pub async fn resume(
        &self,
        player: &PlayerId,
        id: RunId,
        now: Instant,
    ) -> Result<ActiveRun, RunError> {
        let stored = checkpoint::load(&self.store, id)
            .await?
            .filter(|stored| &stored.meta.player == player)
            .ok_or(RunError::NotFound(id))?;
        let session = replay_session(stored.meta.seed, stored.meta.ruleset, &stored.inputs)
            .map_err(|source| RunError::Corrupt(LoadError::Unreplayable { run: id, source }))?;
        if !stored.active {
            return Err(RunError::RunOver {
                run: id,
                score: session.score(),
            });
        }
        Ok(self.activate(id, stored.meta, session, now))
    }

    fn activate(&self, id: RunId, meta: RunMeta, session: GameSession, now: Instant) -> ActiveRun {
        ActiveRun {
            id,
            guard: TimingGuard::new(meta.started_at_ms, self.config.timing_tolerance),
            meta,
            session,
            last_outcome: None,
            last_touched: now,
            ending: None,
        }
    }

    /// Applies live jump number `seq`. A retried `seq` (the last one applied) is answered again without
    /// being applied twice. The jump is checkpointed before it is answered; if Redis fails, nothing
    /// changes and the same request can be retried.
    pub async fn jump(
        &self,
        run: &mut ActiveRun,
        seq: u32,
        jump: Jump,
        now: Instant,
        now_ms: u64,
    ) -> Result<JumpReply, RunError> {
        if run.meta.mode == RunMode::Offline {
            return Err(RunError::WrongMode {
                run: run.id,
                mode: run.meta.mode,
                request: "a live jump",
            });
        }
        let applied = run.session.jumps();
        if seq + 1 == applied
            && let Some(outcome) = run.last_outcome
        {
            return self.retried(run, outcome).await;
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
        if now.saturating_duration_since(run.last_touched) > self.config.idle_timeout {
            let score = run.session.score();
            self.end(run, EndReason::TimedOut, now_ms).await?;
            return Err(RunError::RunOver { run: run.id, score });
        }
        game_logic::timing::check(run.meta.ruleset.params(), jump)
            .map_err(|invalid| RunError::InvalidJump(SessionError::InvalidJump(invalid)))?;
        if let Err(too_fast) = run.guard.check(&run.session, jump, now, now_ms) {
            self.metrics
                .runs_rejected_total
                .with_label_values(&["too_fast"])
                .inc();
            return Err(RunError::TooFast(too_fast));
        }
        let mut next = run.session.clone();
        let outcome = next.apply(jump).map_err(RunError::InvalidJump)?;
        let end = outcome.game_over.then_some(EndReason::GameOver);
        self.append(run, applied as usize, &[jump], end).await?;
        run.session = next;
        run.guard.accepted(now);
        run.last_touched = now;
        run.last_outcome = Some(outcome);
        self.metrics.jumps_total.inc();
        let ending = match end {
            Some(reason) => Some(self.finish(run, reason, now_ms).await?),
            None => None,
        };
        Ok(JumpReply { outcome, ending })
    }

    /// Answers a retried jump with its stored outcome, finishing the run's recording if a previous
    /// attempt could not.
    async fn retried(
        &self,
        run: &mut ActiveRun,
        outcome: JumpOutcome,
    ) -> Result<JumpReply, RunError> {
        let ending = match run.ending.clone() {
            Some(Ending::Unrecorded(finished)) => Some(self.record_or_queue(run, *finished).await?),
            other => other,
        };
        Ok(JumpReply { outcome, ending })
    }

    /// Ends the run at the player's request; its score so far counts.
    pub async fn abandon(&self, run: &mut ActiveRun, now_ms: u64) -> Result<Ending, RunError> {
        if let Some(ending) = run.ending.clone() {
            return match ending {
                Ending::Unrecorded(finished) => self.record_or_queue(run, *finished).await,
                recorded => Ok(recorded),
            };
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
        if run.meta.mode != RunMode::Offline {
            return Err(RunError::WrongMode {
                run: run.id,
                mode: run.meta.mode,
                request: "an offline submission",
            });
        }
        if let Some(ending) = run.ending.clone() {
            return match ending {
                Ending::Unrecorded(finished) => {
                    self.record_or_queue(run, *finished).await.map(Some)
                }
                Ending::Rejected | Ending::Recorded(_) | Ending::Pending => {
                    Err(RunError::RunOver {
                        run: run.id,
                        score: run.session.score(),
                    })
                }
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
            return Err(self.reject(run, refusal).await);
        }
        let elapsed_ms = now_ms
            .saturating_sub(run.meta.started_at_ms)
            .saturating_add(
                u64::try_from(self.config.timing_tolerance.as_millis()).unwrap_or(u64::MAX),
            );
        if next.min_duration_ms() > elapsed_ms {
            let refusal = ReplayError::TooFast {
                min_ms: next.min_duration_ms(),
                elapsed_ms,
            };
            return Err(self.reject(run, refusal).await);
        }
        let end = (last || next.is_over()).then_some(EndReason::OfflineVerified);
        self.append(run, applied as usize, jumps, end).await?;
        run.session = next;
        match end {
            Some(reason) => self.finish(run, reason, now_ms).await.map(Some),
            None => Ok(None),
        }
    }

    /// Ends an offline run that failed verification; its score does not count.
    async fn reject(&self, run: &mut ActiveRun, refusal: ReplayError) -> RunError {
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
        let applied = run.session.jumps() as usize;
        match self
            .append(run, applied, &[], Some(EndReason::OfflineVerified))
            .await
        {
            Ok(()) => {
                run.ending = Some(Ending::Rejected);
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
        let applied = run.session.jumps() as usize;
        self.append(run, applied, &[], Some(reason)).await?;
        self.finish(run, reason, now_ms).await
    }

    async fn append(
        &self,
        run: &ActiveRun,
        recorded: usize,
        jumps: &[Jump],
        end: Option<EndReason>,
    ) -> Result<(), RunError> {
        let ttl = if end.is_some() {
            ENDED_RUN_TTL
        } else {
            self.live_ttl()
        };
        match checkpoint::append(&self.store, run.id, recorded, jumps, end, ttl).await? {
            Appended::Done => Ok(()),
            Appended::OutOfSequence { jumps } => Err(RunError::OutOfSequence {
                expected: u32::try_from(jumps).unwrap_or(u32::MAX),
                got: u32::try_from(recorded).unwrap_or(u32::MAX),
            }),
            Appended::NotActive => Err(RunError::RunOver {
                run: run.id,
                score: run.session.score(),
            }),
        }
    }

    /// Records the ended run's result now, or queues it for retry.
    async fn finish(
        &self,
        run: &mut ActiveRun,
        reason: EndReason,
        now_ms: u64,
    ) -> Result<Ending, RunError> {
        match reason {
            EndReason::Abandoned => self.metrics.runs_abandoned_total.inc(),
            _ => self.metrics.runs_finished_total.inc(),
        }
        let finished = FinishedRun {
            run_id: run.id,
            player: run.meta.player.clone(),
            summary: run.session.summary(),
            reason,
            finished_at_ms: now_ms,
        };
        self.record_or_queue(run, finished).await
    }

    async fn record_or_queue(
        &self,
        run: &mut ActiveRun,
        finished: FinishedRun,
    ) -> Result<Ending, RunError> {
        let ending = match self.recorder.record(&finished).await {
            Ok(report) => Ending::Recorded(report),
            Err(error) => {
                tracing::warn!(run = %run.id, error = %ErrorChain(&error), "recording a run result failed; queueing it for retry");
                match self.pending.enqueue(finished, QUEUE_WAIT).await {
                    Ok(()) => Ending::Pending,
                    Err(QueueFull(finished)) => {
                        run.ending = Some(Ending::Unrecorded(finished));
                        return Err(RunError::Busy);
                    }
                }
            }
        };
        run.ending = Some(ending.clone());
        Ok(ending)
    }

    /// Redis TTL of a live run's keys, refreshed by every jump: past the idle timeout, with a margin for
    /// the resume that ends it.
    fn live_ttl(&self) -> Duration {
        self.config.idle_timeout * 2
    }
}
