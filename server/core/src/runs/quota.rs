//! Per-player caps on starting runs, kept in Redis so they hold across connections and nodes: how many
//! runs a player may have live at once, and how many they may start per hour. With abandoned runs
//! counting their score, the hourly cap is what makes abandoning runs to shop for a good seed not pay.

use protocol::{PlayerId, RunId};

use crate::store::{Op, Store, StoreError, keys};

/// How long a start counts against the hourly cap.
const HOUR_MS: u64 = 3_600_000;

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
///
/// One transaction, no script (a script's fixed cost in Redis is several times these commands'): the
/// entries past their time go, the run is added to both lists, and both are counted. A count over its
/// cap takes the run back out (a second round trip, only when refused). Two starts racing for the last
/// slot may then both be refused, never both taken: the caps hold exactly, and err on refusing.
pub(crate) async fn take(
    store: &Store,
    quota: RunQuota,
    player: &PlayerId,
    run: RunId,
    now_ms: u64,
    timeout_ms: u64,
) -> Result<Result<(), Cap>, StoreError> {
    let live = keys::live_runs(player);
    let started = keys::runs_started(player);
    let mut digits = [0; 32];
    let id = run.hex(&mut digits);
    let mut pipe = redis::pipe();
    pipe.atomic()
        .zrembyscore(&live, "-inf", now_ms)
        .ignore()
        .zrembyscore(&started, "-inf", now_ms.saturating_sub(HOUR_MS))
        .ignore()
        .zadd(&live, id, timeout_ms)
        .ignore()
        .zadd(&started, id, now_ms)
        .ignore()
        .pexpire_at(&live, i64::try_from(timeout_ms).unwrap_or(i64::MAX))
        .ignore()
        .pexpire(&started, HOUR_MS as i64)
        .ignore()
        .zcard(&live)
        .zcard(&started);
    let (live_count, started_count): (u64, u64) = store.query_pipeline(Op::RunQuota, &pipe).await?;
    let cap = if live_count > u64::from(quota.max_live) {
        Cap::LiveRuns
    } else if started_count > u64::from(quota.max_per_hour) {
        Cap::RunsPerHour
    } else {
        return Ok(Ok(()));
    };
    let mut back = redis::pipe();
    back.atomic()
        .zrem(&live, id)
        .ignore()
        .zrem(&started, id)
        .ignore();
    if let Err(error) = store.query_pipeline::<()>(Op::RunQuotaRefund, &back).await {
        // The refused run's entries stay: its live one until it would have timed out (or a prune finds
        // it never started), its hourly one for the hour. The start is refused either way.
        tracing::debug!(error = %crate::error_chain::ErrorChain(&error), player = %player, "a refused start keeps its quota entries");
    }
    Ok(Err(cap))
}

/// Drops from `player`'s live runs those that are not live any more (their end could not free their slot,
/// a Redis failure at the wrong moment): one `HGET` of each listed run's state at once, then one `ZREM`.
/// Returns how many were dropped.
pub(crate) async fn prune_ended(store: &Store, player: &PlayerId) -> Result<usize, StoreError> {
    let listed: Vec<String> = store
        .query(
            Op::RunQuotaList,
            crate::store::cmd("ZRANGE")
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
                crate::store::cmd("HGET")
                    .arg(keys::run_meta(&run))
                    .arg("state"),
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
    let mut command = crate::store::cmd("ZREM");
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
            crate::store::cmd("ZREM")
                .arg(keys::live_runs(player))
                .arg(run.hex(&mut [0; 32])),
        )
        .await
}
