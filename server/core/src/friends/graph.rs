//! The friend graph in Redis: friendships, pending requests, blocks and display names, read and written
//! with as few round trips as the slots allow. Every player's keys share one slot (`{p:<id>}`), so a
//! change spanning two players is one pipeline per player, sent concurrently: one round trip of latency.
//! Each step is idempotent, so a retry finishes what a partial failure left.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures_util::{StreamExt, TryStreamExt, stream};
use protocol::{DisplayName, PlayerCard, PlayerId};
use redis::{Cmd, FromRedisValue};

use crate::store::{Sharding, Store, StoreError, keys};

/// Friendship changes of one import in flight at once.
const IMPORT_IN_FLIGHT: usize = 64;

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
                "friends_ids",
                redis::cmd("HKEYS").arg(keys::friends(player)),
            )
            .await?;
        Ok(ids
            .into_iter()
            .filter_map(|id| PlayerId::new(id).ok())
            .collect())
    }

    /// Display names of `players`, in order: one `HMGET` per names shard that holds any of them, all
    /// at once.
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
        let reads = by_shard.into_iter().map(|(shard, indices)| {
            let mut command = redis::cmd("HMGET");
            command.arg(&keys[usize::from(shard)]);
            for index in &indices {
                command.arg(players[*index].as_str());
            }
            async move {
                let names: Vec<Option<String>> = self.store.query("names_get", &command).await?;
                Ok::<_, StoreError>(indices.into_iter().zip(names).collect::<Vec<_>>())
            }
        });
        let mut names = vec![None; players.len()];
        for (index, name) in futures_util::future::try_join_all(reads)
            .await?
            .into_iter()
            .flatten()
        {
            names[index] = name.and_then(|name| DisplayName::new(name).ok());
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
                "names_set",
                redis::cmd("HSET")
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
            .query_pipeline("friend_requests_list", &pipe)
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
                "blockers",
                redis::cmd("SMEMBERS").arg(keys::blocked_by(player)),
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
            .hlen(keys::friends(b));
        let (first, second, name) = tokio::try_join!(
            self.store
                .query_pipeline::<(bool, bool, bool, usize)>("friends_between", &first),
            self.store
                .query_pipeline::<(bool, usize)>("friends_between", &second),
            self.names(std::slice::from_ref(a)),
        )?;
        let (blocked, friends, asked_by, a_count) = first;
        let (blocked_by, b_count) = second;
        Ok(Between {
            blocked,
            blocked_by,
            friends,
            asked_by,
            friend_counts: (a_count, b_count),
            name: name.into_iter().next().flatten(),
        })
    }

    /// Records `from`'s request to `to` on both ends, concurrently. True when `to` had no request from
    /// `from` before (so they are told once).
    pub(crate) async fn add_request(
        &self,
        from: &PlayerId,
        to: &PlayerId,
        now_ms: u64,
    ) -> Result<bool, StoreError> {
        let ((), fresh): ((), i64) = self
            .both(
                "friend_request_send",
                redis::cmd("HSET")
                    .arg(keys::requests_out(from))
                    .arg(to.as_str())
                    .arg(now_ms),
                redis::cmd("HSET")
                    .arg(keys::requests_in(to))
                    .arg(from.as_str())
                    .arg(now_ms),
            )
            .await?;
        Ok(fresh == 1)
    }

    /// Makes `a` and `b` friends on both sides and clears their requests to each other: one atomic
    /// pipeline per side, sent concurrently.
    pub(crate) async fn link(
        &self,
        a: &PlayerId,
        b: &PlayerId,
        now_ms: u64,
    ) -> Result<(), StoreError> {
        let side = |one: &PlayerId, other: &PlayerId| {
            let mut pipe = redis::pipe();
            pipe.atomic()
                .hset(keys::friends(one), other.as_str(), now_ms)
                .ignore()
                .hdel(keys::requests_in(one), other.as_str())
                .ignore()
                .hdel(keys::requests_out(one), other.as_str())
                .ignore();
            pipe
        };
        let (first, second) = (side(a, b), side(b, a));
        tokio::try_join!(
            self.store.query_pipeline::<()>("friends_link", &first),
            self.store.query_pipeline::<()>("friends_link", &second),
        )?;
        Ok(())
    }

    /// Ends the friendship of `a` and `b` on both sides. True when there was one.
    pub(crate) async fn unlink(&self, a: &PlayerId, b: &PlayerId) -> Result<bool, StoreError> {
        let (first, second): (i64, i64) = self
            .both(
                "friends_unlink",
                redis::cmd("HDEL").arg(keys::friends(a)).arg(b.as_str()),
                redis::cmd("HDEL").arg(keys::friends(b)).arg(a.as_str()),
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
                "friend_request_drop",
                redis::cmd("HDEL")
                    .arg(keys::requests_in(player))
                    .arg(from.as_str()),
                redis::cmd("HDEL")
                    .arg(keys::requests_out(from))
                    .arg(player.as_str()),
            )
            .await?;
        Ok(first + second > 0)
    }

    /// `player` blocks `other`: the block recorded on both sides, and any friendship and request between
    /// them removed, in one atomic pipeline per side, sent concurrently.
    pub(crate) async fn block(
        &self,
        player: &PlayerId,
        other: &PlayerId,
    ) -> Result<(), StoreError> {
        let side = |one: &PlayerId, two: &PlayerId, block_key: String| {
            let mut pipe = redis::pipe();
            pipe.atomic()
                .sadd(block_key, two.as_str())
                .ignore()
                .hdel(keys::friends(one), two.as_str())
                .ignore()
                .hdel(keys::requests_in(one), two.as_str())
                .ignore()
                .hdel(keys::requests_out(one), two.as_str())
                .ignore();
            pipe
        };
        let first = side(player, other, keys::blocked(player));
        let second = side(other, player, keys::blocked_by(other));
        tokio::try_join!(
            self.store.query_pipeline::<()>("block", &first),
            self.store.query_pipeline::<()>("block", &second),
        )?;
        Ok(())
    }

    /// Lifts `player`'s block of `other`, both sides. True when there was one.
    pub(crate) async fn unblock(
        &self,
        player: &PlayerId,
        other: &PlayerId,
    ) -> Result<bool, StoreError> {
        let (removed, _): (i64, i64) = self
            .both(
                "unblock",
                redis::cmd("SREM")
                    .arg(keys::blocked(player))
                    .arg(other.as_str()),
                redis::cmd("SREM")
                    .arg(keys::blocked_by(other))
                    .arg(player.as_str()),
            )
            .await?;
        Ok(removed == 1)
    }

    /// Runs `first` and `second` (each on one player's slot) concurrently: one round trip of latency.
    async fn both<A: FromRedisValue, B: FromRedisValue>(
        &self,
        op: &'static str,
        first: &Cmd,
        second: &Cmd,
    ) -> Result<(A, B), StoreError> {
        tokio::try_join!(self.store.query(op, first), self.store.query(op, second))
    }

    /// Makes `wanted` exactly `player`'s friend list (the host app's graph, both directions),
    /// idempotently: missing friendships are added, others removed. Returns (added, removed).
    pub(crate) async fn import(
        &self,
        player: &PlayerId,
        wanted: &BTreeSet<&PlayerId>,
        now_ms: u64,
    ) -> Result<(usize, usize), StoreError> {
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
        // Each change is one round trip (both sides at once); many run at once on the pipelined
        // connection, so a 5,000-friend import takes a fraction of 5,000 round trips.
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
                        this.unlink(&player, &other).await.map(drop)
                    }
                }
            })
            .buffer_unordered(IMPORT_IN_FLIGHT)
            .try_collect::<Vec<()>>()
            .await?;
        Ok((added, removed))
    }
}
