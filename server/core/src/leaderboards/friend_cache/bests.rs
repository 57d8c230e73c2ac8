//! The friends' bests part of the friend-board cache: a map sharded for batches. A friend-board read
//! looks up every friend at once (5,000 at most), so the map takes each shard's lock once per batch, not
//! once per friend: per-key locking (quick_cache's `peek`) was a third of a cached 5,000-friend read's
//! node CPU, most of it the lock's cache line moving between the runtime's threads.
//!
//! Entries are useless once older than the TTL, so the bound needs no eviction order: a full shard first
//! drops its expired entries, and if it is still full the new entry is not kept (the next read asks
//! Redis again).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use protocol::Period;

use crate::leaderboards::PeriodSlot;

/// Which board a best is from: the period kind and the moment that period ends, so the next period of
/// the same kind is another key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct BoardTag {
    kind: u8,
    ends_at_ms: u64,
}

impl BoardTag {
    /// The board of `period` at `slot`.
    pub(super) fn new(period: Period, slot: &PeriodSlot) -> BoardTag {
        let kind = match period {
            Period::Daily => 0,
            Period::Weekly => 1,
            Period::AllTime => 2,
        };
        BoardTag {
            kind,
            ends_at_ms: slot.ends_at_ms.unwrap_or(u64::MAX),
        }
    }
}

/// A best's key: a board and a 128-bit digest of the player id (see [`super::Digest`]).
pub(super) type Key = (BoardTag, u128);

/// A player's packed best on one board (`None`: no entry), and when it was read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Best {
    pub(super) packed: Option<u64>,
    pub(super) fetched: Instant,
}

/// Whether something read at `fetched` may still be served at `now`: the one freshness rule of the
/// friend-board cache, for bests and friend lists alike.
pub(super) fn fresh(fetched: Instant, now: Instant, ttl: Duration) -> bool {
    now.saturating_duration_since(fetched) < ttl
}

/// Shards: a power of two, more than the runtime's threads, so a batch's writers rarely meet.
const SHARDS: usize = 16;

/// Hashes a [`Key`]. The digest is already uniformly random, so folding its words (and the tag's) with a
/// multiply is enough; SipHash again would double the cost of a lookup.
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.write_u64(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u128(&mut self, value: u128) {
        self.write_u64(value as u64);
        self.write_u64((value >> 64) as u64);
    }
}

type Map = HashMap<Key, Best, BuildHasherDefault<KeyHasher>>;

/// One shard: its map, and when its expired entries were last dropped.
struct Shard {
    map: Map,
    purged: Option<Instant>,
}

/// The bests, sharded by the digest's top bits.
pub(super) struct Bests {
    shards: Box<[RwLock<Shard>]>,
    per_shard: usize,
    ttl: Duration,
}

/// The shard of `key`.
fn shard_of(key: &Key) -> usize {
    (key.1 >> 124) as usize % SHARDS
}

/// The indices of `keys` grouped by shard (a counting sort): shard `s` holds
/// `order[starts[s]..starts[s + 1]]`.
fn by_shard<'a>(keys: impl Iterator<Item = &'a Key> + Clone) -> ([usize; SHARDS + 1], Vec<usize>) {
    let mut starts = [0; SHARDS + 1];
    for key in keys.clone() {
        starts[shard_of(key) + 1] += 1;
    }
    for shard in 0..SHARDS {
        starts[shard + 1] += starts[shard];
    }
    let mut next = starts;
    let mut order = vec![0; starts[SHARDS]];
    for (index, key) in keys.enumerate() {
        let shard = shard_of(key);
        order[next[shard]] = index;
        next[shard] += 1;
    }
    (starts, order)
}

impl Bests {
    /// At most about `entries` bests, each served for `ttl`.
    pub(super) fn new(entries: usize, ttl: Duration) -> Bests {
        Bests {
            shards: (0..SHARDS)
                .map(|_| {
                    RwLock::new(Shard {
                        map: Map::default(),
                        purged: None,
                    })
                })
                .collect(),
            per_shard: entries.div_ceil(SHARDS),
            ttl,
        }
    }

    /// The fresh entry of each key, in order (`None`: none, or older than the TTL).
    pub(super) fn get_all(&self, keys: &[Key]) -> Vec<Option<Best>> {
        let now = Instant::now();
        let mut found = vec![None; keys.len()];
        let (starts, order) = by_shard(keys.iter());
        for (shard, lock) in self.shards.iter().enumerate() {
            let mine = &order[starts[shard]..starts[shard + 1]];
            if mine.is_empty() {
                continue;
            }
            let shard = lock.read().unwrap_or_else(PoisonError::into_inner);
            for &at in mine {
                found[at] = shard
                    .map
                    .get(&keys[at])
                    .filter(|best| fresh(best.fetched, now, self.ttl))
                    .copied();
            }
        }
        found
    }

    /// Keeps every `(key, best)`, as far as the bound allows.
    pub(super) fn put_all(&self, entries: &[(Key, Best)]) {
        let (starts, order) = by_shard(entries.iter().map(|(key, _)| key));
        for (shard, lock) in self.shards.iter().enumerate() {
            let mine = &order[starts[shard]..starts[shard + 1]];
            if mine.is_empty() {
                continue;
            }
            let mut shard = lock.write().unwrap_or_else(PoisonError::into_inner);
            for &at in mine {
                let (key, best) = entries[at];
                self.put(&mut shard, key, best);
            }
        }
    }

    /// Applies `change` to the entry of `key` (`None` if there is none or it expired), keeping its result.
    pub(super) fn update(&self, key: Key, change: impl FnOnce(Option<Best>) -> Best) {
        let now = Instant::now();
        let mut shard = self.shards[shard_of(&key)]
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let old = shard
            .map
            .get(&key)
            .filter(|best| fresh(best.fetched, now, self.ttl))
            .copied();
        let new = change(old);
        self.put(&mut shard, key, new);
    }

    /// Keeps one entry. A full shard drops its expired entries first, at most once per quarter TTL (a
    /// shard full of fresh entries is not scanned on every put); if still full, the entry is not kept.
    fn put(&self, shard: &mut Shard, key: Key, best: Best) {
        if shard.map.len() >= self.per_shard && !shard.map.contains_key(&key) {
            let now = Instant::now();
            let due = shard
                .purged
                .is_none_or(|at| now.saturating_duration_since(at) >= self.ttl / 4);
            if due {
                shard.purged = Some(now);
                let ttl = self.ttl;
                shard.map.retain(|_, kept| fresh(kept.fetched, now, ttl));
            }
            if shard.map.len() >= self.per_shard {
                return;
            }
        }
        shard.map.insert(key, best);
    }

    /// Entries held, fresh or not.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| {
                shard
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .map
                    .len()
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(digest: u128) -> Key {
        (
            BoardTag {
                kind: 1,
                ends_at_ms: 7,
            },
            digest,
        )
    }

    fn best(packed: u64, fetched: Instant) -> Best {
        Best {
            packed: Some(packed),
            fetched,
        }
    }

    /// Digests spread over every shard (the shard is the top four bits).
    fn spread(n: u128) -> Vec<Key> {
        (0..n).map(|i| key((i << 124) | i)).collect()
    }

    #[test]
    fn a_batch_finds_what_was_put_in_order() {
        let bests = Bests::new(1_000, Duration::from_secs(60));
        let now = Instant::now();
        let keys = spread(40);
        let put: Vec<(Key, Best)> = keys
            .iter()
            .step_by(2)
            .map(|key| (*key, best(key.1 as u64, now)))
            .collect();
        bests.put_all(&put);
        let found = bests.get_all(&keys);
        for (index, (key, found)) in keys.iter().zip(found).enumerate() {
            let expected = (index % 2 == 0).then_some(key.1 as u64);
            assert_eq!(found.and_then(|best| best.packed), expected, "key {index}");
        }
    }

    #[test]
    fn a_full_shard_drops_expired_entries_and_otherwise_keeps_no_more() {
        // One entry per shard.
        let bests = Bests::new(SHARDS, Duration::from_secs(1));
        let old = Instant::now()
            .checked_sub(Duration::from_secs(2))
            .expect("the clock is past two seconds");
        bests.put_all(&[(key(1), best(1, old))]);
        // Same shard (top bits zero): the expired entry makes room.
        bests.put_all(&[(key(2), best(2, Instant::now()))]);
        assert_eq!(bests.len(), 1);
        assert_eq!(bests.get_all(&[key(2)])[0].and_then(|b| b.packed), Some(2));
        // A fresh entry is not pushed out: the newcomer is not kept.
        bests.put_all(&[(key(3), best(3, Instant::now()))]);
        assert_eq!(bests.get_all(&[key(3)])[0].map(|b| b.packed), None);
        assert_eq!(bests.get_all(&[key(2)])[0].and_then(|b| b.packed), Some(2));
        // An entry already held is always replaced.
        bests.put_all(&[(key(2), best(5, Instant::now()))]);
        assert_eq!(bests.get_all(&[key(2)])[0].and_then(|b| b.packed), Some(5));
    }

    #[test]
    fn an_update_sees_only_a_fresh_entry() {
        let bests = Bests::new(100, Duration::from_secs(1));
        let old = Instant::now()
            .checked_sub(Duration::from_secs(2))
            .expect("the clock is past two seconds");
        bests.put_all(&[(key(1), best(9, old))]);
        bests.update(key(1), |seen| {
            assert!(seen.is_none(), "expired");
            best(4, Instant::now())
        });
        bests.update(key(1), |seen| {
            assert_eq!(seen.and_then(|b| b.packed), Some(4));
            best(6, Instant::now())
        });
        assert_eq!(bests.get_all(&[key(1)])[0].and_then(|b| b.packed), Some(6));
    }
}
