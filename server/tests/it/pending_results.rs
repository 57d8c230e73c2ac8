//! A finished run's result is never lost on a Redis blip: it waits in the bounded retry queue while
//! Redis is down and is recorded, and announced, once Redis is back.

use crate::support;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::TestRedis;
use leapfrog_core::leaderboards::score;
use leapfrog_core::metrics::Metrics;
use leapfrog_core::runs::{FinishedRun, PendingResults, ResultRecorder};
use leapfrog_core::store::Store;
use protocol::PlayerId;

/// A result recorder wired as the server wires it.
fn recorder(store: Store, metrics: Arc<Metrics>) -> ResultRecorder {
    support::recording_domain(store, metrics).0
}

/// A run of "patient" with `centre_hits` centre hits.
fn finished(centre_hits: u32) -> FinishedRun {
    support::finished_run(
        &PlayerId::new("patient").unwrap(),
        3,
        centre_hits,
        1_800_000_000_000,
    )
}

#[tokio::test]
async fn a_result_queued_during_an_outage_is_recorded_when_redis_returns() {
    let mut redis = TestRedis::start().await;
    let metrics = Arc::new(Metrics::new("test").unwrap());
    let store = Store::connect(&redis.url(), Duration::from_millis(200), metrics.clone())
        .await
        .unwrap();
    let recorder = recorder(store, metrics.clone());
    let heard = Arc::new(Mutex::new(Vec::new()));
    let listener = {
        let heard = heard.clone();
        Arc::new(
            move |run: &FinishedRun, report: &leapfrog_core::runs::RunReport| {
                heard.lock().unwrap().push((run.run_id, report.final_score));
            },
        )
    };
    let queue = PendingResults::start(4, recorder.clone(), metrics.clone(), listener);
    let run = finished(5);

    redis.stop().await;
    assert!(recorder.record(&run).await.is_err(), "Redis is down");
    queue
        .enqueue(run.clone(), Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(queue.len(), 1, "still waiting while Redis is down");
    assert!(metrics.run_result_retries_total.get() >= 1);

    redis.resume().await;
    assert_eq!(
        queue.drain(Duration::from_secs(10)).await,
        0,
        "recorded after the outage"
    );
    assert_eq!(
        *heard.lock().unwrap(),
        vec![(run.run_id, run.summary.score)]
    );
    let mut connection = redis.connection().await;
    let best: f64 = redis::cmd("ZSCORE")
        .arg("lf:{lb:all}")
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
    let store = Store::connect(&redis.url(), Duration::from_millis(100), metrics.clone())
        .await
        .unwrap();
    let recorder = recorder(store, metrics.clone());
    let queue = PendingResults::start(1, recorder, metrics, Arc::new(|_: &FinishedRun, _: &_| {}));
    redis.stop().await;
    // One is being retried by the worker, one waits in the channel of capacity 1; the third must wait
    // and is refused when no room comes.
    queue
        .enqueue(finished(1), Duration::from_millis(100))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    queue
        .enqueue(finished(2), Duration::from_millis(100))
        .await
        .unwrap();
    let refused = queue.enqueue(finished(3), Duration::from_millis(100)).await;
    assert!(refused.is_err(), "a full queue refuses");
    assert_eq!(queue.len(), 2);
    redis.resume().await;
    assert_eq!(queue.drain(Duration::from_secs(10)).await, 0);
}
