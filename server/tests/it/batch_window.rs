//! `--redis-batch-window-us`: on one Redis, while the connection is busy, a group-committed batch waits
//! that long for more before it is sent, so requests leave in fewer writes (fewer reads for Redis),
//! each still answered; at light load a request goes at once.

use std::sync::Arc;
use std::time::Duration;

use crate::support::TestRedis;
use crate::support::redis::reads_processed;
use leapfrog_core::metrics::Metrics;
use leapfrog_core::store::{Op, Store, cmd};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_connections_requests_leave_in_fewer_writes() {
    const WINDOW: Duration = Duration::from_millis(5);
    const REQUESTS: u64 = 200;
    let redis = TestRedis::single().await;
    let metrics = Arc::new(Metrics::new("test").unwrap());
    let store =
        Store::open_with_window(&redis.target(), Duration::from_secs(5), WINDOW, metrics).unwrap();
    store.ping().await.expect("Redis answers");
    let mut connection = redis.connection().await;
    let before = reads_processed(&mut connection).await;
    // A request every 100 µs or so, from a thread of its own (the runtime's timer ticks in milliseconds):
    // thousands a second, most of them a write of their own with no window.
    let runtime = tokio::runtime::Handle::current();
    let sender = store.clone();
    let requests = tokio::task::spawn_blocking(move || {
        (0..REQUESTS)
            .map(|i| {
                let store = sender.clone();
                let request = runtime.spawn(async move {
                    store
                        .query::<i64>(Op::Ping, cmd("INCR").arg(format!("window-test:{i}")))
                        .await
                        .expect("answered")
                });
                std::thread::sleep(Duration::from_micros(100));
                request
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for request in requests {
        assert_eq!(request.await.unwrap(), 1, "each request gets its own reply");
    }
    let after = reads_processed(&mut connection).await;
    // The first 10 ms find the connection idle and go one by one; then batches held for 5 ms take
    // dozens each.
    assert!(
        after - before <= REQUESTS / 2,
        "{REQUESTS} requests took {} reads of Redis",
        after - before
    );
}

#[tokio::test]
async fn a_request_that_comes_alone_is_not_held() {
    const WINDOW: Duration = Duration::from_millis(200);
    let redis = TestRedis::single().await;
    let metrics = Arc::new(Metrics::new("test").unwrap());
    let store =
        Store::open_with_window(&redis.target(), Duration::from_secs(5), WINDOW, metrics).unwrap();
    store.ping().await.expect("Redis answers");
    for attempt in 0..3 {
        // Longer apart than the window: each comes alone.
        tokio::time::sleep(WINDOW + Duration::from_millis(50)).await;
        let asked = tokio::time::Instant::now();
        store.ping().await.expect("Redis answers");
        let took = asked.elapsed();
        assert!(
            took < WINDOW / 2,
            "attempt {attempt}: a lone request took {took:?}, as if held for the {WINDOW:?} window"
        );
    }
}
