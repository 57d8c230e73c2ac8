//! Values the node keeps per player, each shared by the player's connections here: their rate-limit
//! bucket (`rate_limit`) and their share of the cluster-wide budget (`player_budget`). A connection
//! finds its player's value once and holds it ([`Held`]), so a message looks nothing up; the node
//! forgets a value only when no connection holds it.

use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use protocol::PlayerId;

/// One player's value, and when a connection holding it last let it go.
///
/// With its `Arc`'s two counts, 64 bytes for the node's values (a 40-byte bucket or share): mimalloc's
/// 64 class. Each entry used to keep its map's start beside it, 16 bytes more and the 80 class, on
/// every connected player twice over.
struct Entry<T> {
    value: T,
    /// ms from [`epoch`] to when a connection holding the value last let it go (0: none has yet).
    released_ms: AtomicU64,
}

impl<T> Entry<T> {
    fn release(&self) {
        self.released_ms
            .store(millis_since_epoch(Instant::now()), Ordering::Relaxed);
    }
}

/// The instant the entries count their release times from: the first time one asks, once per process.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Whole ms from [`epoch`] to `now`.
fn millis_since_epoch(now: Instant) -> u64 {
    u64::try_from(now.saturating_duration_since(epoch()).as_millis()).unwrap_or(u64::MAX)
}

/// A player's value, shared with the map and the player's other connections: a clone shares it, and
/// keeps it in the map while it lives.
pub(crate) struct Shared<T>(Arc<Entry<T>>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0.value
    }
}

/// The values of the players the node has seen lately.
pub(crate) struct PerPlayer<T> {
    values: DashMap<PlayerId, Shared<T>>,
}

impl<T> PerPlayer<T> {
    /// An empty map.
    pub(crate) fn new() -> PerPlayer<T> {
        // Fixed before any entry is released, so no release time comes before it.
        epoch();
        PerPlayer {
            values: DashMap::new(),
        }
    }

    /// `player`'s value, made by `make` if they have none.
    fn find(&self, player: &PlayerId, make: impl FnOnce() -> T) -> Shared<T> {
        if let Some(value) = self.values.get(player) {
            return value.clone();
        }
        self.values
            .entry(player.clone())
            .or_insert_with(|| {
                Shared(Arc::new(Entry {
                    value: make(),
                    released_ms: AtomicU64::new(0),
                }))
            })
            .clone()
    }

    /// Forgets the values no connection holds (nor anything else: a task on its way with one) that
    /// `keep` does not keep, given the value and how long ago a connection last let it go.
    pub(crate) fn retain(&self, mut keep: impl FnMut(&T, Duration) -> bool) {
        let now_ms = millis_since_epoch(Instant::now());
        // A connection takes a value under its shard's lock: one this drops, none holds.
        self.values.retain(|_, shared| {
            let released = now_ms.saturating_sub(shared.0.released_ms.load(Ordering::Relaxed));
            Arc::strong_count(&shared.0) > 1 || keep(shared, Duration::from_millis(released))
        });
        self.values.shrink_to_fit();
    }

    /// Calls `f` with each player's value here (holding each shard's lock while it runs).
    pub(crate) fn for_each(&self, mut f: impl FnMut(&PlayerId, &Shared<T>)) {
        for entry in &self.values {
            f(entry.key(), entry.value());
        }
    }

    /// Players with a value here.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
}

/// A connection's hold on its player's value. Dropped (the connection closed) it lets the value go.
///
/// It keeps no copy of the player's id: a connection's player never changes once set (`hello` refuses
/// a token naming another player), so the value held is always its player's. That is 24 bytes and an
/// allocation fewer on every connected player, twice over (the bucket and the budget's share).
pub(crate) struct Held<T>(Option<Shared<T>>);

impl<T> Default for Held<T> {
    fn default() -> Self {
        Held(None)
    }
}

impl<T> Held<T> {
    /// The connection's player's value: the one held, or else `player`'s, found in `all` (made by
    /// `make` for a player with none) and held from now on. `player` must be the connection's one
    /// player.
    pub(crate) fn get(
        &mut self,
        all: &PerPlayer<T>,
        player: &PlayerId,
        make: impl FnOnce() -> T,
    ) -> &Shared<T> {
        self.0.get_or_insert_with(|| all.find(player, make))
    }
}

impl<T> Drop for Held<T> {
    fn drop(&mut self) {
        if let Some(shared) = self.0.take() {
            shared.0.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use super::*;

    fn ada() -> PlayerId {
        PlayerId::new("ada").expect("a player id")
    }

    /// The node's two per-player values fit mimalloc's 64-byte class with the `Arc`'s counts.
    #[test]
    fn an_entry_with_its_counts_fits_64_bytes() {
        use crate::gateway::player_budget::PlayerShare;
        use governor::DefaultDirectRateLimiter;
        let counts = 2 * std::mem::size_of::<usize>();
        assert!(counts + std::mem::size_of::<Entry<DefaultDirectRateLimiter>>() <= 64);
        assert!(counts + std::mem::size_of::<Entry<PlayerShare>>() <= 64);
    }

    #[test]
    fn a_players_connections_hold_one_value() {
        let all = PerPlayer::new();
        let (mut one, mut two) = (Held::default(), Held::default());
        one.get(&all, &ada(), || AtomicU32::new(0))
            .fetch_add(1, Ordering::Relaxed);
        let seen = two.get(&all, &ada(), || AtomicU32::new(0));
        assert_eq!(seen.load(Ordering::Relaxed), 1);
        assert_eq!(all.len(), 1);
    }

    #[test]
    fn a_value_is_forgotten_only_when_nothing_holds_it() {
        let all = PerPlayer::new();
        let mut held = Held::default();
        let task = held.get(&all, &ada(), || 7).clone();
        drop(held);
        all.retain(|_, _| false);
        assert_eq!(all.len(), 1, "a task on its way still has it");
        drop(task);
        all.retain(|_, _| true);
        assert_eq!(all.len(), 1, "kept by `keep`");
        all.retain(|_, _| false);
        assert_eq!(all.len(), 0);
    }
}
