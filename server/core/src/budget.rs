//! Each player's message budget across nodes. Every node adds the messages a player sent it to one
//! counter per player per window in Redis and learns the total, so a player who connects to several
//! nodes, or hops from node to node, is held to one budget. Nodes add in batches (the gateway decides
//! when, and never waits for the answer), so the message path costs no Redis round trip.

use std::time::Duration;

use protocol::PlayerId;

use crate::store::{Op, Store, StoreError, keys};

/// The window a budget counts over.
pub const BUDGET_WINDOW: Duration = Duration::from_secs(10);

/// The counters of the cluster-wide message budget. Cheap to clone.
#[derive(Clone)]
pub struct MessageBudget {
    store: Store,
}

impl MessageBudget {
    /// The counters in `store`.
    pub fn new(store: Store) -> MessageBudget {
        MessageBudget { store }
    }

    /// The window unix time `now_ms` falls in.
    pub fn window_of(now_ms: u64) -> u64 {
        now_ms / BUDGET_WINDOW.as_millis() as u64
    }

    /// Adds `count` messages of `player` to `window` and returns the window's total over every node:
    /// one `MULTI` (`INCRBY`, `PEXPIRE` two windows), one round trip.
    pub async fn add(&self, player: &PlayerId, window: u64, count: u64) -> Result<u64, StoreError> {
        let key = keys::message_budget(player, window);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .incr(&key, count)
            .pexpire(&key, 2 * BUDGET_WINDOW.as_millis() as i64)
            .ignore();
        let (total,): (u64,) = self.store.query_pipeline(Op::MessageBudget, &pipe).await?;
        Ok(total)
    }
}
