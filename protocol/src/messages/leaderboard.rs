//! Leaderboard messages: boards per period and scope, and a player's own standing.

use serde::{Deserialize, Serialize};

use crate::bounded::BoundedVec;
use crate::ids::{DisplayName, PlayerId};
use crate::limits::MAX_BOARD_ENTRIES;

/// Which time window a board covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Today (the server's configured time zone).
    Daily,
    /// This week, from the configured reset (Monday 00:00 by default).
    Weekly,
    /// Since the beginning.
    AllTime,
}

/// Whose scores a board ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The player and their friends.
    Friends,
    /// Everybody.
    Global,
}

/// A board: a period and a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Board {
    /// The time window.
    pub period: Period,
    /// Whose scores.
    pub scope: Scope,
}

/// Which part of a board to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardWindow {
    /// The best entries: `limit` (1 to 100) from rank `after + 1` (`after` = the last rank already read,
    /// `None` for the top).
    Top {
        /// Entries to return, 1 to 100.
        limit: u8,
        /// The last rank already read.
        after: Option<u32>,
    },
    /// The entries around the player: up to `radius` (0 to 50) above and below.
    Around {
        /// Entries on each side, 0 to 50.
        radius: u8,
    },
}

/// Read a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadBoard {
    /// Which board.
    pub board: Board,
    /// Which part of it.
    pub window: BoardWindow,
}

/// One ranked entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardEntry {
    /// 1-based rank on the board (within the scope: among friends for a friends board).
    pub rank: u32,
    /// The player.
    pub player: PlayerId,
    /// Their display name, if set.
    pub name: Option<DisplayName>,
    /// Their best score in the period.
    pub score: u32,
    /// Unix ms when they first reached it (earlier ranks first on a tie).
    pub reached_at_ms: u64,
}

/// A page of a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardPage {
    /// Which board.
    pub board: Board,
    /// The period's identifier, e.g. `w2026-11-23` (its first day), `d2026-11-24`, `all`.
    pub period_id: String,
    /// The entries, best first.
    pub entries: BoundedVec<BoardEntry, MAX_BOARD_ENTRIES>,
    /// Entries on the whole board (within the scope).
    pub total: u32,
}

/// Read the player's own standing on every period of a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadStanding {
    /// Friends or global.
    pub scope: Scope,
}

/// A player's place on one board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Which board.
    pub board: Board,
    /// 1-based rank; `None` without a score in the period.
    pub rank: Option<u32>,
    /// Best score in the period (0 without one).
    pub score: u32,
    /// Entries on the board.
    pub total: u32,
}

/// The answer to `ReadStanding`: one placement per period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// Daily, weekly and all-time placements.
    pub placements: BoundedVec<Placement, 3>,
}
