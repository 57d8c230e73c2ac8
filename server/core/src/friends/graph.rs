//! The friend graph in Redis: friendships, pending requests, blocks and display names, read and written
//! with as few round trips as the slots allow. Every player's keys share one slot (`{p:<id>}`), so a
//! change spanning two players is one pipeline per player, sent concurrently: one round trip of latency.
//! Each step is idempotent, so a retry finishes what a partial failure left.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use futures_util::{StreamExt, TryStreamExt, stream};
use protocol::{DisplayName, PlayerCard, PlayerId};
use redis::{Cmd, FromRedisValue, Script};

use crate::store::{self, Op, Sharding, Store, StoreError, keys};

static REQUEST_SEND: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("request_send.lua")));
static REQUEST_RECEIVE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("request_receive.lua")));
static LINK: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("link.lua")));
static BLOCK: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("block.lua")));

/// Friendship changes of one import in flight at once.
const IMPORT_IN_FLIGHT: usize = 64;

/// How long a sender's request keeps its recipient from being told again of the same sender's requests.
const REQUEST_QUIET_MS: u64 = 24 * 60 * 60 * 1000;

/// What one end of a friend request said (`request_send.lua`, `request_receive.lua`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestStep {
    /// Already pending: nothing changed.
    Pending,
    /// Recorded; `notify` when the recipient should be told (the receiving end only).
    Added {
        /// Tell the recipient.
        notify: bool,
    },
    /// The hourly limit of this end is reached; it resets in this many seconds.
    RateLimited(u64),
    /// The sender has the most pending requests allowed.
    PendingCap,
}

/// How a friend request went, both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sent {
    /// Recorded on both ends; `notify` when the recipient should be told.
    Added {
        /// Tell the recipient.
        notify: bool,
    },
    /// It was already pending.
    Pending,
    /// The sender's end refused it (`RateLimited` or `PendingCap`).
    SenderRefused(RequestStep),
    /// The recipient's end refused it (their hourly limit, seconds until it resets).
    RecipientRateLimited(u64),
}

/// How linking two players went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Linked {
    /// Friends on both sides now (or already were).
    Done,
    /// A list was full: nothing is left between them, not even the request.
    Full,
}

/// The limits a friend request checks, per player.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestLimits {
    /// Most pending outgoing requests.
    pub(crate) max_pending: usize,
    /// Most requests sent per hour.
    pub(crate) sent_per_hour: u32,
    /// Most requests received per hour.
    pub(crate) received_per_hour: u32,
}

/// What the graph holds between two players, as seen by the first, read in one round trip.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Between {
    /// The first blocked the second.
    pub(crate) blocked: bool,
    /// The second blocked the first.
    pub(crate) blocked_by: bool,
    /// They are friends (on the first's side).
    pub(crate) friends: bool,
    /// The second asked the first to be friends.
    pub(crate) asked_by: bool,
    /// How many friends each has: (first, second).
    pub(crate) friend_counts: (usize, usize),
    /// The first player's display name (for the notification the other gets).
    pub(crate) name: Option<DisplayName>,
    /// The second player is known: they authenticated once, or have friends (the host app's import).
    pub(crate) known: bool,
}

/// The friend graph. Cheap to clone.
#[derive(Clone)]
pub struct FriendGraph {
    store: Store,
    sharding: Sharding,
}

impl FriendGraph {
    /// The graph on `store`, display names split into `sharding`'s shards.
    pub fn new(store: Store, sharding: Sharding) -> FriendGraph {
        FriendGraph { store, sharding }
    }

    /// `player`'s friend ids.
    pub async fn ids(&self, player: &PlayerId) -> Result<Vec<PlayerId>, StoreError> {
        let ids: Vec<String> = self
            .store
            .query(
                Op::FriendsIds,
                crate::store::cmd("HKEYS").arg(keys::friends(player)),
            )
            .await?;
        Ok(ids
            .into_iter()
            .filter_map(|id| PlayerId::new(id).ok())
            .collect())
    }

    /// Display names of `players`, in order: one `HMGET` per names shard that holds any of them, sent
    /// together (one request on one Redis, see `Store::query_groups`).
    pub async fn names(
        &self,
        players: &[PlayerId],
    ) -> Result<Vec<Option<DisplayName>>, StoreError> {
        let mut by_shard: HashMap<u16, Vec<usize>> = HashMap::new();
        for (index, player) in players.iter().enumerate() {
            by_shard
                .entry(self.sharding.shard_of(player))
                .or_default()
                .push(index);
        }
        let keys = self.sharding.name_keys();
        let (shards, groups): (Vec<Vec<usize>>, Vec<Vec<redis::Cmd>>) = by_shard
            .into_iter()
            .map(|(shard, indices)| {
                let mut command = crate::store::cmd("HMGET");
                command.arg(&keys[usize::from(shard)]);
                for index in &indices {
                    command.arg(players[*index].as_str());
                }
                (indices, vec![command])
            })
            .unzip();
        let replies = self.store.query_groups(Op::NamesGet, groups).await?;
        let mut names = vec![None; players.len()];
        for (indices, reply) in shards.into_iter().zip(replies) {
            let read: Vec<Option<String>> = match reply.into_iter().next() {
                Some(value) => store::decode(Op::NamesGet, value)?,
                None => Vec::new(),
            };
            for (index, name) in indices.into_iter().zip(read) {
                if let Some(slot) = names.get_mut(index) {
                    *slot = name.and_then(|name| DisplayName::new(name).ok());
                }
            }
        }
        Ok(names)
    }

    /// Sets `player`'s display name.
    pub(crate) async fn set_name(
        &self,
        player: &PlayerId,
        name: &DisplayName,
    ) -> Result<(), StoreError> {
        self.store
            .query::<()>(
                Op::NamesSet,
                crate::store::cmd("HSET")
                    .arg(self.sharding.name_key(player))
                    .arg(player.as_str())
                    .arg(name.as_str()),
            )
            .await
    }

    /// A page of `player`'s friends, ordered by id, after `after`: the cards, the id to continue after
    /// (if more follow) and the total.
    pub(crate) async fn page(
        &self,
        player: &PlayerId,
        after: Option<&PlayerId>,
        limit: usize,
    ) -> Result<(Vec<PlayerCard>, Option<PlayerId>, u32), StoreError> {
        let all: HashMap<String, u64> = self
            .store
            .query(
                Op::FriendsList,
                crate::store::cmd("HGETALL").arg(keys::friends(player)),
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

    /// Pending requests: (incoming, outgoing), with names, in two round trips.
    pub(crate) async fn requests(
        &self,
        player: &PlayerId,
    ) -> Result<(Vec<PlayerCard>, Vec<PlayerCard>), StoreError> {
        let mut pipe = redis::pipe();
        pipe.hgetall(keys::requests_in(player))
            .hgetall(keys::requests_out(player));
        let (incoming, outgoing): (BTreeMap<String, u64>, BTreeMap<String, u64>) = self
            .store
            .query_pipeline(Op::FriendRequestsList, &pipe)
            .await?;
        let parse = |map: BTreeMap<String, u64>| -> Vec<(PlayerId, u64)> {
            map.into_iter()
                .filter_map(|(id, at)| PlayerId::new(id).ok().map(|id| (id, at)))
                .collect()
        };
        let (incoming, outgoing) = (parse(incoming), parse(outgoing));
        let both: Vec<(PlayerId, u64)> = incoming.iter().chain(&outgoing).cloned().collect();
        let mut cards = self.cards(&both).await?;
        let outgoing_cards = cards.split_off(incoming.len());
        Ok((cards, outgoing_cards))
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

    /// Players who blocked `player` (hidden from what `player` reads).
    pub async fn blockers(&self, player: &PlayerId) -> Result<BTreeSet<PlayerId>, StoreError> {
        let ids: Vec<String> = self
            .store
            .query(
                Op::Blockers,
                crate::store::cmd("SMEMBERS").arg(keys::blocked_by(player)),
            )
            .await?;
        Ok(ids
            .into_iter()
            .filter_map(|id| PlayerId::new(id).ok())
            .collect())
    }

    /// Everything a social change between `a` and `b` must know, in one round trip: a pipeline on each
    /// player's slot and the name lookup, sent concurrently.
    pub(crate) async fn between(&self, a: &PlayerId, b: &PlayerId) -> Result<Between, StoreError> {
        let mut first = redis::pipe();
        first
            .sismember(keys::blocked(a), b.as_str())
            .hexists(keys::friends(a), b.as_str())
            .hexists(keys::requests_in(a), b.as_str())
            .hlen(keys::friends(a));
        let mut second = redis::pipe();
        second
            .sismember(keys::blocked(b), a.as_str())
            .hlen(keys::friends(b))
            .exists(&[keys::seen(b), keys::friends(b)]);
        let (first, second, name) = tokio::try_join!(
            self.store
                .query_pipeline::<(bool, bool, bool, usize)>(Op::FriendsBetween, &first),
            self.store
                .query_pipeline::<(bool, usize, usize)>(Op::FriendsBetween, &second),
            self.names(std::slice::from_ref(a)),
        )?;
        let (blocked, friends, asked_by, a_count) = first;
        let (blocked_by, b_count, b_keys) = second;
        Ok(Between {
            blocked,
            blocked_by,
            friends,
            asked_by,
            friend_counts: (a_count, b_count),
            name: name.into_iter().next().flatten(),
            known: b_keys > 0,
        })
    }

    /// Records that `player` exists (they authenticated on unix day `day`).
    pub(crate) async fn mark_seen(&self, player: &PlayerId, day: u64) -> Result<(), StoreError> {
        self.store
            .query::<()>(
                Op::PlayerSeen,
                crate::store::cmd("SET").arg(keys::seen(player)).arg(day),
            )
            .await
    }

    /// Records `from`'s request to `to`: first the sender's end (their pending cap and hourly limit),
    /// then the recipient's (their hourly limit, and whether to tell them), one script each; if the
    /// recipient's end refuses, the sender's is taken back. Two round trips; a request already pending
    /// changes nothing.
    pub(crate) async fn add_request(
        &self,
        from: &PlayerId,
        to: &PlayerId,
        now_ms: u64,
        limits: RequestLimits,
    ) -> Result<Sent, StoreError> {
        let mut sending = REQUEST_SEND.prepare_invoke();
        sending
            .key(keys::requests_out(from))
            .key(keys::requests_sent_hour(from))
            .arg(to.as_str())
            .arg(now_ms)
            .arg(limits.max_pending)
            .arg(limits.sent_per_hour);
        let sent = request_step(
            self.store
                .run_script(Op::FriendRequestSend, &sending)
                .await?,
        );
        let sender_pending = match sent {
            RequestStep::Pending => true,
            RequestStep::Added { .. } => false,
            refused => return Ok(Sent::SenderRefused(refused)),
        };
        let mut receiving = REQUEST_RECEIVE.prepare_invoke();
        receiving
            .key(keys::requests_in(to))
            .key(keys::requests_received_hour(to))
            .key(keys::requests_notified(to))
            .arg(from.as_str())
            .arg(now_ms)
            .arg(limits.received_per_hour)
            .arg(REQUEST_QUIET_MS);
        let received = request_step(
            self.store
                .run_script(Op::FriendRequestReceive, &receiving)
                .await?,
        );
        Ok(match received {
            RequestStep::Added { notify } => Sent::Added { notify },
            RequestStep::Pending if sender_pending => Sent::Pending,
            // The sender's end was there but not the recipient's (a partial failure): repaired.
            RequestStep::Pending => Sent::Added { notify: false },
            RequestStep::RateLimited(seconds) => {
                if !sender_pending {
                    self.store
                        .query::<()>(
                            Op::FriendRequestTakeBack,
                            crate::store::cmd("HDEL")
                                .arg(keys::requests_out(from))
                                .arg(to.as_str()),
                        )
                        .await?;
                }
                Sent::RecipientRateLimited(seconds)
            }
            RequestStep::PendingCap => Sent::SenderRefused(RequestStep::PendingCap),
        })
    }

    /// Makes `a` and `b` friends on both sides and clears their requests to each other, if both lists
    /// have room: one script per side (`link.lua`, which checks the cap and links in one step), sent
    /// concurrently. If one side was full, the other is undone (a second round trip), so the cap holds
    /// on both sides whatever runs at the same time.
    pub(crate) async fn link(
        &self,
        a: &PlayerId,
        b: &PlayerId,
        now_ms: u64,
        max_friends: usize,
    ) -> Result<Linked, StoreError> {
        let day = now_ms / 86_400_000;
        let side = |one: &PlayerId, other: &PlayerId| {
            let mut invocation = LINK.prepare_invoke();
            invocation
                .key(keys::friends(one))
                .key(keys::requests_in(one))
                .key(keys::requests_out(one))
                .key(keys::seen(one))
                .arg(other.as_str())
                .arg(now_ms)
                .arg(max_friends)
                .arg(day);
            invocation
        };
        let (first, second) = (side(a, b), side(b, a));
        let (first, second): (String, String) = tokio::try_join!(
            self.store.run_script(Op::FriendsLink, &first),
            self.store.run_script(Op::FriendsLink, &second),
        )?;
        if first != "full" && second != "full" {
            return Ok(Linked::Done);
        }
        self.sever(a, b).await?;
        Ok(Linked::Full)
    }

    /// Removes everything between `a` and `b` but blocks (friendship and requests), both sides.
    async fn sever(&self, a: &PlayerId, b: &PlayerId) -> Result<(), StoreError> {
        let side = |one: &PlayerId, other: &PlayerId| {
            let mut pipe = redis::pipe();
            pipe.atomic()
                .hdel(keys::friends(one), other.as_str())
                .ignore()
                .hdel(keys::requests_in(one), other.as_str())
                .ignore()
                .hdel(keys::requests_out(one), other.as_str())
                .ignore();
            pipe
        };
        let (first, second) = (side(a, b), side(b, a));
        tokio::try_join!(
            self.store.query_pipeline::<()>(Op::FriendsSever, &first),
            self.store.query_pipeline::<()>(Op::FriendsSever, &second),
        )?;
        Ok(())
    }

    /// Ends the friendship of `a` and `b` on both sides. True when there was one.
    pub(crate) async fn unlink(&self, a: &PlayerId, b: &PlayerId) -> Result<bool, StoreError> {
        let (first, second): (i64, i64) = self
            .both(
                Op::FriendsUnlink,
                crate::store::cmd("HDEL")
                    .arg(keys::friends(a))
                    .arg(b.as_str()),
                crate::store::cmd("HDEL")
                    .arg(keys::friends(b))
                    .arg(a.as_str()),
            )
            .await?;
        Ok(first + second > 0)
    }

    /// Removes `from`'s request to `player`, both ends. True when there was one.
    pub(crate) async fn drop_request(
        &self,
        player: &PlayerId,
        from: &PlayerId,
    ) -> Result<bool, StoreError> {
        let (first, second): (i64, i64) = self
            .both(
                Op::FriendRequestDrop,
                crate::store::cmd("HDEL")
                    .arg(keys::requests_in(player))
                    .arg(from.as_str()),
                crate::store::cmd("HDEL")
                    .arg(keys::requests_out(from))
                    .arg(player.as_str()),
            )
            .await?;
        Ok(first + second > 0)
    }

    /// `player` blocks `other`: the block recorded on both sides, and any friendship and request between
    /// them removed. The blocker's side goes first (`block.lua`: the cap of `max_blocked` checked and the
    /// block written in one step), then, if it took, the other's (an atomic pipeline): two round trips.
    /// False when the blocked list is full (nothing changed).
    pub(crate) async fn block(
        &self,
        player: &PlayerId,
        other: &PlayerId,
        max_blocked: usize,
    ) -> Result<bool, StoreError> {
        let mut mine = BLOCK.prepare_invoke();
        mine.key(keys::blocked(player))
            .key(keys::friends(player))
            .key(keys::requests_in(player))
            .key(keys::requests_out(player))
            .arg(other.as_str())
            .arg(max_blocked);
        let status: String = self.store.run_script(Op::Block, &mine).await?;
        if status == "full" {
            return Ok(false);
        }
        let mut theirs = redis::pipe();
        theirs
            .atomic()
            .sadd(keys::blocked_by(other), player.as_str())
            .ignore()
            .hdel(keys::friends(other), player.as_str())
            .ignore()
            .hdel(keys::requests_in(other), player.as_str())
            .ignore()
            .hdel(keys::requests_out(other), player.as_str())
            .ignore();
        self.store
            .query_pipeline::<()>(Op::BlockOtherSide, &theirs)
            .await?;
        Ok(true)
    }

    /// Lifts `player`'s block of `other`, both sides. True when there was one.
    pub(crate) async fn unblock(
        &self,
        player: &PlayerId,
        other: &PlayerId,
    ) -> Result<bool, StoreError> {
        let (removed, _): (i64, i64) = self
            .both(
                Op::Unblock,
                crate::store::cmd("SREM")
                    .arg(keys::blocked(player))
                    .arg(other.as_str()),
                crate::store::cmd("SREM")
                    .arg(keys::blocked_by(other))
                    .arg(player.as_str()),
            )
            .await?;
        Ok(removed == 1)
    }

    /// Runs `first` and `second` (each on one player's slot) concurrently: one round trip of latency.
    async fn both<A: FromRedisValue, B: FromRedisValue>(
        &self,
        op: Op,
        first: &Cmd,
        second: &Cmd,
    ) -> Result<(A, B), StoreError> {
        tokio::try_join!(self.store.query(op, first), self.store.query(op, second))
    }

    /// Makes `wanted` exactly `player`'s friend list (the host app's graph, both directions),
    /// idempotently: friendships not wanted are removed first, then missing ones added, each under the
    /// cap of `max_friends` on both sides (as an acceptance is). Returns what changed.
    pub(crate) async fn import(
        &self,
        player: &PlayerId,
        wanted: &BTreeSet<&PlayerId>,
        now_ms: u64,
        max_friends: usize,
    ) -> Result<Imported, StoreError> {
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
        let removed = to_remove.len();
        // Each change is one round trip (both sides at once); many run at once on the pipelined
        // connection, so a 5,000-friend import takes a fraction of 5,000 round trips. Removals go first,
        // so the additions find the room they free.
        let this = self.clone();
        stream::iter(to_remove)
            .map(|old| {
                let this = this.clone();
                async move { this.unlink(player, &old).await.map(drop) }
            })
            .buffer_unordered(IMPORT_IN_FLIGHT)
            .try_collect::<Vec<()>>()
            .await?;
        let outcomes: Vec<(PlayerId, Linked)> = stream::iter(to_add)
            .map(|friend| {
                let this = this.clone();
                async move {
                    let linked = this.link(player, &friend, now_ms, max_friends).await?;
                    Ok::<_, StoreError>((friend, linked))
                }
            })
            .buffer_unordered(IMPORT_IN_FLIGHT)
            .try_collect()
            .await?;
        let (done, full): (Vec<_>, Vec<_>) = outcomes
            .into_iter()
            .partition(|(_, linked)| *linked == Linked::Done);
        let mut full: Vec<PlayerId> = full.into_iter().map(|(friend, _)| friend).collect();
        full.sort();
        Ok(Imported {
            added: done.len(),
            removed,
            full,
        })
    }
}

/// What an import changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Friendships added.
    pub added: usize,
    /// Friendships removed.
    pub removed: usize,
    /// Friends not added because a list (theirs, or the player's) was full.
    pub full: Vec<PlayerId>,
}

/// A request script's answer as a step.
fn request_step((status, seconds): (String, i64)) -> RequestStep {
    match status.as_str() {
        "pending" => RequestStep::Pending,
        "added" => RequestStep::Added { notify: true },
        "added_quietly" => RequestStep::Added { notify: false },
        "pending_cap" => RequestStep::PendingCap,
        // "rate_limited"; a counter without expiry (never written so) still resets within the hour.
        _ => RequestStep::RateLimited(u64::try_from(seconds).unwrap_or(3_600).max(1)),
    }
}
