//! Each player's message budget across nodes. Every node adds the messages a player sent it to one
//! counter per player per window in Redis and learns the total, so a player who connects to several
//! nodes, or hops from node to node, is held to one budget. Nodes add in batches (the gateway decides
//! when, and never waits for the answer; a node adds every player's remainder in one request), so the
//! message path costs no Redis round trip.

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

    /// Adds `count` messages of `player` to `window` and returns the window's total over every node.
    pub async fn add(&self, player: &PlayerId, window: u64, count: u64) -> Result<u64, StoreError> {
        let totals = self.add_all(&[(player, window, count)]).await?;
        // `add_all` answers one total per add, or fails.
        Ok(totals.first().copied().unwrap_or(0))
    }

    /// Adds each `(player, window, count)` and returns each window's total over every node, in order:
    /// one request for them all on one Redis (on a cluster, one per player, as the slots differ). Per player a
    /// `SET NX PX` that gives a new counter its expiry (two windows) and an `INCRBY`: whatever part of
    /// the request reaches Redis, no counter is left without an expiry.
    pub async fn add_all(&self, adds: &[(&PlayerId, u64, u64)]) -> Result<Vec<u64>, StoreError> {
        let expiry_ms = 2 * BUDGET_WINDOW.as_millis() as u64;
        let groups = adds
            .iter()
            .map(|(player, window, count)| {
                let key = keys::message_budget(player, *window);
                let mut expiring = crate::store::cmd("SET");
                expiring.arg(&key).arg(0).arg("PX").arg(expiry_ms).arg("NX");
                let mut add = crate::store::cmd("INCRBY");
                add.arg(&key).arg(*count);
                vec![expiring, add]
            })
            .collect();
        self.store
            .query_groups(Op::MessageBudget, groups)
            .await?
            .into_iter()
            .map(|replies| {
                // The `INCRBY`'s reply; a missing one fails to decode like a wrong one.
                let total = replies.into_iter().nth(1).unwrap_or(redis::Value::Nil);
                crate::store::decode(Op::MessageBudget, total)
            })
            .collect()
    }
}
