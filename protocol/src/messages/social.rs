//! Social messages: friends, friend requests, blocks and display names.

use serde::{Deserialize, Serialize};

use crate::bounded::BoundedVec;
use crate::ids::{DisplayName, PlayerId};
use crate::limits::MAX_FRIENDS_PER_PAGE;

/// A request about one other player.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherPlayer {
    /// The other player.
    pub player: PlayerId,
}

/// List friends, a page at a time (ordered by player id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFriends {
    /// Start after this player id; `None` for the first page.
    pub after: Option<PlayerId>,
    /// Page size, 1 to 500.
    pub limit: u16,
}

/// Set the name other players see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetDisplayName {
    /// The new name.
    pub name: DisplayName,
}

/// One player in a social list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayerCard {
    /// The player.
    pub player: PlayerId,
    /// Their display name, if set.
    pub name: Option<DisplayName>,
    /// Unix ms since when the relation holds (friends since, request sent at).
    pub since_ms: u64,
}

/// A page of friends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendPage {
    /// The friends on this page.
    pub friends: BoundedVec<PlayerCard, MAX_FRIENDS_PER_PAGE>,
    /// Pass as `ListFriends::after` for the next page; `None` on the last page.
    pub next: Option<PlayerId>,
    /// Friends in all.
    pub total: u32,
}

/// Pending friend requests, both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendRequests {
    /// Requests other players sent to this player.
    pub incoming: BoundedVec<PlayerCard, MAX_FRIENDS_PER_PAGE>,
    /// Requests this player sent.
    pub outgoing: BoundedVec<PlayerCard, MAX_FRIENDS_PER_PAGE>,
}

/// What a social change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SocialChange {
    /// A friend request was sent.
    RequestSent,
    /// The other player had already asked: the two are now friends.
    BecameFriends,
    /// A request was declined.
    Declined,
    /// A friendship was removed.
    Removed,
    /// A player was blocked (any friendship and requests between the two are gone).
    Blocked,
    /// A player was unblocked.
    Unblocked,
    /// The display name was set.
    NameSet,
    /// Nothing changed: the state asked for already held.
    Unchanged,
}
