//! A run being played on this connection: the replayed engine state plus what the server needs to
//! check the next input (timing, sequence, retries).

use std::time::Instant;

use game_logic::{GameSession, JumpOutcome};
use protocol::RunId;

use super::checkpoint::RunMeta;
use super::finished::FinishedRun;
use super::results::RunReport;
use super::timing_guard::TimingGuard;

/// What became of a run that ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Its result is recorded.
    Recorded(RunReport),
    /// Its result is in the retry queue; the report will be pushed when recorded.
    Pending,
    /// Its result could not be recorded nor queued yet; retrying the last request records it.
    Unrecorded(Box<FinishedRun>),
    /// An offline run that failed verification: ended, its score not counted.
    Rejected,
}

/// A run in progress (or just ended) on this connection.
#[derive(Debug, Clone)]
pub struct ActiveRun {
    pub(super) id: RunId,
    pub(super) meta: RunMeta,
    pub(super) session: GameSession,
    pub(super) guard: TimingGuard,
    pub(super) last_outcome: Option<JumpOutcome>,
    pub(super) last_touched: Instant,
    pub(super) ending: Option<Ending>,
}

impl ActiveRun {
    /// The run's id, which is also the client's resume token.
    pub const fn id(&self) -> RunId {
        self.id
    }

    /// The run's fixed facts.
    pub const fn meta(&self) -> &RunMeta {
        &self.meta
    }

    /// The engine state: world, score, combo, jumps so far.
    pub const fn session(&self) -> &GameSession {
        &self.session
    }

    /// How the run ended, once it has.
    pub const fn ending(&self) -> Option<&Ending> {
        self.ending.as_ref()
    }
}
