//! Friends: requests, friendships, blocks, display names, and the host app's bulk import. Written once
//! here; the WebSocket handlers and the admin API both call it.
//!
//! A friendship is stored on both players (`friends` hashes), a request on both ends (`req:out` of the
//! sender, `req:in` of the recipient), a block on both (`blocked`, `blocked-by`). Each player's keys share
//! one slot; a change spanning two players is a pipeline per player, written in an order where a partial
//! failure leaves nothing a retry cannot finish.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures_util::{StreamExt, TryStreamExt, stream};
use protocol::{DisplayName, PlayerCard, PlayerId, SocialChange};
use thiserror::Error;

use crate::store::{Store, StoreError, keys};

/// Most friends one player may have.
pub const MAX_FRIENDS: usize = 5_000;

/// Friendship changes of one import in flight at once.
const IMPORT_IN_FLIGHT: usize = 64;

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

/// What a change means for the other player, so the caller can notify them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Nothing to tell.
    None,
    /// They received a request.
    RequestReceived,
    /// Their request was accepted.
    RequestAccepted,
}

/// The friends domain.
#[derive(Clone)]
pub struct Friends {
    store: Store,
}

impl Friends {
    /// The domain on `store`.
    pub fn new(store: Store) -> Friends {
        Friends { store }
    }

    /// `player`'s friend ids.
    pub async fn ids(&self, player: &PlayerId) -> Result<Vec<PlayerId>, StoreError> {
        let ids: Vec<String> = self
            .store
            .query(
                "friends_ids",
                redis::cmd("HKEYS").arg(keys::friends(player)),
            )
            .await?;
        Ok(ids
            .into_iter()
            .filter_map(|id| PlayerId::new(id).ok())
            .collect())
    }

    /// Display names of `players`, in order.
    pub async fn names(
        &self,
        players: &[PlayerId],
    ) -> Result<Vec<Option<DisplayName>>, StoreError> {
        if players.is_empty() {
            return Ok(Vec::new());
        }
        let mut command = redis::cmd("HMGET");
        command.arg(keys::names());
        for player in players {
            command.arg(player.as_str());
        }
        let names: Vec<Option<String>> = self.store.query("names_get", &command).await?;
        Ok(names
            .into_iter()
            .map(|name| name.and_then(|name| DisplayName::new(name).ok()))
            .collect())
    }

    /// Sets `player`'s display name.
    pub async fn set_name(
        &self,
        player: &PlayerId,
        name: &DisplayName,
    ) -> Result<SocialChange, StoreError> {
        self.store
            .query::<()>(
                "names_set",
                redis::cmd("HSET")
                    .arg(keys::names())
                    .arg(player.as_str())
                    .arg(name.as_str()),
            )
            .await?;
        Ok(SocialChange::NameSet)
    }

    /// A page of `player`'s friends, ordered by id, after `after`.
    pub async fn page(
        &self,
        player: &PlayerId,
        after: Option<&PlayerId>,
        limit: usize,
    ) -> Result<(Vec<PlayerCard>, Option<PlayerId>, u32), StoreError> {
        let all: HashMap<String, u64> = self
            .store
            .query(
                "friends_list",
                redis::cmd("HGETALL").arg(keys::friends(player)),
            )
            .await?;
        let sorted: BTreeMap<String, u64> = all.into_iter().collect();
        let total = u32::try_from(sorted.len()).unwrap_or(u32::MAX);
        let start = after.map(|after| after.as_str().to_owned());
        let chosen: Vec<(PlayerId, u64)> = sorted
            .into_iter()
            .filter(|(id, _)| start.as_ref().is_none_or(|start| id > start))
            .filter_map(|(id, since)| PlayerId::new(id).ok().map(|id| (id, since)))
            .take(limit + 1)
            .collect();
        let more = chosen.len() > limit;
        let chosen = &chosen[..chosen.len().min(limit)];
        let cards = self.cards(chosen).await?;
        let next = if more {
            cards.last().map(|card| card.player.clone())
        } else {
            None
        };
        Ok((cards, next, total))
    }

    /// Pending requests: (incoming, outgoing).
    pub async fn requests(
        &self,
        player: &PlayerId,
    ) -> Result<(Vec<PlayerCard>, Vec<PlayerCard>), StoreError> {
        let mut pipe = redis::pipe();
        pipe.hgetall(keys::requests_in(player))
            .hgetall(keys::requests_out(player));
        let (incoming, outgoing): (BTreeMap<String, u64>, BTreeMap<String, u64>) = self
            .store
            .query_pipeline("friend_requests_list", &pipe)
            .await?;
        let parse = |map: BTreeMap<String, u64>| -> Vec<(PlayerId, u64)> {
            map.into_iter()
                .filter_map(|(id, at)| PlayerId::new(id).ok().map(|id| (id, at)))
                .collect()
        };
        Ok((
            self.cards(&parse(incoming)).await?,
            self.cards(&parse(outgoing)).await?,
        ))
    }

    async fn cards(&self, players: &[(PlayerId, u64)]) -> Result<Vec<PlayerCard>, StoreError> {
        let ids: Vec<PlayerId> = players.iter().map(|(id, _)| id.clone()).collect();
        let names = self.names(&ids).await?;
        Ok(players
            .iter()
            .zip(names)
            .map(|((player, since_ms), name)| PlayerCard {
                player: player.clone(),
                name,
                since_ms: *since_ms,
            })
            .collect())
    }

    /// `from` asks `to` to be friends; if `to` had already asked, they become friends.
    pub async fn request(
        &self,
        from: &PlayerId,
        to: &PlayerId,
        now_ms: u64,
    ) -> Result<(SocialChange, Notice), FriendsError> {
        if from == to {
            return Err(FriendsError::Yourself);
        }
        if self.blocked_either_way(from, to).await? {
            return Err(FriendsError::Blocked);
        }
        if self.are_friends(from, to).await? {
            return Ok((SocialChange::Unchanged, Notice::None));
        }
        let they_asked: bool = self
            .store
            .query(
                "friend_request_check",
                redis::cmd("HEXISTS")
                    .arg(keys::requests_in(from))
                    .arg(to.as_str()),
            )
            .await?;
        if they_asked {
            return self.accept(from, to, now_ms).await;
        }
        self.store
            .query::<()>(
                "friend_request_send",
                redis::cmd("HSET")
                    .arg(keys::requests_out(from))
                    .arg(to.as_str())
                    .arg(now_ms),
            )
            .await?;
        let fresh: i64 = self
            .store
            .query(
                "friend_request_send",
                redis::cmd("HSET")
                    .arg(keys::requests_in(to))
                    .arg(from.as_str())
                    .arg(now_ms),
            )
            .await?;
        let notice = if fresh == 1 {
            Notice::RequestReceived
        } else {
            Notice::None
        };
        Ok((SocialChange::RequestSent, notice))
    }

    /// `player` accepts `from`'s request.
    pub async fn accept(
        &self,
        player: &PlayerId,
        from: &PlayerId,
        now_ms: u64,
    ) -> Result<(SocialChange, Notice), FriendsError> {
        let asked: bool = self
            .store
            .query(
                "friend_request_check",
                redis::cmd("HEXISTS")
                    .arg(keys::requests_in(player))
                    .arg(from.as_str()),
            )
            .await?;
        if !asked {
            return if self.are_friends(player, from).await? {
                Ok((SocialChange::Unchanged, Notice::None))
            } else {
                Err(FriendsError::NoRequest(from.clone()))
            };
        }
        for side in [player, from] {
            let count: usize = self
                .store
                .query("friends_count", redis::cmd("HLEN").arg(keys::friends(side)))
                .await?;
            if count >= MAX_FRIENDS {
                return Err(FriendsError::Full);
            }
        }
        self.link(player, from, now_ms).await?;
        Ok((SocialChange::BecameFriends, Notice::RequestAccepted))
    }

    /// `player` declines `from`'s request.
    pub async fn decline(
        &self,
        player: &PlayerId,
        from: &PlayerId,
    ) -> Result<SocialChange, StoreError> {
        let removed = self.drop_requests(player, from).await?;
        Ok(if removed {
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
    ) -> Result<SocialChange, StoreError> {
        let removed = self.unlink(player, friend).await?;
        Ok(if removed {
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
        self.store
            .query::<()>(
                "block",
                redis::cmd("SADD")
                    .arg(keys::blocked(player))
                    .arg(other.as_str()),
            )
            .await?;
        self.store
            .query::<()>(
                "block",
                redis::cmd("SADD")
                    .arg(keys::blocked_by(other))
                    .arg(player.as_str()),
            )
            .await?;
        self.unlink(player, other).await?;
        self.drop_requests(player, other).await?;
        self.drop_requests(other, player).await?;
        Ok(SocialChange::Blocked)
    }

    /// Lifts a block.
    pub async fn unblock(
        &self,
        player: &PlayerId,
        other: &PlayerId,
    ) -> Result<SocialChange, StoreError> {
        let removed: i64 = self
            .store
            .query(
                "unblock",
                redis::cmd("SREM")
                    .arg(keys::blocked(player))
                    .arg(other.as_str()),
            )
            .await?;
        self.store
            .query::<()>(
                "unblock",
                redis::cmd("SREM")
                    .arg(keys::blocked_by(other))
                    .arg(player.as_str()),
            )
            .await?;
        Ok(if removed == 1 {
            SocialChange::Unblocked
        } else {
            SocialChange::Unchanged
        })
    }

    /// Players who blocked `player` (hidden from what `player` reads).
    pub async fn blockers(&self, player: &PlayerId) -> Result<BTreeSet<PlayerId>, StoreError> {
        let ids: Vec<String> = self
            .store
            .query(
                "blockers",
                redis::cmd("SMEMBERS").arg(keys::blocked_by(player)),
            )
            .await?;
        Ok(ids
            .into_iter()
            .filter_map(|id| PlayerId::new(id).ok())
            .collect())
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
        let current: BTreeSet<PlayerId> = self.ids(player).await?.into_iter().collect();
        let to_add: Vec<PlayerId> = wanted
            .iter()
            .filter(|friend| !current.contains(**friend))
            .map(|friend| (*friend).clone())
            .collect();
        let to_remove: Vec<PlayerId> = current
            .iter()
            .filter(|old| !wanted.contains(old))
            .cloned()
            .collect();
        let (added, removed) = (to_add.len(), to_remove.len());
        // Each link is two small steps, one per player; many run at once on the pipelined connection,
        // so a 5,000-friend import takes a fraction of 10,000 round trips.
        let changes = to_add
            .into_iter()
            .map(|friend| (friend, true))
            .chain(to_remove.into_iter().map(|old| (old, false)));
        let this = self.clone();
        let player = player.clone();
        stream::iter(changes)
            .map(move |(other, add)| {
                let (this, player) = (this.clone(), player.clone());
                async move {
                    if add {
                        this.link(&player, &other, now_ms).await
                    } else {
                        this.unlink(&player, &other).await.map(|_| ())
                    }
                }
            })
            .buffer_unordered(IMPORT_IN_FLIGHT)
            .try_collect::<Vec<()>>()
            .await?;
        Ok((added, removed))
    }

    async fn link(&self, a: &PlayerId, b: &PlayerId, now_ms: u64) -> Result<(), StoreError> {
        for (one, other) in [(a, b), (b, a)] {
            let mut pipe = redis::pipe();
            pipe.atomic()
                .hset(keys::friends(one), other.as_str(), now_ms)
                .ignore()
                .hdel(keys::requests_in(one), other.as_str())
                .ignore()
                .hdel(keys::requests_out(one), other.as_str())
                .ignore();
            self.store
                .query_pipeline::<()>("friends_link", &pipe)
                .await?;
        }
        Ok(())
    }

    async fn unlink(&self, a: &PlayerId, b: &PlayerId) -> Result<bool, StoreError> {
        let first: i64 = self
            .store
            .query(
                "friends_unlink",
                redis::cmd("HDEL").arg(keys::friends(a)).arg(b.as_str()),
            )
            .await?;
        let second: i64 = self
            .store
            .query(
                "friends_unlink",
                redis::cmd("HDEL").arg(keys::friends(b)).arg(a.as_str()),
            )
            .await?;
        Ok(first + second > 0)
    }

    /// Removes `from`'s request to `player`, both ends.
    async fn drop_requests(&self, player: &PlayerId, from: &PlayerId) -> Result<bool, StoreError> {
        let first: i64 = self
            .store
            .query(
                "friend_request_drop",
                redis::cmd("HDEL")
                    .arg(keys::requests_in(player))
                    .arg(from.as_str()),
            )
            .await?;
        let second: i64 = self
            .store
            .query(
                "friend_request_drop",
                redis::cmd("HDEL")
                    .arg(keys::requests_out(from))
                    .arg(player.as_str()),
            )
            .await?;
        Ok(first + second > 0)
    }

    async fn are_friends(&self, a: &PlayerId, b: &PlayerId) -> Result<bool, StoreError> {
        self.store
            .query(
                "friends_check",
                redis::cmd("HEXISTS").arg(keys::friends(a)).arg(b.as_str()),
            )
            .await
    }

    async fn blocked_either_way(&self, a: &PlayerId, b: &PlayerId) -> Result<bool, StoreError> {
        let a_blocked: bool = self
            .store
            .query(
                "block_check",
                redis::cmd("SISMEMBER")
                    .arg(keys::blocked(a))
                    .arg(b.as_str()),
            )
            .await?;
        let b_blocked: bool = self
            .store
            .query(
                "block_check",
                redis::cmd("SISMEMBER")
                    .arg(keys::blocked(b))
                    .arg(a.as_str()),
            )
            .await?;
        Ok(a_blocked || b_blocked)
    }
}
