//! Every request to one Redis is answered within the store's timeout, a Redis that takes the
//! connection and never answers included: the group commit holds each request to its deadline (the
//! store arms no timer of its own there), and a request after a timed-out one gets a timeout again,
//! not a wait on the dead connection.

use std::sync::Arc;
use std::time::Duration;

use leapfrog_core::metrics::Metrics;
use leapfrog_core::store::{RedisTarget, Store, StoreError};
use tokio::net::TcpListener;

const TIMEOUT: Duration = Duration::from_millis(200);

#[tokio::test]
async fn a_redis_that_never_answers_fails_each_request_as_a_timeout_within_the_timeout() {
    // Takes connections and reads nothing, answers nothing.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            sockets.push(socket);
        }
    });
    let metrics = Arc::new(Metrics::new("test").unwrap());
    let target = RedisTarget::Single(format!("redis://127.0.0.1:{port}"));
    let store = Store::open(&target, TIMEOUT, metrics).unwrap();
    for attempt in 0..3 {
        let asked = tokio::time::Instant::now();
        // Bounded here too, so a store that never answers fails the test instead of hanging it.
        let answer = tokio::time::timeout(TIMEOUT * 10, store.ping())
            .await
            .unwrap_or_else(|_| panic!("attempt {attempt}: no answer in {:?}", TIMEOUT * 10));
        let took = asked.elapsed();
        assert!(
            matches!(answer, Err(StoreError::Timeout { .. })),
            "attempt {attempt}: {answer:?}"
        );
        assert!(
            TIMEOUT <= took && took < TIMEOUT * 5,
            "attempt {attempt}: failed after {took:?}, for a timeout of {TIMEOUT:?}"
        );
    }
    held.abort();
}
