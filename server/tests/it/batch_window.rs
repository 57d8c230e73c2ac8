//! `--redis-batch-window-us`: on one Redis, while requests come closer together than the window, a
//! group-committed batch waits that long for more before it is sent, so they leave in one write (one
//! read for Redis), each still answered; a request that comes alone goes at once.

use std::sync::Arc;
use std::time::Duration;

use crate::support::TestRedis;
use crate::support::redis::reads_processed;
use leapfrog_core::metrics::Metrics;
use leapfrog_core::store::{Op, Store, cmd};

#[tokio::test]
async fn requests_that_come_within_the_window_leave_in_one_write() {
    const WINDOW: Duration = Duration::from_millis(50);
    const REQUESTS: u64 = 20;
    let redis = TestRedis::single().await;
    let metrics = Arc::new(Metrics::new("test").unwrap());
    let store =
        Store::open_with_window(&redis.target(), Duration::from_secs(5), WINDOW, metrics).unwrap();
    store.ping().await.expect("Redis answers");
    let mut connection = redis.connection().await;
    let before = reads_processed(&mut connection).await;
    let asked = tokio::time::Instant::now();
    // One request every millisecond or so: alone, each would be a write of its own.
    let mut requests = Vec::new();
    for i in 0..REQUESTS {
        let store = store.clone();
        requests.push(tokio::spawn(async move {
            let key = format!("window-test:{i}");
            store
                .query::<i64>(Op::Ping, cmd("INCR").arg(&key))
                .await
                .expect("answered")
        }));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    for request in requests {
        assert_eq!(request.await.unwrap(), 1, "each request gets its own reply");
    }
    let took = asked.elapsed();
    let after = reads_processed(&mut connection).await;
    // The requests spread over about 20 ms or more; the window holds them for 50: one or two writes
    // (two if the machine is slow enough to spread them past one window), beside the count's INFO.
    assert!(
        after - before <= 4,
        "{REQUESTS} requests within the window took {} reads of Redis",
        after - before
    );
    assert!(
        took < WINDOW * 10,
        "answered in {took:?}, for a window of {WINDOW:?}"
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
