//! Friends: requests, friendships, blocks, display names, and the host app's bulk import. Each operation
//! is written once here, including the notification the other player gets; the WebSocket handlers and
//! the admin API both call it.
//!
//! A friendship is stored on both players (`friends` hashes), a request on both ends (`req:out` of the
//! sender, `req:in` of the recipient), a block on both (`blocked`, `blocked-by`); `graph` reads and
//! writes them. Round trips per operation (ARCHITECTURE.md): a request or an acceptance takes three (the
//! reads, the writes, the notification), every other change one.

mod graph;

use crate::error_chain::ErrorChain;
use std::collections::BTreeSet;

use protocol::{DisplayName, Event, PlayerCard, PlayerId, SocialChange};
use thiserror::Error;

pub use graph::FriendGraph;

use crate::notifications::Notifications;
use crate::store::StoreError;

/// Most friends one player may have.
pub const MAX_FRIENDS: usize = 5_000;

/// Why a social change was refused.
#[derive(Debug, Error)]
pub enum FriendsError {
    /// A player cannot befriend or block themself.
    #[error("that is you")]
    Yourself,
    /// The other player blocked this one, or this one blocked the other.
    #[error("not allowed: one of you blocked the other")]
    Blocked,
    /// No such request to accept.
    #[error("no friend request from {0}")]
    NoRequest(PlayerId),
    /// A friend list is full.
    #[error("a friend list is full ({MAX_FRIENDS} friends)")]
    Full,
    /// Redis failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The friends domain: the graph, and the notifications its changes send.
#[derive(Clone)]
pub struct Friends {
    graph: FriendGraph,
    notifications: Notifications,
}

impl Friends {
    /// The domain on `graph`, telling players of requests and acceptances through `notifications`.
    pub fn new(graph: FriendGraph, notifications: Notifications) -> Friends {
        Friends {
            graph,
            notifications,
        }
    }

    /// The graph, for reads.
    pub fn graph(&self) -> &FriendGraph {
        &self.graph
    }

    /// Sets `player`'s display name.
    pub async fn set_name(
        &self,
        player: &PlayerId,
        name: &DisplayName,
    ) -> Result<SocialChange, FriendsError> {
        self.graph.set_name(player, name).await?;
        Ok(SocialChange::NameSet)
    }

    /// A page of `player`'s friends, ordered by id, after `after`: the cards, the id to continue after
    /// (if more follow) and the total.
    pub async fn page(
        &self,
        player: &PlayerId,
        after: Option<&PlayerId>,
        limit: usize,
    ) -> Result<(Vec<PlayerCard>, Option<PlayerId>, u32), FriendsError> {
        Ok(self.graph.page(player, after, limit).await?)
    }

    /// Pending requests: (incoming, outgoing).
    pub async fn requests(
        &self,
        player: &PlayerId,
    ) -> Result<(Vec<PlayerCard>, Vec<PlayerCard>), FriendsError> {
        Ok(self.graph.requests(player).await?)
    }

    /// `from` asks `to` to be friends, and `to` is told; if `to` had already asked, they become friends
    /// and `to` is told that instead.
    pub async fn request(
        &self,
        from: &PlayerId,
        to: &PlayerId,
        now_ms: u64,
    ) -> Result<SocialChange, FriendsError> {
        if from == to {
            return Err(FriendsError::Yourself);
        }
        let between = self.graph.between(from, to).await?;
        if between.blocked || between.blocked_by {
            return Err(FriendsError::Blocked);
        }
        if between.friends {
            return Ok(SocialChange::Unchanged);
        }
        if between.asked_by {
            return self.befriend(from, to, between, now_ms).await;
        }
        if self.graph.add_request(from, to, now_ms).await? {
            let event = Event::FriendRequestReceived {
                from: from.clone(),
                name: between.name,
            };
            self.tell(from, to, event, now_ms).await;
        }
        Ok(SocialChange::RequestSent)
    }

    /// `player` accepts `from`'s request, and `from` is told.
    pub async fn accept(
        &self,
        player: &PlayerId,
        from: &PlayerId,
        now_ms: u64,
    ) -> Result<SocialChange, FriendsError> {
        let between = self.graph.between(player, from).await?;
        if between.asked_by {
            return self.befriend(player, from, between, now_ms).await;
        }
        if between.friends {
            // Already friends on this side: a retry after a partial failure completes the other side.
            self.graph.link(player, from, now_ms).await?;
            return Ok(SocialChange::Unchanged);
        }
        Err(FriendsError::NoRequest(from.clone()))
    }

    /// Links `player` and `asker` (who asked `player`) if both lists have room, and tells `asker`.
    async fn befriend(
        &self,
        player: &PlayerId,
        asker: &PlayerId,
        between: graph::Between,
        now_ms: u64,
    ) -> Result<SocialChange, FriendsError> {
        let (mine, theirs) = between.friend_counts;
        if mine >= MAX_FRIENDS || theirs >= MAX_FRIENDS {
            return Err(FriendsError::Full);
        }
        self.graph.link(player, asker, now_ms).await?;
        let event = Event::FriendRequestAccepted {
            by: player.clone(),
            name: between.name,
        };
        self.tell(player, asker, event, now_ms).await;
        Ok(SocialChange::BecameFriends)
    }

    /// `player` declines `from`'s request.
    pub async fn decline(
        &self,
        player: &PlayerId,
        from: &PlayerId,
    ) -> Result<SocialChange, FriendsError> {
        Ok(if self.graph.drop_request(player, from).await? {
            SocialChange::Declined
        } else {
            SocialChange::Unchanged
        })
    }

    /// Ends a friendship.
    pub async fn remove(
        &self,
        player: &PlayerId,
        friend: &PlayerId,
    ) -> Result<SocialChange, FriendsError> {
        Ok(if self.graph.unlink(player, friend).await? {
            SocialChange::Removed
        } else {
            SocialChange::Unchanged
        })
    }

    /// `player` blocks `other`: any friendship and requests between them end, `other` can no longer
    /// send requests to `player` nor see them on boards.
    pub async fn block(
        &self,
        player: &PlayerId,
        other: &PlayerId,
    ) -> Result<SocialChange, FriendsError> {
        if player == other {
            return Err(FriendsError::Yourself);
        }
        self.graph.block(player, other).await?;
        Ok(SocialChange::Blocked)
    }

    /// Lifts a block.
    pub async fn unblock(
        &self,
        player: &PlayerId,
        other: &PlayerId,
    ) -> Result<SocialChange, FriendsError> {
        Ok(if self.graph.unblock(player, other).await? {
            SocialChange::Unblocked
        } else {
            SocialChange::Unchanged
        })
    }

    /// Makes `friends` exactly `player`'s friend list (the host app's graph, both directions),
    /// idempotently: missing friendships are added, others removed. Returns (added, removed).
    pub async fn import(
        &self,
        player: &PlayerId,
        friends: &[PlayerId],
        now_ms: u64,
    ) -> Result<(usize, usize), FriendsError> {
        let wanted: BTreeSet<&PlayerId> =
            friends.iter().filter(|friend| *friend != player).collect();
        if wanted.len() > MAX_FRIENDS {
            return Err(FriendsError::Full);
        }
        Ok(self.graph.import(player, &wanted, now_ms).await?)
    }

    /// Stores `event` in `other`'s inbox; a failure only delays the news (the change is made).
    async fn tell(&self, player: &PlayerId, other: &PlayerId, event: Event, now_ms: u64) {
        if let Err(error) = self.notifications.notify(other, event, now_ms).await {
            tracing::warn!(error = %ErrorChain(&error), %player, %other, "friend notification not stored");
        }
    }
}
