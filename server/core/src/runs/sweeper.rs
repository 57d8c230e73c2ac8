//! The sweeper: every node, at start and then every `sweep_interval`, claims the runs of the index that
//! are due and settles them (`RunService::settle`): it records ended runs whose node did not, ends and
//! records runs idle past the timeout, and forgets what is settled. Claims carry a lease, so sweepers on
//! many nodes share the work without doing a run twice at once; recording is idempotent besides.

use std::time::Duration;

use super::{RunService, index};
use crate::clock::unix_ms;
use crate::error_chain::ErrorChain;
use crate::shutdown::Shutdown;

/// How long a claimed run is left to its claimer before another sweeper may take it.
const LEASE: Duration = Duration::from_secs(30);
/// Most runs claimed from one shard per sweep.
const BATCH: usize = 100;

/// Sweeps until `shutdown`.
pub(super) async fn sweep(runs: RunService, shutdown: Shutdown) {
    let mut interval = tokio::time::interval(runs.settings.sweep_interval);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.triggered() => return,
            _ = interval.tick() => {}
        }
        sweep_once(&runs).await;
    }
}

/// One pass over every shard.
pub(super) async fn sweep_once(runs: &RunService) {
    let mut backlog = 0;
    for shard in 0..index::SHARDS {
        let now_ms = unix_ms();
        let claimed = match index::claim_due(&runs.store, shard, now_ms, LEASE, BATCH).await {
            Ok(claimed) => claimed,
            Err(error) => {
                // The other shards may live on other Redis masters: one failing over must not keep them
                // from being swept.
                tracing::debug!(error = %ErrorChain(&error), shard, "sweeping a shard of the run index failed; next sweep retries");
                continue;
            }
        };
        for run in claimed {
            if let Err(error) = runs.settle(run, now_ms).await {
                runs.metrics
                    .runs_swept_total
                    .with_label_values(&["failed"])
                    .inc();
                tracing::warn!(error = %ErrorChain(&error), %run, "settling a run failed; trying again after the settle grace");
                // Sooner than the lease, unless Redis cannot even take this.
                let retry_ms = unix_ms().saturating_add(
                    u64::try_from(runs.settings.settle_grace.as_millis()).unwrap_or(u64::MAX),
                );
                let _ = index::schedule(&runs.store, run, retry_ms).await;
            }
        }
        if let Ok(count) = index::due_count(&runs.store, shard, now_ms).await {
            backlog += count;
        }
    }
    runs.metrics
        .runs_sweep_backlog
        .set(i64::try_from(backlog).unwrap_or(i64::MAX));
}
