//! Each player's share of the cluster-wide message budget (`leapfrog_core::budget`), as this node sees
//! it. A player may send `rate × window + burst` messages per 10 s window over every node together.
//! This node counts the messages it admits per player and adds them to Redis:
//! - in batches, a tenth of the budget at a time (one batch in flight per player; what gathers
//!   meanwhile follows as soon as it returns);
//! - and every `--message-budget-sync-ms` (2 s by default), each player's remainder. A node-wide task
//!   flushes a slice of the players every [`flush_step`] of that, each slice in a request or a few
//!   ([`PlayerBudgets::flush_slice`]).
//!
//! Both run in tasks the message path never waits for. The total that comes back tells whether the
//! player is over, and if so this node refuses their messages until the window ends. So no message
//! waits for Redis, a player costs one `INCRBY` per batch, the remainders of all players about
//! [`FLUSH_SLICES`] requests per sync period (not one per connection), and a player spread over nodes
//! overshoots by at most a batch per node. If Redis fails, the node's own per-player bucket still
//! holds.
//!
//! A connection holds its player's share ([`HeldShare`], `per_player`) from its first message on, so a
//! message costs a lock of that share, not a look-up of the player.

use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use leapfrog_core::budget::{BUDGET_WINDOW, MessageBudget};
use leapfrog_core::clock::unix_ms;
use leapfrog_core::error_chain::ErrorChain;
use leapfrog_core::store::StoreError;
use protocol::PlayerId;

use super::per_player::{Held, PerPlayer, Shared};

/// The players are flushed in this many slices (by a hash of their id), one slice every
/// [`flush_step`], so each player's remainder is added once per sync period: all of them at once held
/// Redis, and the jumps' checkpoints queued behind it, for milliseconds every interval, and raised the
/// jumps' p99 by half.
pub(crate) const FLUSH_SLICES: u64 = 20;

/// How often the node flushes the next slice of its players, for each player's remainder to be added
/// every `sync` (`--message-budget-sync-ms`).
pub(crate) fn flush_step(sync: Duration) -> Duration {
    sync / FLUSH_SLICES as u32
}

/// Players whose remainders go in one request; a slice's requests go one after another.
const FLUSH_CHUNK: usize = 64;

/// What this node knows of one player's current window.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Share {
    /// The window.
    window: u64,
    /// Messages admitted here and not yet added to Redis.
    unsynced: u64,
    /// A batch is on its way to Redis.
    syncing: bool,
    /// The cluster-wide total passed the budget: refuse until the window ends.
    over: bool,
}

/// A player's share here, and the flush slice they are in, worked out once when the share is made (a
/// flush step then compares a number, not a hash of every player's id).
pub(crate) struct PlayerShare {
    slice: u64,
    share: Mutex<Share>,
}

/// The share a connection holds: its player's, taken at the first message it admits.
pub(crate) type HeldShare = Held<PlayerShare>;

/// The share, locked. A share is a few numbers and nothing panics while it is locked; a poisoned one
/// is used as it is.
fn lock(player: &PlayerShare) -> MutexGuard<'_, Share> {
    player
        .share
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The cluster-wide budgets of the players connected here.
#[derive(Clone)]
pub(crate) struct PlayerBudgets {
    budget: MessageBudget,
    per_window: u64,
    batch: u64,
    shares: Arc<PerPlayer<PlayerShare>>,
    /// Hashes a player whose share is made here to their flush slice.
    slices: RandomState,
}

impl PlayerBudgets {
    /// Budgets of `rate_per_second × window + burst` messages per window, counted in `budget`.
    pub(crate) fn new(budget: MessageBudget, rate_per_second: u32, burst: u32) -> PlayerBudgets {
        let per_window = u64::from(rate_per_second) * BUDGET_WINDOW.as_secs() + u64::from(burst);
        PlayerBudgets {
            budget,
            per_window,
            batch: (per_window / 10).max(1),
            shares: Arc::new(PerPlayer::new()),
            slices: RandomState::new(),
        }
    }

    /// Counts one message of `player`, which came at `now_ms` (unix ms), on the connection holding
    /// `held`; false when the cluster-wide budget of this window is spent.
    pub(crate) fn admit(&self, held: &mut HeldShare, player: &PlayerId, now_ms: u64) -> bool {
        let shared = held.get(&self.shares, player, || PlayerShare {
            slice: self.slices.hash_one(player) % FLUSH_SLICES,
            share: Mutex::default(),
        });
        let window = MessageBudget::window_of(now_ms);
        let batch = {
            let mut share = lock(shared);
            if share.window != window {
                *share = Share {
                    window,
                    ..Share::default()
                };
            }
            if share.over {
                return false;
            }
            share.unsynced += 1;
            take_batch(&mut share, self.batch)
        };
        if let Some(count) = batch {
            self.sync(player, shared, window, count);
        }
        true
    }

    /// Adds what the players of `slice` (of [`FLUSH_SLICES`]) sent here since their last batch, if
    /// anything and unless a batch of theirs is on its way: one request per [`FLUSH_CHUNK`] players,
    /// one after another, in a task of its own. A node-wide task calls this for the next slice every
    /// [`flush_step`], so each player's remainder is added once per sync period.
    pub(crate) fn flush_slice(&self, slice: u64) {
        let slice = slice % FLUSH_SLICES;
        let mut due = Vec::new();
        self.shares.for_each(|player, shared| {
            if shared.slice != slice {
                return;
            }
            let mut share = lock(shared);
            let window = share.window;
            if let Some(count) = take_batch(&mut share, 1) {
                due.push((player.clone(), shared.clone(), window, count));
            }
        });
        if due.is_empty() {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            for chunk in due.chunks(FLUSH_CHUNK) {
                let adds: Vec<_> = chunk
                    .iter()
                    .map(|(player, _, window, count)| (player, *window, *count))
                    .collect();
                match this.budget.add_all(&adds).await {
                    Ok(totals) => {
                        for ((player, shared, window, _), total) in chunk.iter().zip(totals) {
                            this.counted(player, shared, *window, Ok(total));
                        }
                    }
                    Err(error) => {
                        for (player, shared, window, _) in chunk {
                            this.counted(player, shared, *window, Err(&error));
                        }
                    }
                }
            }
        });
    }

    /// Forgets the players whose last window is over and whom no connection here holds.
    pub(crate) fn forget_past_windows(&self) {
        let window = MessageBudget::window_of(unix_ms());
        self.shares.retain(|share, _| lock(share).window >= window);
    }

    fn sync(&self, player: &PlayerId, shared: &Shared<PlayerShare>, window: u64, count: u64) {
        let this = self.clone();
        let player = player.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            let total = this.budget.add(&player, window, count).await;
            this.counted(&player, &shared, window, total.as_ref().map(|total| *total));
        });
    }

    /// Takes in the total Redis answered for a batch of `player`'s `window` (or its failure), and sends
    /// the next batch at once if a burst filled one meanwhile.
    fn counted(
        &self,
        player: &PlayerId,
        shared: &Shared<PlayerShare>,
        window: u64,
        total: Result<u64, &StoreError>,
    ) {
        let next = {
            let mut share = lock(shared);
            if share.window != window {
                return;
            }
            share.syncing = false;
            match total {
                Ok(total) => share.over |= total > self.per_window,
                Err(error) => {
                    tracing::debug!(error = %ErrorChain(error), %player, "message budget not counted; the node's own limit holds")
                }
            }
            take_batch(&mut share, self.batch)
        };
        if let Some(count) = next {
            self.sync(player, shared, window, count);
        }
    }
}

/// The messages to add now, if at least `batch` wait and no batch is on its way.
fn take_batch(share: &mut Share, batch: u64) -> Option<u64> {
    if share.syncing || share.unsynced < batch {
        return None;
    }
    share.syncing = true;
    Some(std::mem::take(&mut share.unsynced))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every slice is flushed once per sync period: the default's 2 s in steps of 100 ms, and the
    /// longest (the budget's window) in steps of 500 ms.
    #[test]
    fn every_slice_is_flushed_once_per_sync_period() {
        for (sync, step) in [(2_000, 100), (10_000, 500), (100, 5)] {
            let step = Duration::from_millis(step);
            assert_eq!(flush_step(Duration::from_millis(sync)), step);
            assert_eq!(step * FLUSH_SLICES as u32, Duration::from_millis(sync));
        }
        assert_eq!(
            BUDGET_WINDOW,
            Duration::from_secs(10),
            "the option's upper bound"
        );
    }

    #[test]
    fn a_batch_leaves_when_full_and_one_at_a_time() {
        let mut share = Share {
            unsynced: 9,
            ..Share::default()
        };
        assert_eq!(take_batch(&mut share, 10), None);
        share.unsynced = 10;
        assert_eq!(take_batch(&mut share, 10), Some(10));
        assert_eq!(share.unsynced, 0);
        share.unsynced = 30;
        assert_eq!(take_batch(&mut share, 10), None, "one batch in flight");
        share.syncing = false;
        assert_eq!(take_batch(&mut share, 1), Some(30));
    }
}
