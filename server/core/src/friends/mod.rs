//! Friends: requests, friendships, blocks, display names, and the host app's bulk import. Each operation
//! is written once here, including the notification the other player gets; the WebSocket handlers and
//! the admin API both call it.
//!
//! A friendship is stored on both players (`friends` hashes), a request on both ends (`req:out` of the
//! sender, `req:in` of the recipient), a block on both (`blocked`, `blocked-by`); `graph` reads and
//! writes them. Round trips per operation (ARCHITECTURE.md): a request takes four (the reads, the
//! sender's end, the recipient's end, the notification), an acceptance three (the reads, the links, the
//! notification), a block two, every other change one.
//!
//! Every per-player cap ([`SocialLimits`]) is checked and written in one Lua script on that player's
//! slot, so concurrent requests cannot pass it together; each refusal counts in
//! `player_caps_hit_total{cap}`. Requests go only to players who exist (authenticated once, or linked by
//! the host app's import), so a typo or a made-up id leaves no key behind.

mod graph;

use crate::error_chain::ErrorChain;
use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex};

use protocol::{DisplayName, Event, PlayerCard, PlayerId, SocialChange};
use thiserror::Error;

pub use graph::{FriendGraph, Imported};

use crate::metrics::{Metrics, PlayerCap};
use crate::notifications::Notifications;
use crate::store::StoreError;
use graph::{Linked, RequestLimits, RequestStep, Sent};

/// Most friends a player may have whatever the settings: the friend lists of the protocol and the
/// import API are sized for it.
pub const MAX_FRIENDS: usize = 5_000;

/// Per-player caps of the social graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocialLimits {
    /// Most friends (at most [`MAX_FRIENDS`]).
    pub max_friends: usize,
    /// Most friend requests a player may have pending (sent, not yet answered).
    pub max_pending_requests: usize,
    /// Most players a player may block.
    pub max_blocked: usize,
    /// Most friend requests a player may send per hour.
    pub requests_sent_per_hour: u32,
    /// Most friend requests a player may receive per hour.
    pub requests_received_per_hour: u32,
}

impl Default for SocialLimits {
    fn default() -> SocialLimits {
        SocialLimits {
            max_friends: MAX_FRIENDS,
            max_pending_requests: 100,
            max_blocked: 1_000,
            requests_sent_per_hour: 50,
            requests_received_per_hour: 100,
        }
    }
}

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
    /// No such player: they never logged in.
    #[error("no player {0}")]
    UnknownPlayer(PlayerId),
    /// A friend list is full.
    #[error("a friend list is full ({0} friends)")]
    Full(usize),
    /// The sender has the most pending requests allowed.
    #[error(
        "you have {0} friend requests waiting for an answer: wait for answers, or withdraw one with remove_friend"
    )]
    TooManyPending(usize),
    /// The blocked list is full.
    #[error("you block {0} players already: unblock one first")]
    TooManyBlocked(usize),
    /// An hourly limit of friend requests (the sender's or the recipient's) is reached.
    #[error("too many friend requests {whose}: try again in {retry_after_secs} s")]
    RateLimited {
        /// "from you this hour" or "to this player this hour".
        whose: &'static str,
        /// When the limit resets.
        retry_after_secs: u64,
    },
    /// Redis failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The friends domain: the graph, and the notifications its changes send.
#[derive(Clone)]
pub struct Friends {
    graph: FriendGraph,
    notifications: Notifications,
    limits: SocialLimits,
    metrics: Arc<Metrics>,
    /// Players marked as seen by this node today (the unix day), so a player is written at most daily.
    seen_today: Arc<Mutex<(u64, HashSet<PlayerId>)>>,
}

impl Friends {
    /// The domain on `graph` with `limits`, telling players of requests and acceptances through
    /// `notifications`.
    pub fn new(
        graph: FriendGraph,
        notifications: Notifications,
        limits: SocialLimits,
        metrics: Arc<Metrics>,
    ) -> Friends {
        Friends {
            graph,
            notifications,
            limits,
            metrics,
            seen_today: Arc::default(),
        }
    }

    /// Records that `player` exists (they just authenticated), so others may send them friend requests:
    /// one `SET` the first time this node sees them on a unix day, nothing after that. A failure is
    /// logged; the next day's login writes it again.
    pub async fn mark_seen(&self, player: &PlayerId, now_ms: u64) {
        let day = now_ms / 86_400_000;
        {
            let mut seen = self
                .seen_today
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            if seen.0 != day {
                *seen = (day, HashSet::new());
            }
            if !seen.1.insert(player.clone()) {
                return;
            }
        }
        if let Err(error) = self.graph.mark_seen(player, day).await {
            self.seen_today
                .lock()
                .unwrap_or_else(|poison| poison.into_inner())
                .1
                .remove(player);
            tracing::warn!(error = %ErrorChain(&error), %player, "marking a player as seen failed");
        }
    }

    /// Counts a refusal by `cap` and returns `error`.
    fn capped(&self, cap: PlayerCap, error: FriendsError) -> FriendsError {
        self.metrics.cap_hit(cap);
        error
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

    /// `from` asks `to` to be friends, and `to` is told (once a day per sender at most, and never by
    /// evicting other notifications); if `to` had already asked, they become friends and `to` is told
    /// that instead.
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
        if !between.known {
            return Err(FriendsError::UnknownPlayer(to.clone()));
        }
        let limits = RequestLimits {
            max_pending: self.limits.max_pending_requests,
            sent_per_hour: self.limits.requests_sent_per_hour,
            received_per_hour: self.limits.requests_received_per_hour,
        };
        match self.graph.add_request(from, to, now_ms, limits).await? {
            Sent::Added { notify: true } => {
                let event = Event::FriendRequestReceived {
                    from: from.clone(),
                    name: between.name,
                };
                match self.notifications.notify_request(to, event, now_ms).await {
                    Ok(true) => {}
                    // The request is pending all the same: `list_friend_requests` shows it.
                    Ok(false) => self.metrics.cap_hit(PlayerCap::RequestNotifications),
                    Err(error) => {
                        tracing::warn!(error = %ErrorChain(&error), %from, %to, "friend request notification not stored")
                    }
                }
            }
            Sent::Added { notify: false } | Sent::Pending => {}
            Sent::SenderRefused(RequestStep::PendingCap) => {
                return Err(self.capped(
                    PlayerCap::PendingRequests,
                    FriendsError::TooManyPending(self.limits.max_pending_requests),
                ));
            }
            Sent::SenderRefused(step) => {
                let retry_after_secs = match step {
                    RequestStep::RateLimited(seconds) => seconds,
                    _ => 3_600,
                };
                return Err(self.capped(
                    PlayerCap::FriendRequestsPerHour,
                    FriendsError::RateLimited {
                        whose: "from you this hour",
                        retry_after_secs,
                    },
                ));
            }
            Sent::RecipientRateLimited(retry_after_secs) => {
                return Err(self.capped(
                    PlayerCap::FriendRequestsReceivedPerHour,
                    FriendsError::RateLimited {
                        whose: "to this player this hour",
                        retry_after_secs,
                    },
                ));
            }
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
            if self
                .graph
                .link(player, from, now_ms, self.limits.max_friends)
                .await?
                == Linked::Full
            {
                return Err(self.full());
            }
            return Ok(SocialChange::Unchanged);
        }
        Err(FriendsError::NoRequest(from.clone()))
    }

    /// Links `player` and `asker` (who asked `player`) if both lists have room, and tells `asker`. The
    /// counts read beforehand refuse the plain case without a write; the link itself holds the cap
    /// against acceptances running at the same time (and then drops the request, which a full list
    /// could not take).
    async fn befriend(
        &self,
        player: &PlayerId,
        asker: &PlayerId,
        between: graph::Between,
        now_ms: u64,
    ) -> Result<SocialChange, FriendsError> {
        let (mine, theirs) = between.friend_counts;
        let cap = self.limits.max_friends;
        if mine >= cap || theirs >= cap {
            return Err(self.full());
        }
        if self.graph.link(player, asker, now_ms, cap).await? == Linked::Full {
            return Err(self.full());
        }
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

    fn full(&self) -> FriendsError {
        self.capped(
            PlayerCap::Friends,
            FriendsError::Full(self.limits.max_friends),
        )
    }

    /// Ends a friendship, or withdraws `player`'s pending request to `friend` (so a sender whose
    /// requests go unanswered can make room under the pending cap).
    pub async fn remove(
        &self,
        player: &PlayerId,
        friend: &PlayerId,
    ) -> Result<SocialChange, FriendsError> {
        let (unlinked, withdrawn) = tokio::try_join!(
            self.graph.unlink(player, friend),
            self.graph.drop_request(friend, player),
        )?;
        Ok(if unlinked || withdrawn {
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
        if !self
            .graph
            .block(player, other, self.limits.max_blocked)
            .await?
        {
            return Err(self.capped(
                PlayerCap::Blocks,
                FriendsError::TooManyBlocked(self.limits.max_blocked),
            ));
        }
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
    /// idempotently: missing friendships are added, others removed. The friend cap holds on both sides:
    /// a list longer than the cap is refused, and a friend whose own list is full is left out (listed
    /// in [`Imported::full`]). Every player linked counts as known.
    pub async fn import(
        &self,
        player: &PlayerId,
        friends: &[PlayerId],
        now_ms: u64,
    ) -> Result<Imported, FriendsError> {
        let wanted: BTreeSet<&PlayerId> =
            friends.iter().filter(|friend| *friend != player).collect();
        let cap = self.limits.max_friends;
        if wanted.len() > cap {
            return Err(self.full());
        }
        let imported = self.graph.import(player, &wanted, now_ms, cap).await?;
        for _ in &imported.full {
            self.metrics.cap_hit(PlayerCap::Friends);
        }
        Ok(imported)
    }

    /// Stores `event` in `other`'s inbox; a failure only delays the news (the change is made).
    async fn tell(&self, player: &PlayerId, other: &PlayerId, event: Event, now_ms: u64) {
        if let Err(error) = self.notifications.notify(other, event, now_ms).await {
            tracing::warn!(error = %ErrorChain(&error), %player, %other, "friend notification not stored");
        }
    }
}
