//! A run that has ended, and the report its player gets.

use game_logic::RunSummary;
use protocol::{ChallengeId, PlayerId, RunId};

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// A jump ended it (the figure fell or tipped).
    GameOver,
    /// The player abandoned it.
    Abandoned,
    /// Nobody played it for longer than the run idle timeout.
    TimedOut,
    /// A whole run submitted from offline play, verified by replay.
    OfflineVerified,
    /// An offline run that failed verification: ended, its score not counted.
    Rejected,
}

impl EndReason {
    /// The name stored in the run's record and used as a metric label.
    pub const fn as_str(self) -> &'static str {
        match self {
            EndReason::GameOver => "game_over",
            EndReason::Abandoned => "abandoned",
            EndReason::TimedOut => "timed_out",
            EndReason::OfflineVerified => "offline_verified",
            EndReason::Rejected => "rejected",
        }
    }

    /// The reason a run's record names.
    pub(crate) fn parse(text: &str) -> Option<EndReason> {
        [
            EndReason::GameOver,
            EndReason::Abandoned,
            EndReason::TimedOut,
            EndReason::OfflineVerified,
            EndReason::Rejected,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == text)
    }
}

/// Everything needed to record a run's result, possibly later, from the retry queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedRun {
    /// The run.
    pub run_id: RunId,
    /// Whose run it was.
    pub player: PlayerId,
    /// The verified figures of the run.
    pub summary: RunSummary,
    /// Why it ended.
    pub reason: EndReason,
    /// Unix ms when it ended: the time its score was reached, which orders ties on the leaderboards.
    pub finished_at_ms: u64,
    /// The challenge it was played on: its score counts on that challenge's board, not the period
    /// boards.
    pub challenge: Option<ChallengeId>,
}
