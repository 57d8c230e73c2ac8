//! A period board split into shards (`store::Sharding`), read as one: a player's entry lives on their
//! shard, so a write is one `ZADD GT` on one key; a read gathers from every shard at once (one round trip
//! of latency whatever the shard count) and merges.
//!
//! Ranks are exact: Redis orders one sorted set by score, then equal scores by member, both descending;
//! the merge orders the same way across shards, so a player's rank is 1 + the entries ranked above them:
//! on each shard those with a greater packed score (`ZCOUNT`), and those with the same packed score and a
//! greater member name (two players reaching the same score in the same second). The top of each period is
//! cached on each node for at most [`TOP_CACHE_TTL`]: a board read by millions costs the shards one read
//! per node per second, not one per reader.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use protocol::PlayerId;
use protocol::limits::MAX_BOARD_TOP;
use tokio::sync::Mutex;

use super::score;
use crate::store::{self, Op, Sharding, Store, StoreError};

/// Longest a node serves a period's cached top before reading the shards again.
pub const TOP_CACHE_TTL: Duration = Duration::from_secs(1);
/// Entries of a period's top kept in the cache: every `Top` window within them is served from it.
const CACHED_TOP: usize = MAX_BOARD_TOP as usize;
/// Deepest rank a `Top` window of a global board may start after: each shard is read from its top down to
/// the window, so deep pages cost every shard that much. Past it, a player reads around themself.
pub const MAX_GLOBAL_AFTER: u32 = 1_000;
/// Equal packed scores (a tie in score and in second) fetched beside the window's neighbours.
const TIES: usize = 8;

/// A ranked entry: 1-based rank, player, packed score.
pub(crate) type Ranked = (u32, PlayerId, u64);

/// One period's cached top.
struct Cached {
    fetched: Instant,
    top: Arc<Vec<(PlayerId, u64)>>,
    total: u64,
}

/// The sharded global boards of every period.
#[derive(Clone)]
pub(crate) struct GlobalBoards {
    store: Store,
    sharding: Sharding,
    cache: Arc<Mutex<HashMap<String, Cached>>>,
}

/// The bound of a range of scores above `packed`, excluding it (`(packed`), written without the
/// formatting machinery: a run's answer reads its standing on each shard.
fn above(packed: u64) -> String {
    let mut bound = String::with_capacity(21);
    bound.push('(');
    bound.push_str(itoa::Buffer::new().format(packed));
    bound
}

/// Orders entries as Redis orders one sorted set read in reverse: packed score, then member, descending.
fn by_rank(a: &(PlayerId, u64), b: &(PlayerId, u64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0))
}

/// (member, score) rows as (player, packed), skipping members that are not player ids.
fn entries(rows: Vec<(String, f64)>) -> impl Iterator<Item = (PlayerId, u64)> {
    rows.into_iter().filter_map(|(player, packed)| {
        PlayerId::new(player)
            .ok()
            .map(|player| (player, score::from_redis(packed)))
    })
}

impl GlobalBoards {
    pub(crate) fn new(store: Store, sharding: Sharding) -> GlobalBoards {
        GlobalBoards {
            store,
            sharding,
            cache: Arc::default(),
        }
    }

    /// `player`'s packed best on board `period_id`, if any.
    pub(crate) async fn best(
        &self,
        period_id: &str,
        player: &PlayerId,
    ) -> Result<Option<u64>, StoreError> {
        let packed: Option<f64> = self
            .store
            .query(Op::BoardBest, &self.zscore(period_id, player))
            .await?;
        Ok(packed.map(score::from_redis))
    }

    /// `ZSCORE` of `player` on their shard of board `period_id`.
    fn zscore(&self, period_id: &str, player: &PlayerId) -> redis::Cmd {
        let mut zscore = crate::store::cmd("ZSCORE");
        zscore
            .arg(self.sharding.board_key(period_id, player))
            .arg(player.as_str());
        zscore
    }

    /// `player`'s packed best on each of the boards `period_ids`, in their order: one `ZSCORE` each,
    /// sent together (one request on one Redis, see [`Store::query_groups`]).
    pub(crate) async fn bests(
        &self,
        period_ids: &[&str],
        player: &PlayerId,
    ) -> Result<Vec<Option<u64>>, StoreError> {
        let groups = period_ids
            .iter()
            .map(|period_id| vec![self.zscore(period_id, player)])
            .collect();
        self.store
            .query_groups(Op::BoardBest, groups)
            .await?
            .into_iter()
            .map(|replies| {
                let packed: Option<f64> = match replies.into_iter().next() {
                    Some(reply) => store::decode(Op::BoardBest, reply)?,
                    None => None,
                };
                Ok(packed.map(score::from_redis))
            })
            .collect()
    }

    /// Raises `player`'s entry on each board of `raises` (period id, packed score, when the board
    /// expires: unix ms) to its packed score if better, and keeps the board's shard until it expires:
    /// `ZADD GT` and `PEXPIREAT` per board, every board sent together (one request on one Redis). Not a
    /// `MULTI`: the writes are idempotent and a failure is retried whole, so a transaction would only
    /// cost Redis two more commands per board.
    pub(crate) async fn raise_all(
        &self,
        player: &PlayerId,
        raises: &[(&str, u64, Option<u64>)],
    ) -> Result<(), StoreError> {
        let groups = raises
            .iter()
            .map(|(period_id, packed, expires_at_ms)| {
                let key = self.sharding.board_key(period_id, player);
                let mut zadd = crate::store::cmd("ZADD");
                zadd.arg(&key).arg("GT").arg(*packed).arg(player.as_str());
                let mut group = vec![zadd];
                if let Some(at) = expires_at_ms {
                    let mut expire = crate::store::cmd("PEXPIREAT");
                    expire.arg(&key).arg(*at);
                    group.push(expire);
                }
                group
            })
            .collect();
        self.store
            .query_groups(Op::BoardRaise, groups)
            .await
            .map(drop)
    }

    /// The packed scores on board `period_id` of those `players` who have one: one `ZMSCORE` per shard
    /// that holds any of them, all at once.
    pub(crate) async fn scores(
        &self,
        period_id: &str,
        players: &[PlayerId],
    ) -> Result<Vec<(PlayerId, u64)>, StoreError> {
        Ok(self
            .lookup(period_id, players)
            .await?
            .into_iter()
            .filter_map(|(player, packed)| packed.map(|packed| (player, packed)))
            .collect())
    }

    /// Every one of `players` with their packed score on board `period_id`, or `None` without an entry,
    /// in no particular order: one `ZMSCORE` per shard that holds any of them, all at once.
    pub(crate) async fn lookup<P: std::borrow::Borrow<PlayerId>>(
        &self,
        period_id: &str,
        players: &[P],
    ) -> Result<Vec<(PlayerId, Option<u64>)>, StoreError> {
        if players.is_empty() {
            return Ok(Vec::new());
        }
        let keys = self.sharding.board_keys(period_id);
        let mut by_shard: HashMap<u16, Vec<&PlayerId>> = HashMap::new();
        for player in players {
            let player = player.borrow();
            by_shard
                .entry(self.sharding.shard_of(player))
                .or_default()
                .push(player);
        }
        let reads = by_shard.into_iter().map(|(shard, group)| {
            let mut command = crate::store::cmd("ZMSCORE");
            command.arg(&keys[usize::from(shard)]);
            for player in &group {
                command.arg(player.as_str());
            }
            async move {
                let scores: Vec<Option<f64>> = self.store.query(Op::BoardZmscore, &command).await?;
                Ok::<_, StoreError>(
                    group
                        .into_iter()
                        .zip(scores)
                        .map(|(player, packed)| (player.clone(), packed.map(score::from_redis)))
                        .collect::<Vec<_>>(),
                )
            }
        });
        let found = futures_util::future::try_join_all(reads).await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// Players on board `period_id`: the sum of the shards' sizes.
    pub(crate) async fn total(&self, period_id: &str) -> Result<u64, StoreError> {
        let keys = self.sharding.board_keys(period_id);
        let sizes = futures_util::future::try_join_all(keys.iter().map(|key| {
            let command = crate::store::cmd("ZCARD").arg(key).to_owned();
            async move { self.store.query::<u64>(Op::BoardTotal, &command).await }
        }))
        .await?;
        Ok(sizes.into_iter().sum())
    }

    /// `player`'s rank and packed best on board `period_id` (`None` without an entry), and the board's
    /// size: a `ZSCORE` on their shard, then on every shard at once the entries above them and the size.
    pub(crate) async fn standing(
        &self,
        period_id: &str,
        player: &PlayerId,
    ) -> Result<(Option<(u32, u64)>, u64), StoreError> {
        let Some(packed) = self.best(period_id, player).await? else {
            return Ok((None, self.total(period_id).await?));
        };
        let keys = self.sharding.board_keys(period_id);
        let shards = futures_util::future::try_join_all(keys.iter().map(|key| {
            let mut pipe = redis::pipe();
            pipe.cmd("ZCOUNT")
                .arg(key)
                .arg(above(packed))
                .arg("+inf")
                .cmd("ZRANGEBYSCORE")
                .arg(key)
                .arg(packed)
                .arg(packed)
                .zcard(key);
            async move {
                self.store
                    .query_pipeline::<(u64, Vec<String>, u64)>(Op::BoardStanding, &pipe)
                    .await
            }
        }))
        .await?;
        let mut above = 0;
        let mut total = 0;
        for (greater, equal, size) in shards {
            above += greater
                + equal
                    .iter()
                    .filter(|member| member.as_str() > player.as_str())
                    .count() as u64;
            total += size;
        }
        Ok((Some((rank(above), packed)), total))
    }

    /// The `count` entries after rank `after` and the board's size. A window within the top is served
    /// from the node's cache of it (at most [`TOP_CACHE_TTL`] old); a deeper one reads every shard down
    /// to it.
    pub(crate) async fn top(
        &self,
        period_id: &str,
        after: u32,
        count: usize,
    ) -> Result<(Vec<Ranked>, u64), StoreError> {
        let start = after as usize;
        let (ranking, total) = if start + count <= CACHED_TOP {
            self.cached_top(period_id).await?
        } else {
            self.read_top(period_id, start + count).await?
        };
        let window = ranking
            .iter()
            .enumerate()
            .skip(start)
            .take(count)
            .map(|(index, (player, packed))| (rank(index as u64), player.clone(), *packed))
            .collect();
        Ok((window, total))
    }

    /// The period's top from the cache, read again when older than [`TOP_CACHE_TTL`]. Readers of one
    /// period wait for one read rather than each making their own.
    async fn cached_top(
        &self,
        period_id: &str,
    ) -> Result<(Arc<Vec<(PlayerId, u64)>>, u64), StoreError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.get(period_id)
            && cached.fetched.elapsed() < TOP_CACHE_TTL
        {
            return Ok((cached.top.clone(), cached.total));
        }
        let (top, total) = self.read_top(period_id, CACHED_TOP).await?;
        if cache.len() >= 16 {
            cache.retain(|_, cached| cached.fetched.elapsed() < TOP_CACHE_TTL);
        }
        cache.insert(
            period_id.to_owned(),
            Cached {
                fetched: Instant::now(),
                top: top.clone(),
                total,
            },
        );
        Ok((top, total))
    }

    /// The best `depth` entries of board `period_id`, merged from every shard's best `depth`, and its size.
    async fn read_top(
        &self,
        period_id: &str,
        depth: usize,
    ) -> Result<(Arc<Vec<(PlayerId, u64)>>, u64), StoreError> {
        let keys = self.sharding.board_keys(period_id);
        let stop = depth.saturating_sub(1) as isize;
        let shards = futures_util::future::try_join_all(keys.iter().map(|key| {
            let mut pipe = redis::pipe();
            pipe.zrevrange_withscores(key, 0, stop).zcard(key);
            async move {
                self.store
                    .query_pipeline::<(Vec<(String, f64)>, u64)>(Op::BoardRange, &pipe)
                    .await
            }
        }))
        .await?;
        let mut total = 0;
        let mut merged: Vec<(PlayerId, u64)> = Vec::new();
        for (rows, size) in shards {
            merged.extend(entries(rows));
            total += size;
        }
        merged.sort_by(by_rank);
        merged.truncate(depth);
        Ok((Arc::new(merged), total))
    }

    /// `player`'s entry and up to `radius` entries above and below it, ranked, and the board's size; no
    /// entries when the player has none.
    pub(crate) async fn around(
        &self,
        period_id: &str,
        player: &PlayerId,
        radius: usize,
    ) -> Result<(Vec<Ranked>, u64), StoreError> {
        let Some(packed) = self.best(period_id, player).await? else {
            return Ok((Vec::new(), self.total(period_id).await?));
        };
        let keys = self.sharding.board_keys(period_id);
        let fetch = (radius + TIES) as isize;
        let shards = futures_util::future::try_join_all(keys.iter().map(|key| {
            let mut pipe = redis::pipe();
            pipe.cmd("ZCOUNT")
                .arg(key)
                .arg(above(packed))
                .arg("+inf")
                .cmd("ZRANGEBYSCORE")
                .arg(key)
                .arg(packed)
                .arg("+inf")
                .arg("WITHSCORES")
                .arg("LIMIT")
                .arg(0)
                .arg(fetch)
                .cmd("ZREVRANGEBYSCORE")
                .arg(key)
                .arg(packed)
                .arg("-inf")
                .arg("WITHSCORES")
                .arg("LIMIT")
                .arg(0)
                .arg(fetch)
                .zcard(key);
            async move {
                self.store
                    .query_pipeline::<(u64, Vec<(String, f64)>, Vec<(String, f64)>, u64)>(
                        Op::BoardAround,
                        &pipe,
                    )
                    .await
            }
        }))
        .await?;
        let me = (player.clone(), packed);
        let mut greater = 0;
        let mut total = 0;
        let mut above: Vec<(PlayerId, u64)> = Vec::new();
        let mut below: Vec<(PlayerId, u64)> = Vec::new();
        for (count, up, down, size) in shards {
            greater += count;
            total += size;
            above.extend(entries(up).filter(|entry| by_rank(entry, &me).is_lt()));
            below.extend(entries(down).filter(|entry| by_rank(entry, &me).is_gt()));
        }
        // Ties (same packed score, greater member) rank above the player too.
        let ties = above.iter().filter(|(_, score)| *score == packed).count() as u64;
        let my_rank = rank(greater + ties);
        above.sort_by(by_rank);
        let first_above = above.len().saturating_sub(radius);
        below.sort_by(by_rank);
        below.truncate(radius);
        let above = above.split_off(first_above);
        let start = my_rank - above.len() as u32;
        let window = above
            .into_iter()
            .chain(std::iter::once(me))
            .chain(below)
            .enumerate()
            .map(|(offset, (player, packed))| (start + offset as u32, player, packed))
            .collect();
        Ok((window, total))
    }
}

/// The 1-based rank after `above` entries.
fn rank(above: u64) -> u32 {
    u32::try_from(above.saturating_add(1)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, packed: u64) -> (PlayerId, u64) {
        (PlayerId::new(name).unwrap(), packed)
    }

    #[test]
    fn the_bound_above_a_score_excludes_it() {
        for packed in [0, 7, 1_234_567, u64::MAX] {
            assert_eq!(above(packed), format!("({packed}"));
        }
    }

    #[test]
    fn the_merge_orders_as_redis_orders_one_set() {
        let mut merged = [
            entry("ann", 5),
            entry("bob", 9),
            entry("cat", 5),
            entry("dan", 1),
        ];
        merged.sort_by(by_rank);
        let names: Vec<&str> = merged.iter().map(|(player, _)| player.as_str()).collect();
        assert_eq!(
            names,
            ["bob", "cat", "ann", "dan"],
            "equal scores: member descending"
        );
    }
}
