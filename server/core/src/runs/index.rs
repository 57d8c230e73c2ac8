//! The durable index of runs not yet settled: every run from its start until its result is recorded,
//! so no run is lost with the node that played it. Any node sweeps it ([`super::sweeper`]).
//!
//! The index is sharded over [`SHARDS`] sorted sets (`lf:{runs:<n>}`, the shard from the run id), so it
//! spreads over a Redis Cluster. A member is a run id; its score is when a sweeper should next look at the
//! run: for a live run, when it would time out; for an ended one, a moment after it ended (the node that
//! ended it normally records it first). A sweeper claims what is due with a lease (`claim_due.lua` moves
//! the entries a lease ahead in the same step), so two nodes do not work on the same run at once, and a
//! node that dies mid-way only delays the run by one lease.

use std::sync::LazyLock;
use std::time::Duration;

use protocol::RunId;
use redis::Script;

use crate::store::{Op, Store, StoreError, keys};

static CLAIM_DUE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("claim_due.lua")));

/// Shards of the index. Fixed: a run's shard is a function of its id, so changing it would strand runs.
pub(crate) const SHARDS: u8 = 16;

/// The shard holding `run`.
fn shard(run: &RunId) -> u8 {
    run.as_bytes()[0] % SHARDS
}

/// Adds `run`, or moves it, to be looked at `due_ms` (unix ms).
pub(crate) async fn schedule(store: &Store, run: RunId, due_ms: u64) -> Result<(), StoreError> {
    store
        .query::<()>(
            Op::RunsIndexSchedule,
            crate::store::cmd("ZADD")
                .arg(keys::runs_index(shard(&run)))
                .arg(due_ms)
                .arg(run.hex(&mut [0; 32])),
        )
        .await
}

/// Removes `run`: it is settled (recorded, or gone).
pub(crate) async fn settle(store: &Store, run: RunId) -> Result<(), StoreError> {
    store
        .query::<()>(
            Op::RunsIndexSettle,
            crate::store::cmd("ZREM")
                .arg(keys::runs_index(shard(&run)))
                .arg(run.hex(&mut [0; 32])),
        )
        .await
}

/// Claims up to `limit` runs of `shard` due by `now_ms`: they are moved `lease` ahead, so no other sweeper
/// takes them meanwhile, and returned.
pub(crate) async fn claim_due(
    store: &Store,
    shard: u8,
    now_ms: u64,
    lease: Duration,
    limit: usize,
) -> Result<Vec<RunId>, StoreError> {
    let lease_ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX);
    let mut invocation = CLAIM_DUE.prepare_invoke();
    invocation
        .key(keys::runs_index(shard))
        .arg(now_ms)
        .arg(now_ms.saturating_add(lease_ms))
        .arg(limit);
    let ids: Vec<String> = store.run_script(Op::RunsIndexClaim, &invocation).await?;
    Ok(ids.into_iter().filter_map(|id| id.parse().ok()).collect())
}

/// How many runs of `shard` are due by `now_ms` (for the unsettled-runs gauge).
pub(crate) async fn due_count(store: &Store, shard: u8, now_ms: u64) -> Result<u64, StoreError> {
    store
        .query(
            Op::RunsIndexCount,
            crate::store::cmd("ZCOUNT")
                .arg(keys::runs_index(shard))
                .arg("-inf")
                .arg(now_ms),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_spread_over_every_shard() {
        let mut seen = [false; SHARDS as usize];
        for byte in 0..=u8::MAX {
            seen[usize::from(shard(&RunId::from_bytes([byte; 16])))] = true;
        }
        assert!(seen.iter().all(|hit| *hit));
    }
}
