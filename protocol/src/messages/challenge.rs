//! Challenges: a player shares the course of one of their runs; friends play the same course and rank on
//! the challenge's own board.

use game_logic::Ruleset;
use serde::{Deserialize, Serialize};

use crate::bounded::BoundedVec;
use crate::ids::{ChallengeId, DisplayName, PlayerId, RunId, u64_text};
use crate::limits::MAX_BOARD_ENTRIES;
use crate::messages::leaderboard::BoardEntry;

/// Share the course of one of your ended runs as a challenge. Sharing the same run again answers the
/// same challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateChallenge {
    /// The run, which must be yours and over.
    pub run_id: RunId,
}

/// A challenge: what a share link carries, and what a challenger sees before playing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// The id to share (in a link) and to start a `ChallengeRun` with.
    pub challenge: ChallengeId,
    /// Who shared it.
    pub owner: PlayerId,
    /// Their display name, if set.
    pub owner_name: Option<DisplayName>,
    /// The score of the shared run: the one to beat.
    pub owner_score: u32,
    /// The course: seed (text in JSON) and rules, the same as the shared run's.
    #[serde(with = "u64_text")]
    pub seed: u64,
    /// The rules.
    pub ruleset: Ruleset,
    /// Unix ms after which the challenge and its board are gone.
    pub expires_at_ms: u64,
}

/// Read a challenge and a page of its board, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadChallenge {
    /// The challenge.
    pub challenge: ChallengeId,
    /// Entries to return, 0 to 100 (0: the challenge only).
    pub limit: u8,
    /// The last rank already read (`None` for the top).
    pub after: Option<u32>,
}

/// A challenge and a page of its board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengePage {
    /// The challenge.
    pub challenge: Challenge,
    /// Its best runs, one per player (their best), ranked; the owner's shared run included.
    pub entries: BoundedVec<BoardEntry, MAX_BOARD_ENTRIES>,
    /// Players on the board.
    pub total: u32,
}
