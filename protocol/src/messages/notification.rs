//! Notifications: listing and acknowledging the inbox, and everything the server pushes.

use serde::{Deserialize, Serialize};

use crate::bounded::BoundedVec;
use crate::ids::{DisplayName, NotificationId, PlayerId};
use crate::limits::{MAX_NOTIFICATIONS_PER_PAGE, MAX_SUMMARY_NAMES};
use crate::messages::game::RunOver;
use crate::messages::leaderboard::Board;

/// List inbox notifications newer than `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListNotifications {
    /// Only notifications after this id; `None` for the oldest unacknowledged.
    pub after: Option<NotificationId>,
    /// At most this many, 1 to 100.
    pub limit: u8,
}

/// Acknowledge every notification up to and including `up_to`: they are never delivered again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckNotifications {
    /// The newest notification the client has shown.
    pub up_to: NotificationId,
}

/// A page of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPage {
    /// Oldest first.
    pub notifications: BoundedVec<Notification, MAX_NOTIFICATIONS_PER_PAGE>,
    /// True when more follow the last one.
    pub more: bool,
}

/// A durable notification: stored in the player's inbox until acknowledged, and pushed live if they
/// are connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Its id, for acknowledgement.
    pub id: NotificationId,
    /// Unix ms when it was created.
    pub created_ms: u64,
    /// What happened.
    pub event: Event,
}

/// What a notification tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A friend's new best passed yours.
    FriendPassed {
        /// The friend.
        friend: PlayerId,
        /// Their display name, if set.
        name: Option<DisplayName>,
        /// Their new best.
        their_score: u32,
        /// Your best on that board.
        your_score: u32,
        /// The board.
        board: Board,
    },
    /// Several friends passed you within a short window: one summary instead of a flood.
    FriendsPassedSummary {
        /// How many friends passed you.
        count: u32,
        /// Some of their names (at most 5).
        names: BoundedVec<DisplayName, MAX_SUMMARY_NAMES>,
        /// The best of their new scores.
        best_score: u32,
        /// Your best on that board.
        your_score: u32,
        /// The board.
        board: Board,
    },
    /// Someone asked to be your friend.
    FriendRequestReceived {
        /// Who.
        from: PlayerId,
        /// Their display name, if set.
        name: Option<DisplayName>,
    },
    /// Someone accepted your friend request.
    FriendRequestAccepted {
        /// Who.
        by: PlayerId,
        /// Their display name, if set.
        name: Option<DisplayName>,
    },
}

/// Why the server is closing the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoodbyeReason {
    /// The node is shutting down; reconnect (to any node) after the delay.
    ShuttingDown,
    /// The same player logged in on another connection.
    ReplacedByNewLogin,
    /// Too many messages.
    RateLimited,
    /// The token expired.
    TokenExpired,
    /// The client was silent too long.
    IdleTimeout,
}

/// Everything the server sends without being asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Push {
    /// A new notification (also kept in the inbox until acknowledged).
    Notification(Notification),
    /// A run whose result was pending is now recorded.
    RunResult(RunOver),
    /// The server is about to close the connection.
    Goodbye {
        /// Why.
        reason: GoodbyeReason,
        /// Wait at least this long before reconnecting (0: at once).
        reconnect_after_ms: u32,
    },
}
