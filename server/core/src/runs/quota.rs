//! Per-player caps on starting runs, kept in Redis so they hold across connections and nodes: how many
//! runs a player may have live at once, and how many they may start per hour. With abandoned runs
//! counting their score, the hourly cap is what makes abandoning runs to shop for a good seed not pay.

use std::sync::LazyLock;

use protocol::{PlayerId, RunId};
use redis::Script;

use crate::store::{Op, Store, StoreError, keys};

static START_QUOTA: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("start_quota.lua")));

/// The caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunQuota {
    /// Most runs live at once per player.
    pub max_live: u32,
    /// Most runs started per player per hour.
    pub max_per_hour: u32,
}

/// Which cap a start hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    /// Too many runs live at once.
    LiveRuns,
    /// Too many runs started in the last hour.
    RunsPerHour,
}

impl Cap {
    /// The metric label.
    pub const fn label(self) -> &'static str {
        match self {
            Cap::LiveRuns => "live_runs",
            Cap::RunsPerHour => "runs_per_hour",
        }
    }
}

/// Takes the start of `run` from `player`'s quota, or says which cap it hits. `timeout_ms` is when the
/// run would time out if never played: its live entry lasts until then at most.
pub(crate) async fn take(
    store: &Store,
    quota: RunQuota,
    player: &PlayerId,
    run: RunId,
    now_ms: u64,
    timeout_ms: u64,
) -> Result<Result<(), Cap>, StoreError> {
    let mut invocation = START_QUOTA.prepare_invoke();
    invocation
        .key(keys::live_runs(player))
        .key(keys::runs_started(player))
        .arg(now_ms)
        .arg(run.to_string())
        .arg(timeout_ms)
        .arg(quota.max_live)
        .arg(quota.max_per_hour);
    let status: u8 = store.run_script(Op::RunQuota, &invocation).await?;
    Ok(match status {
        0 => Ok(()),
        1 => Err(Cap::LiveRuns),
        _ => Err(Cap::RunsPerHour),
    })
}

/// Drops from `player`'s live runs those that are not live any more (their end could not free their slot,
/// a Redis failure at the wrong moment): one `HGET` of each listed run's state at once, then one `ZREM`.
/// Returns how many were dropped.
pub(crate) async fn prune_ended(store: &Store, player: &PlayerId) -> Result<usize, StoreError> {
    let listed: Vec<String> = store
        .query(
            Op::RunQuotaList,
            redis::cmd("ZRANGE")
                .arg(keys::live_runs(player))
                .arg(0)
                .arg(-1),
        )
        .await?;
    let states = futures_util::future::try_join_all(listed.iter().map(|id| async move {
        let Ok(run) = id.parse::<RunId>() else {
            return Ok::<_, StoreError>(None);
        };
        let state: Option<String> = store
            .query(
                Op::RunQuotaState,
                redis::cmd("HGET").arg(keys::run_meta(&run)).arg("state"),
            )
            .await?;
        Ok(state)
    }))
    .await?;
    let ended: Vec<&String> = listed
        .iter()
        .zip(states)
        .filter(|(_, state)| state.as_deref() != Some("active"))
        .map(|(id, _)| id)
        .collect();
    if ended.is_empty() {
        return Ok(0);
    }
    let mut command = redis::cmd("ZREM");
    command.arg(keys::live_runs(player));
    for id in &ended {
        command.arg(id.as_str());
    }
    store.query::<()>(Op::RunQuotaPrune, &command).await?;
    Ok(ended.len())
}

/// Gives `run`'s live slot back: it ended.
pub(crate) async fn release(
    store: &Store,
    player: &PlayerId,
    run: RunId,
) -> Result<(), StoreError> {
    store
        .query::<()>(
            Op::RunQuotaRelease,
            redis::cmd("ZREM")
                .arg(keys::live_runs(player))
                .arg(run.to_string()),
        )
        .await
}
