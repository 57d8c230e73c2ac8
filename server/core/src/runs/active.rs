//! A run being played (or just ended) on this connection: the replayed engine state plus what the server
//! needs to check the next input (timing, sequence, retries) and to prove it still drives the run.

use game_logic::{GameSession, Jump, JumpOutcome};
use protocol::RunId;

use super::checkpoint::{LiveLog, RunMeta};
use super::results::RunReport;
use super::timing_guard::TimingGuard;
use crate::leaderboards::{PriorBests, WeeklyBestHint};

/// What became of a run that ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Its result is recorded. Boxed: an active run holds its ending beside the state each jump reads,
    /// and a report inline made every run 40 bytes larger.
    Recorded(Box<RunReport>),
    /// Its result is not recorded yet (Redis failed); it is retried, and pushed to the player when
    /// recorded. The run is ended in Redis and listed for the sweepers, so it is never lost.
    Pending,
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
    pub(super) ending: Option<Ending>,
    /// The jumps its log holds, as this node wrote or loaded them: its end writes them as the ended
    /// run's log, so Redis does not rebuild that from the live log's entries.
    pub(super) inputs: Vec<Jump>,
    /// The token proving this connection drives the run (the checkpoint refuses appends from others).
    pub(super) driver: String,
    /// The epoch this connection drives the run at, whose live log its writes go to.
    pub(super) live_log: LiveLog,
    /// Unix ms when this connection last refreshed the run's TTL (`None`: at its next write).
    pub(super) ttl_refreshed_ms: Option<u64>,
    /// A write of this run failed after it was sent: Redis may have applied it and lost only the reply,
    /// so this copy may be behind Redis. The next operation reloads the run first.
    pub(super) uncertain: bool,
    /// The player's bests read beside the run's end, for its recording to start from (taken by it).
    /// Boxed: read once, at the end, and a hundred bytes inline among the fields every jump reads.
    pub(super) prior_bests: Option<Box<PriorBests>>,
    /// The player's weekly best as the run's start read it (`None`: not read, as on a resume): whether
    /// its end reads the friend list ahead for the recording.
    pub(super) weekly_hint: Option<WeeklyBestHint>,
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

    /// Unix ms of the run's last activity (its last jump, or its start): the idle timeout counts from
    /// here.
    pub(super) fn last_activity_ms(&self) -> u64 {
        self.guard.last_jump_ms().unwrap_or(self.meta.started_at_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every jump reads its run's state, from memory on a busy node (a thousand other connections' jumps
    /// since this one's last): what only a run's end reads is kept out of line, so the state a jump
    /// reads takes fewer cache lines. 696 bytes with the report and the prior bests inline; 560 when
    /// this was written.
    #[test]
    fn an_active_run_keeps_what_only_its_end_reads_out_of_line() {
        assert_eq!(std::mem::size_of::<Option<Box<PriorBests>>>(), 8);
        assert!(std::mem::size_of::<Option<Ending>>() <= 32);
        let run = std::mem::size_of::<ActiveRun>();
        assert!(run <= 576, "an active run is {run} bytes");
    }
}
