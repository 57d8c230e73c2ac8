//! Each player's share of the cluster-wide message budget (`leapfrog_core::budget`), as this node sees
//! it. A player may send `rate × window + burst` messages per 10 s window over every node together.
//! This node counts the messages it admits per player and adds them to Redis in batches, a tenth of the
//! budget at a time (one batch in flight per player; what gathers meanwhile follows as soon as it
//! returns) or at the connection's next tick (every few seconds), in a task the message path never
//! waits for; the total that comes back tells whether the player is over, and if so this node
//! refuses their messages until the window ends. So no message waits for Redis, a player costs one
//! `INCRBY` per batch, and a player spread over nodes overshoots by at most a batch per node. If Redis
//! fails, the node's own per-player bucket still holds.
//!
//! A connection holds its player's share ([`HeldShare`], `per_player`) from its first message on, so a
//! message costs a lock of that share, not a look-up of the player.

use std::sync::{Arc, Mutex, MutexGuard};

use leapfrog_core::budget::{BUDGET_WINDOW, MessageBudget};
use leapfrog_core::clock::unix_ms;
use leapfrog_core::error_chain::ErrorChain;
use protocol::PlayerId;

use super::per_player::{Held, PerPlayer, Shared};

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

/// The share a connection holds: its player's, taken at the first message it admits.
pub(crate) type HeldShare = Held<Mutex<Share>>;

/// The share, locked. A share is a few numbers and nothing panics while it is locked; a poisoned one
/// is used as it is.
fn lock(share: &Mutex<Share>) -> MutexGuard<'_, Share> {
    share
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The cluster-wide budgets of the players connected here.
#[derive(Clone)]
pub(crate) struct PlayerBudgets {
    budget: MessageBudget,
    per_window: u64,
    batch: u64,
    shares: Arc<PerPlayer<Mutex<Share>>>,
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
        }
    }

    /// Counts one message of `player` on the connection holding `held`; false when the cluster-wide
    /// budget of this window is spent.
    pub(crate) fn admit(&self, held: &mut HeldShare, player: &PlayerId) -> bool {
        let shared = held.get(&self.shares, player, Mutex::default);
        let window = MessageBudget::window_of(unix_ms());
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

    /// Adds what the connection's player sent since the last batch, if anything (the connection's tick
    /// calls it).
    pub(crate) fn flush(&self, held: &HeldShare) {
        let Some((player, shared)) = held.held() else {
            return;
        };
        let batch = {
            let mut share = lock(shared);
            let window = share.window;
            take_batch(&mut share, 1).map(|count| (window, count))
        };
        if let Some((window, count)) = batch {
            self.sync(player, shared, window, count);
        }
    }

    /// Forgets the players whose last window is over and whom no connection here holds.
    pub(crate) fn forget_past_windows(&self) {
        let window = MessageBudget::window_of(unix_ms());
        self.shares.retain(|share, _| lock(share).window >= window);
    }

    fn sync(&self, player: &PlayerId, shared: &Shared<Mutex<Share>>, window: u64, count: u64) {
        let this = self.clone();
        let player = player.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            let total = this.budget.add(&player, window, count).await;
            let next = {
                let mut share = lock(&shared);
                if share.window != window {
                    return;
                }
                share.syncing = false;
                match total {
                    Ok(total) => share.over |= total > this.per_window,
                    Err(error) => {
                        tracing::debug!(error = %ErrorChain(&error), %player, "message budget not counted; the node's own limit holds")
                    }
                }
                // A burst that filled another batch meanwhile goes at once, not at the next tick.
                take_batch(&mut share, this.batch)
            };
            if let Some(count) = next {
                this.sync(&player, &shared, window, count);
            }
        });
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
