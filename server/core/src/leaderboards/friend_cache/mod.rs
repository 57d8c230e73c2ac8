//! The node's short-lived cache for friend-board reads: players' friend lists and their period bests.
//!
//! A friend board is the viewer's friend list (`HKEYS`) looked up on the period's global board: at 5,000
//! friends that is a 5,000-argument `ZMSCORE`, and most of Redis's time goes to the lookups themselves
//! (BENCHMARKS.md, "Friend-board reads at 5,000 friends"). Friends overlap: the players a node serves
//! share many friends, and a player reads several pages, periods or refreshes in a row. So each node keeps
//! what it read for at most [`FriendCacheConfig::ttl`], like the global top's one-second cache, and a read
//! asks Redis only for what it has not seen within that time.
//!
//! What a reader can see:
//! - Their own best is never taken from the cache: it is read on every read.
//! - A friend's best, and who their friends are, are at most the TTL old. A best only rises within a
//!   period (`ZADD GT`), so a cached one can only be lower than the board's, never higher.
//! - A best recorded through this node is written through at once ([`FriendCache::raise`]).
//! - A new period is a new key, so a turnover never shows last period's best.
//! - Blocks are not cached: the board's reader always leaves out who blocked them.
//!
//! Recording a run never reads this cache: who was passed, and the ranks a result reports, are read
//! from Redis. Both parts are bounded by [`FriendCacheConfig::entries`] and need no sweeper: the lists
//! by quick_cache's S3-FIFO eviction (a list weighs its length), the bests by [`bests`], a map sharded
//! for the batch lookups a read makes.

use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::time::{Duration, Instant};

use protocol::{Period, PlayerId};
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::PeriodSlot;
use bests::{Best, Bests, BoardTag, fresh};

mod bests;

/// Settings of the cache: both come from the node's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FriendCacheConfig {
    /// Longest a cached friend list or best is served. Zero turns the cache off.
    pub ttl: Duration,
    /// Most bests kept (one per player and board), and most friend ids kept across the cached lists.
    /// Zero turns the cache off.
    pub entries: usize,
}

impl FriendCacheConfig {
    /// A node's defaults: one second, 250,000 entries (about 50 MiB at most, deploy/README.md).
    pub const DEFAULT: FriendCacheConfig = FriendCacheConfig {
        ttl: Duration::from_secs(1),
        entries: 250_000,
    };

    /// No cache: every friend-board read asks Redis for the friend list and every friend's best.
    pub const OFF: FriendCacheConfig = FriendCacheConfig {
        ttl: Duration::ZERO,
        entries: 0,
    };
}

/// Digests player ids for the bests' keys: 128 bits, so a key is copied, compared and dropped without
/// touching the heap. Two ids share a digest with odds of about 2^-128 per pair; the keys of the two
/// SipHash halves are random per node, so no one can aim for it.
struct Digest {
    high: RandomState,
    low: RandomState,
}

impl Digest {
    fn new() -> Digest {
        Digest {
            high: RandomState::new(),
            low: RandomState::new(),
        }
    }

    fn of(&self, player: &PlayerId) -> u128 {
        let id = player.as_str();
        (u128::from(self.high.hash_one(id)) << 64) | u128::from(self.low.hash_one(id))
    }
}

/// A player's friend list, and when it was read.
#[derive(Debug, Clone)]
struct List {
    friends: Arc<[PlayerId]>,
    fetched: Instant,
}

/// Weighs a cached friend list by its length, so the lists hold at most `entries` ids in all.
#[derive(Debug, Clone, Copy)]
struct ByLength;

impl Weighter<PlayerId, List> for ByLength {
    fn weight(&self, _player: &PlayerId, list: &List) -> u64 {
        list.friends.len() as u64 + 1
    }
}

/// Both caches, shared by clones.
struct Caches {
    digest: Digest,
    bests: Bests,
    lists: Cache<PlayerId, List, ByLength>,
}

/// The cache (see the module documentation). Cloning shares it.
#[derive(Clone)]
pub(crate) struct FriendCache {
    caches: Option<Arc<Caches>>,
    ttl: Duration,
}

/// What a lookup of many players' bests found.
pub(crate) struct Looked<'a> {
    /// Players with a fresh entry and a best: their index in the players looked up, and the best.
    pub(crate) found: Vec<(usize, u64)>,
    /// Players to read from Redis.
    pub(crate) missing: Vec<&'a PlayerId>,
}

impl FriendCache {
    /// A cache with `config`, or none if either setting is zero.
    pub(crate) fn new(config: FriendCacheConfig) -> FriendCache {
        let on = !config.ttl.is_zero() && config.entries > 0;
        FriendCache {
            caches: on.then(|| {
                Arc::new(Caches {
                    digest: Digest::new(),
                    bests: Bests::new(config.entries, config.ttl),
                    // A list weighs its length; the estimate of lists held assumes 100 ids each.
                    lists: Cache::with_weighter(
                        (config.entries / 100).max(1),
                        config.entries as u64,
                        ByLength,
                    ),
                })
            }),
            ttl: config.ttl,
        }
    }

    /// `player`'s friend list if read within the TTL.
    pub(crate) fn friends(&self, player: &PlayerId) -> Option<Arc<[PlayerId]>> {
        let caches = self.caches.as_ref()?;
        caches
            .lists
            .peek(player)
            .filter(|list| fresh(list.fetched, Instant::now(), self.ttl))
            .map(|list| list.friends)
    }

    /// Keeps `player`'s friend list, read at `fetched`.
    pub(crate) fn keep_friends(
        &self,
        player: &PlayerId,
        friends: Arc<[PlayerId]>,
        fetched: Instant,
    ) {
        if let Some(caches) = &self.caches {
            caches
                .lists
                .insert(player.clone(), List { friends, fetched });
        }
    }

    /// Splits `players` into those with a fresh best for `period`'s board `slot` (with their best, if
    /// any) and those to read.
    pub(crate) fn look_up<'a>(
        &self,
        period: Period,
        slot: &PeriodSlot,
        players: &'a [PlayerId],
    ) -> Looked<'a> {
        let Some(caches) = &self.caches else {
            return Looked {
                found: Vec::new(),
                missing: players.iter().collect(),
            };
        };
        let tag = BoardTag::new(period, slot);
        let keys: Vec<_> = players
            .iter()
            .map(|player| (tag, caches.digest.of(player)))
            .collect();
        let mut found = Vec::with_capacity(players.len());
        let mut missing = Vec::new();
        for ((index, player), best) in players.iter().enumerate().zip(caches.bests.get_all(&keys)) {
            match best {
                Some(best) => {
                    if let Some(packed) = best.packed {
                        found.push((index, packed));
                    }
                }
                None => missing.push(player),
            }
        }
        Looked { found, missing }
    }

    /// Keeps what a read on `period`'s board `slot` returned, made at `fetched`: each player with their
    /// packed best, or `None` for no entry.
    pub(crate) fn keep(
        &self,
        period: Period,
        slot: &PeriodSlot,
        read: &[(PlayerId, Option<u64>)],
        fetched: Instant,
    ) {
        let Some(caches) = &self.caches else {
            return;
        };
        let tag = BoardTag::new(period, slot);
        let entries: Vec<_> = read
            .iter()
            .map(|(player, packed)| {
                let best = Best {
                    packed: *packed,
                    fetched,
                };
                ((tag, caches.digest.of(player)), best)
            })
            .collect();
        caches.bests.put_all(&entries);
    }

    /// Writes a best this node just recorded: the cached entry becomes at least `packed`, read now.
    pub(crate) fn raise(&self, period: Period, slot: &PeriodSlot, player: &PlayerId, packed: u64) {
        let Some(caches) = &self.caches else {
            return;
        };
        let key = (BoardTag::new(period, slot), caches.digest.of(player));
        caches.bests.update(key, |kept| Best {
            packed: Some(
                kept.and_then(|kept| kept.packed)
                    .map_or(packed, |kept| kept.max(packed)),
            ),
            fetched: Instant::now(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn player(id: &str) -> PlayerId {
        PlayerId::new(id.to_owned()).expect("a valid id")
    }

    fn weekly(ends_at_ms: u64) -> PeriodSlot {
        PeriodSlot {
            id: format!("w{ends_at_ms}"),
            ends_at_ms: Some(ends_at_ms),
        }
    }

    fn cache(ttl_ms: u64) -> FriendCache {
        FriendCache::new(FriendCacheConfig {
            ttl: Duration::from_millis(ttl_ms),
            entries: 1_000,
        })
    }

    /// Keeps player a's weekly best `packed`, read at `fetched`.
    fn keep_a(cache: &FriendCache, slot: &PeriodSlot, packed: u64, fetched: Instant) {
        cache.keep(
            Period::Weekly,
            slot,
            &[(player("a"), Some(packed))],
            fetched,
        );
    }

    fn two_seconds_ago() -> Instant {
        Instant::now()
            .checked_sub(Duration::from_secs(2))
            .expect("the clock is past two seconds")
    }

    #[test]
    fn a_kept_read_is_found_bests_and_absences_alike() {
        let cache = cache(60_000);
        let slot = weekly(1);
        let players = vec![player("a"), player("b"), player("c")];
        let first = cache.look_up(Period::Weekly, &slot, &players);
        assert_eq!(first.missing, players.iter().collect::<Vec<_>>());
        assert!(first.found.is_empty());
        let read = vec![
            (player("c"), Some(9)),
            (player("b"), None),
            (player("a"), Some(7)),
        ];
        cache.keep(Period::Weekly, &slot, &read, Instant::now());
        let again = cache.look_up(Period::Weekly, &slot, &players);
        assert!(again.missing.is_empty(), "b's absence is kept too");
        assert_eq!(again.found, vec![(0, 7), (2, 9)]);
    }

    #[test]
    fn another_period_or_kind_is_a_miss() {
        let cache = cache(60_000);
        let players = vec![player("a")];
        keep_a(&cache, &weekly(1), 7, Instant::now());
        let next_week = cache.look_up(Period::Weekly, &weekly(2), &players);
        assert_eq!(next_week.missing, [&players[0]]);
        let same_end_daily = cache.look_up(Period::Daily, &weekly(1), &players);
        assert_eq!(same_end_daily.missing, [&players[0]]);
    }

    #[test]
    fn an_entry_older_than_the_ttl_is_read_again() {
        let cache = cache(1_000);
        let slot = weekly(1);
        let players = vec![player("a")];
        keep_a(&cache, &slot, 7, two_seconds_ago());
        assert_eq!(
            cache.look_up(Period::Weekly, &slot, &players).missing,
            [&players[0]]
        );
        cache.keep_friends(&player("a"), players.clone().into(), two_seconds_ago());
        assert_eq!(cache.friends(&player("a")), None);
    }

    #[test]
    fn a_friend_list_is_kept_for_the_ttl() {
        let cache = cache(60_000);
        let friends: Arc<[PlayerId]> = vec![player("b"), player("c")].into();
        assert_eq!(cache.friends(&player("a")), None);
        cache.keep_friends(&player("a"), friends.clone(), Instant::now());
        assert_eq!(cache.friends(&player("a")), Some(friends));
        assert_eq!(cache.friends(&player("b")), None);
    }

    #[test]
    fn a_raise_never_lowers_and_is_fresh() {
        let cache = cache(60_000);
        let slot = weekly(1);
        let players = vec![player("a")];
        keep_a(&cache, &slot, 9, Instant::now());
        cache.raise(Period::Weekly, &slot, &player("a"), 5);
        assert_eq!(
            cache.look_up(Period::Weekly, &slot, &players).found,
            vec![(0, 9)]
        );
        cache.raise(Period::Weekly, &slot, &player("a"), 12);
        assert_eq!(
            cache.look_up(Period::Weekly, &slot, &players).found,
            vec![(0, 12)]
        );
    }

    #[test]
    fn off_keeps_nothing() {
        for config in [
            FriendCacheConfig::OFF,
            FriendCacheConfig {
                ttl: Duration::from_secs(1),
                entries: 0,
            },
            FriendCacheConfig {
                ttl: Duration::ZERO,
                entries: 10,
            },
        ] {
            let cache = FriendCache::new(config);
            let slot = weekly(1);
            let players = vec![player("a")];
            keep_a(&cache, &slot, 9, Instant::now());
            cache.raise(Period::Weekly, &slot, &player("a"), 10);
            assert_eq!(
                cache.look_up(Period::Weekly, &slot, &players).missing,
                [&players[0]]
            );
            cache.keep_friends(&player("a"), players.clone().into(), Instant::now());
            assert_eq!(cache.friends(&player("a")), None);
        }
    }
}
