//! Replays: a player's best run of a board period, kept by the server with its inputs so a friend's client
//! can watch it, or race it as a ghost, by replaying it with the rules.

use game_logic::{Jump, Ruleset};
use serde::{Deserialize, Serialize};

use crate::bounded::BoundedVec;
use crate::ids::{ChallengeId, DisplayName, PlayerId, RunId, u64_text};
use crate::limits::MAX_REPLAY_JUMPS;
use crate::messages::leaderboard::Period;

/// Read a player's best run of this period (daily, weekly or all-time): yours, or a friend's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadReplay {
    /// Whose best run.
    pub player: PlayerId,
    /// Of which period (the one running now).
    pub period: Period,
}

/// A best run: its course and every input, enough to replay it exactly with the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replay {
    /// Whose run.
    pub player: PlayerId,
    /// Their display name, if set.
    pub name: Option<DisplayName>,
    /// The period it is the best of, e.g. `w2026-11-23`, `d2026-11-24`, `all`.
    pub period_id: String,
    /// The run.
    pub run_id: RunId,
    /// Its seed (text in JSON).
    #[serde(with = "u64_text")]
    pub seed: u64,
    /// Its rules.
    pub ruleset: Ruleset,
    /// Its final score.
    pub score: u32,
    /// Unix ms when it ended.
    pub reached_at_ms: u64,
    /// Its inputs, in order: the first 1,500 (a longer run's ghost stops there).
    pub jumps: BoundedVec<Jump, MAX_REPLAY_JUMPS>,
    /// How many jumps the run had.
    pub jumps_total: u32,
    /// The challenge this run was shared as, if its player shared it: a run started on it races the ghost
    /// on the same course.
    pub challenge: Option<ChallengeId>,
}
