//! The fault schedule: a node SIGKILLed every `--node-kill-every-secs` (each node in turn) and started
//! again after `--node-down-ms`; Redis SIGKILLed every `--redis-restart-every-secs` and started again on
//! its append-only file after `--redis-down-ms`. The two schedules run independently, so a node may
//! well start while Redis is down. Nothing is scheduled past the load's deadline.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::cli::ChaosOptions;
use crate::cluster::Cluster;

/// One fault, when it happened.
#[derive(Debug, Clone, Serialize)]
pub struct FaultEvent {
    /// Seconds since the load started.
    pub at_s: f64,
    /// What was done.
    pub what: String,
}

/// Every fault injected.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FaultLog {
    /// Nodes killed.
    pub node_kills: u32,
    /// Redis kills, each followed by a start on the same append-only file.
    pub redis_restarts: u32,
    /// Each one, in order.
    pub events: Vec<FaultEvent>,
}

/// Injects faults from `started` until `deadline`, and returns what it did.
pub(crate) async fn inject(
    cluster: Arc<Cluster>,
    options: ChaosOptions,
    started: Instant,
    deadline: Instant,
) -> anyhow::Result<FaultLog> {
    let nodes = kill_nodes(&cluster, &options, started, deadline);
    let redis = restart_redis(&cluster, &options, started, deadline);
    let (nodes, redis) = tokio::try_join!(nodes, redis)?;
    let mut events: Vec<FaultEvent> = nodes.iter().chain(&redis).cloned().collect();
    events.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    Ok(FaultLog {
        node_kills: u32::try_from(nodes.len()).unwrap_or(u32::MAX),
        redis_restarts: u32::try_from(redis.len()).unwrap_or(u32::MAX),
        events,
    })
}

/// The times from `started + every` on, before `deadline` (none if `every` is zero).
fn schedule(started: Instant, every: Duration, deadline: Instant) -> Vec<Instant> {
    if every.is_zero() {
        return Vec::new();
    }
    std::iter::successors(Some(started + every), |at| Some(*at + every))
        .take_while(|at| *at < deadline)
        .collect()
}

async fn kill_nodes(
    cluster: &Cluster,
    options: &ChaosOptions,
    started: Instant,
    deadline: Instant,
) -> anyhow::Result<Vec<FaultEvent>> {
    let every = Duration::from_secs(options.node_kill_every_secs);
    let mut events = Vec::new();
    for (kill, at) in schedule(started, every, deadline).into_iter().enumerate() {
        tokio::time::sleep_until(at).await;
        let node = kill % cluster.node_count();
        cluster.kill_node(node).await;
        events.push(FaultEvent {
            at_s: started.elapsed().as_secs_f64(),
            what: format!("node-{node} killed"),
        });
        tokio::time::sleep(Duration::from_millis(options.node_down_ms)).await;
        cluster.start_node(node).await?;
    }
    Ok(events)
}

async fn restart_redis(
    cluster: &Cluster,
    options: &ChaosOptions,
    started: Instant,
    deadline: Instant,
) -> anyhow::Result<Vec<FaultEvent>> {
    let every = Duration::from_secs(options.redis_restart_every_secs);
    let mut events = Vec::new();
    for at in schedule(started, every, deadline) {
        tokio::time::sleep_until(at).await;
        cluster.kill_redis().await;
        let killed_at = started.elapsed().as_secs_f64();
        tokio::time::sleep(Duration::from_millis(options.redis_down_ms)).await;
        let down = Instant::now();
        cluster.start_redis().await?;
        events.push(FaultEvent {
            at_s: killed_at,
            what: format!(
                "Redis killed; answering again {:.0} ms after its start (append-only file loaded)",
                down.elapsed().as_secs_f64() * 1000.0
            ),
        });
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_stops_before_the_deadline() {
        let start = Instant::now();
        let times = schedule(
            start,
            Duration::from_secs(10),
            start + Duration::from_secs(240),
        );
        assert_eq!(times.len(), 23, "10 s, 20 s, ... 230 s");
        let times = schedule(
            start,
            Duration::from_secs(45),
            start + Duration::from_secs(240),
        );
        assert_eq!(times.len(), 5);
        assert!(schedule(start, Duration::ZERO, start + Duration::from_secs(240)).is_empty());
    }
}
