//! The flags of recorded runs: a node sends those of the runs recorded within a short window together,
//! a moment after it answered their players, and a flag Redis refuses lists its run again as due now,
//! so a sweeper records it again (see `runs::settling`).

use std::sync::Arc;
use std::time::Duration;

use crate::support::redis::reads_processed;
use crate::support::{self, TestRedis};
use leapfrog_core::metrics::Metrics;
use leapfrog_core::runs::Settler;
use leapfrog_core::store::Store;
use protocol::RunId;
use redis::AsyncCommands;

/// How long a flagged run's keys are kept in these tests.
const RETENTION: Duration = Duration::from_secs(600);

/// The index shard key holding `run` (its first byte, modulo the 16 shards).
fn index_key(run: &RunId) -> String {
    format!("lf:{{runs:{}}}", run.as_bytes()[0] % 16)
}

fn meta_key(run: &RunId) -> String {
    format!("lf:{{run:{run}}}:meta")
}

/// One Redis, and a store on it.
async fn redis_and_store() -> (TestRedis, Store, Arc<Metrics>) {
    let redis = TestRedis::single().await;
    let metrics = Arc::new(Metrics::new("test").unwrap());
    let store = Store::connect_to(&redis.target(), Duration::from_secs(5), metrics.clone())
        .await
        .unwrap();
    (redis, store, metrics)
}

#[tokio::test]
async fn runs_recorded_together_are_flagged_in_one_round_trip_a_moment_later() {
    let (redis, store, metrics) = redis_and_store().await;
    let mut connection = redis.connection().await;
    let runs: Vec<RunId> = (0..40u8).map(|i| RunId::from_bytes([i; 16])).collect();
    for run in &runs {
        // An ended run as its end leaves it: its record kept a day, listed in the index.
        let () = connection
            .hset(meta_key(run), "state", "ended")
            .await
            .unwrap();
        let () = connection.expire(meta_key(run), 86_400).await.unwrap();
        let () = connection
            .zadd(index_key(run), run.to_string(), 1)
            .await
            .unwrap();
    }
    let settler = Settler::start(store, RETENTION, &metrics);
    // The store's connection is open (greeted) before the count starts.
    let before = reads_processed(&mut connection).await;
    for run in &runs {
        settler.settle(*run).await;
    }
    // Queuing never waits, so the worker has not run yet on this one-thread runtime.
    assert_eq!(
        metrics.run_marks_pending.get(),
        40,
        "the queued marks counted"
    );
    assert_eq!(settler.drain(support::WAIT).await, 0, "every flag sent");
    assert_eq!(
        metrics.run_marks_pending.get(),
        0,
        "none counted as waiting"
    );
    let after = reads_processed(&mut connection).await;
    // 40 runs, two requests each: one write of the store's connection (Redis may read a large write in
    // two), beside the count's own INFO.
    assert!(
        after - before <= 4,
        "40 runs' flags took {} reads of Redis",
        after - before
    );
    for run in &runs {
        let flag: Option<String> = connection.hget(meta_key(run), "recorded").await.unwrap();
        assert_eq!(flag.as_deref(), Some("1"), "run {run} flagged");
        let ttl: i64 = connection.ttl(meta_key(run)).await.unwrap();
        assert!(
            0 < ttl && ttl <= RETENTION.as_secs() as i64,
            "a flagged run's record is kept the settled retention, not {ttl} s"
        );
        let listed: Option<f64> = connection
            .zscore(index_key(run), run.to_string())
            .await
            .unwrap();
        assert_eq!(listed, None, "run {run} left the index");
    }
}

#[tokio::test]
async fn a_run_whose_flag_redis_refuses_is_listed_again_as_due_now() {
    let (redis, store, metrics) = redis_and_store().await;
    let mut connection = redis.connection().await;
    let run = RunId::from_bytes([7; 16]);
    // A record of the wrong type: the flag's HSET fails, as a write Redis refuses would.
    let () = connection.set(meta_key(&run), "not a hash").await.unwrap();
    let () = connection
        .zadd(index_key(&run), run.to_string(), 1)
        .await
        .unwrap();
    let settler = Settler::start(store, RETENTION, &metrics);
    let asked = leapfrog_core::clock::unix_ms();
    settler.settle(run).await;
    assert_eq!(settler.drain(support::WAIT).await, 0);
    let due: Option<f64> = connection
        .zscore(index_key(&run), run.to_string())
        .await
        .unwrap();
    let due = due.expect("the run stays listed") as u64;
    assert!(
        asked <= due && due <= leapfrog_core::clock::unix_ms(),
        "listed as due now ({due}), for a sweeper to record again"
    );
}
