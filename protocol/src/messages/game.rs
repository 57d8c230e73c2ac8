//! Game messages: starting, playing, abandoning and submitting runs, and how a run ends.

use game_logic::{Jump, JumpOutcome, Ruleset, World};
use serde::{Deserialize, Serialize};

use crate::bounded::BoundedVec;
use crate::ids::{ChallengeId, DisplayName, PlayerId, RunId, u64_text};
use crate::limits::{MAX_JUMPS_PER_SUBMIT, MAX_PASSED_FRIENDS};

/// How to start a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartMode {
    /// A new run on a seed the server draws.
    Solo,
    /// Withdrawn: a run on a raw seed. Servers refuse it with `bad_request` (a seed is not a challenge a
    /// player can be trusted to have been handed); use `ChallengeRun`. Kept so the variants after it keep
    /// their position.
    Challenge {
        /// The seed (text in JSON).
        #[serde(with = "u64_text")]
        seed: u64,
    },
    /// A run to be played offline and submitted whole with `SubmitRun`.
    Offline,
    /// A run on the course of a challenge a player shared (`CreateChallenge`): same seed and rules as
    /// the shared run. It ranks on the challenge's own board, not on the period boards.
    ChallengeRun {
        /// The challenge.
        challenge: ChallengeId,
    },
}

/// Start a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartRun {
    /// Solo, challenge or offline.
    pub mode: StartMode,
}

/// The answer to `StartRun`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStarted {
    /// The run; also the token to resume it after a disconnect.
    pub run_id: RunId,
    /// Its seed (text in JSON): with `ruleset`, everything needed to simulate it locally.
    #[serde(with = "u64_text")]
    pub seed: u64,
    /// Its rules.
    pub ruleset: Ruleset,
    /// The start platform, the first next platform and the figure.
    pub world: World,
}

/// One live jump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JumpRequest {
    /// The run.
    pub run_id: RunId,
    /// Index of this jump in the run, from 0. Sending the last applied `seq` again returns the same
    /// answer without applying it twice.
    pub seq: u32,
    /// Press duration, ms.
    pub press_ms: u32,
    /// Time standing still before the press, ms.
    pub dwell_ms: u32,
}

impl JumpRequest {
    /// The engine input.
    pub const fn jump(&self) -> Jump {
        Jump {
            press_ms: self.press_ms,
            dwell_ms: self.dwell_ms,
        }
    }
}

/// The answer to a jump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JumpResult {
    /// What the server's simulation computed: landing, points, combo, score, the world after the jump.
    pub outcome: JumpOutcome,
    /// Set when this jump ended the run.
    pub ended: Option<RunEnd>,
}

/// Abandon a run: it ends, and its score so far counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Abandon {
    /// The run.
    pub run_id: RunId,
}

/// A chunk of an offline run. Client frames are at most 4 KiB, so a long run comes in several chunks,
/// each continuing where the previous stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitRun {
    /// The run (started with `StartMode::Offline`).
    pub run_id: RunId,
    /// Index of the first jump of this chunk: the number of jumps already submitted.
    pub first_seq: u32,
    /// The jumps, in order.
    pub jumps: BoundedVec<Jump, MAX_JUMPS_PER_SUBMIT>,
    /// True on the final chunk: the server then verifies the whole run and records it.
    pub last: bool,
}

/// The answer to `SubmitRun` and `Abandon`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmitAck {
    /// A chunk was accepted; send the next one from `next_seq`.
    Accepted {
        /// The `first_seq` of the next chunk.
        next_seq: u32,
    },
    /// The run ended.
    Ended(RunEnd),
}

/// How an ended run's result stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunEnd {
    /// Recorded: the final figures.
    Over(RunOver),
    /// Being recorded (the store is briefly unavailable); `Push::RunResult` brings the figures.
    Pending {
        /// The run.
        run_id: RunId,
        /// Its final score, already certain.
        final_score: u32,
    },
}

/// Per board period, whether a run set a new personal best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewBest {
    /// Today's board.
    pub daily: bool,
    /// This week's board.
    pub weekly: bool,
    /// The all-time board.
    pub all_time: bool,
}

/// A friend whose best a run passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassedFriend {
    /// The friend.
    pub player: PlayerId,
    /// Their display name, if they set one.
    pub name: Option<DisplayName>,
    /// Their best on the board that was passed.
    pub score: u32,
}

/// The final figures of a recorded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunOver {
    /// The run.
    pub run_id: RunId,
    /// Its seed, for sharing as a challenge (text in JSON).
    #[serde(with = "u64_text")]
    pub seed: u64,
    /// The final score.
    pub final_score: u32,
    /// New personal bests per period.
    pub new_best: NewBest,
    /// Friends passed on this week's board (a tie does not pass), at most 100.
    pub passed: BoundedVec<PassedFriend, MAX_PASSED_FRIENDS>,
    /// How many friends were passed in all (may exceed the list).
    pub passed_count: u32,
    /// Rank among friends (player included, 1 = first) on this week's board before the run.
    pub friend_rank_before: Option<u32>,
    /// The same rank after the run.
    pub friend_rank_after: Option<u32>,
}
