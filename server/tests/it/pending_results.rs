//! A finished run's result is never lost on a Redis blip: it waits in the node's bounded retry queue
//! while Redis is down and is recorded, and pushed to its player, once Redis is back; a full queue
//! refuses rather than grows (the run then waits for a sweeper, see `red_team::durability`).

use std::sync::Arc;
use std::time::Duration;

use crate::support::{self, TestRedis};
use leapfrog_core::leaderboards::score;
use leapfrog_core::metrics::Metrics;
use leapfrog_core::runs::{FinishedRun, PendingResults};
use leapfrog_core::store::Store;
use protocol::PlayerId;

/// A run of "patient" with `centre_hits` centre hits.
fn finished(centre_hits: u32) -> FinishedRun {
    support::finished_run(
        &PlayerId::new("patient").unwrap(),
        3,
        centre_hits,
        1_800_000_000_000,
    )
}

/// Waits (up to 10 s) until the queue's worker has failed a try: it has taken a result and retries it.
async fn until_tried(metrics: &Metrics) {
    let tried = tokio::time::Instant::now();
    while metrics.run_result_retries_total.get() < 1 {
        assert!(tried.elapsed() < Duration::from_secs(10), "never tried");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_result_queued_during_an_outage_is_recorded_when_redis_returns() {
    let mut redis = TestRedis::start().await;
    let metrics = Arc::new(Metrics::new("test").unwrap());
    let store = Store::connect_to(&redis.target(), Duration::from_millis(200), metrics.clone())
        .await
        .unwrap();
    let domain = support::recording_domain(store, metrics.clone());
    let queue = PendingResults::start(4, domain.recorder.clone(), metrics.clone());
    let run = finished(5);

    redis.stop().await;
    assert!(domain.recorder.record(&run).await.is_err(), "Redis is down");
    assert!(queue.enqueue(run.clone()), "queued");
    // A try fails at once or after the store's timeout (200 ms), however busy the machine is.
    until_tried(&metrics).await;
    assert_eq!(queue.len(), 1, "still waiting while Redis is down");
    assert_eq!(metrics.run_results_pending.get(), 1, "the gauge counts it");

    redis.resume().await;
    assert_eq!(
        queue.drain(Duration::from_secs(10)).await,
        0,
        "recorded after the outage"
    );
    assert_eq!(metrics.run_results_pending.get(), 0);
    let pushed = domain.pushed.taken();
    assert_eq!(
        pushed
            .iter()
            .map(|result| (result.run_id, result.final_score))
            .collect::<Vec<_>>(),
        vec![(run.run_id, run.summary.score)],
        "the player hears the result once"
    );
    let mut connection = redis.connection().await;
    let best: f64 = redis::cmd("ZSCORE")
        .arg(crate::support::board_key("all", "patient"))
        .arg("patient")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(score::decode(score::from_redis(best)).0, run.summary.score);
}

#[tokio::test]
async fn a_full_queue_refuses_instead_of_growing() {
    let mut redis = TestRedis::start().await;
    let metrics = Arc::new(Metrics::new("test").unwrap());
    let store = Store::connect_to(&redis.target(), Duration::from_millis(100), metrics.clone())
        .await
        .unwrap();
    let domain = support::recording_domain(store, metrics.clone());
    let queue = PendingResults::start(1, domain.recorder, metrics.clone());
    redis.stop().await;
    // One is being retried by the worker, one waits in the channel of capacity 1; the third is refused.
    assert!(queue.enqueue(finished(1)));
    // The worker has taken the first once it failed a try.
    until_tried(&metrics).await;
    assert!(queue.enqueue(finished(2)));
    assert!(!queue.enqueue(finished(3)), "a full queue refuses");
    assert_eq!(queue.len(), 2);
    assert_eq!(
        metrics.run_results_pending.get(),
        2,
        "the gauge counts what waits"
    );
    redis.resume().await;
    assert_eq!(queue.drain(Duration::from_secs(10)).await, 0);
}
