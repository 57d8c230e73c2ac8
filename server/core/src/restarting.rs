//! Workers that outlive a panic. A node's queues (the group commit's, the retried results', the
//! settled runs' flags) are each drained by one task, and one task sweeps the run index; a panic in one
//! (a bug) would leave its queue with no reader, and every request, result or flag queued after it
//! would wait forever while the node looked alive. [`spawn`] runs such a worker again on the same queue
//! after a panic: the item it was handling is lost to that bug (its sender sees its reply dropped; a
//! finished run's result is not lost, as every ended run is listed in Redis for the sweepers), and
//! everything queued behind it is served. (The panic itself is logged and counted by the binary's
//! panic hook.)

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::task::JoinHandle;

/// The wait before a worker that panicked runs again: a bug that panics on every item does not spin.
const RESTART_PAUSE: Duration = Duration::from_millis(100);

/// A worker's run over its queue, borrowing it (so the queue outlives the run).
pub(crate) type Run<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Spawns `work` over `queue` and runs it again, on the same queue, each time it panics, until it
/// returns (its queue closed). `name` says which worker in the log.
pub(crate) fn spawn<Q, W>(name: &'static str, mut queue: Q, mut work: W) -> JoinHandle<()>
where
    Q: Send + 'static,
    W: for<'a> FnMut(&'a mut Q) -> Run<'a> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            // The queue is a channel's receiver: a panic leaves it as it was between two items.
            let run = AssertUnwindSafe(work(&mut queue)).catch_unwind().await;
            if run.is_ok() {
                return;
            }
            after_panic(name).await;
        }
    })
}

/// What a worker does after it panicked, before it runs again: says so, and waits [`RESTART_PAUSE`].
async fn after_panic(name: &'static str) {
    tracing::error!(
        worker = name,
        "a worker panicked; it runs again on its queue"
    );
    tokio::time::sleep(RESTART_PAUSE).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc;

    /// A worker that panics on one item serves the items queued behind it, and ends with its queue.
    #[tokio::test]
    async fn a_worker_that_panics_serves_the_rest_of_its_queue() {
        let (items, queue) = mpsc::unbounded_channel::<u32>();
        let (served, mut seen) = mpsc::unbounded_channel();
        let worker = spawn("test", queue, move |queue| {
            let served = served.clone();
            Box::pin(async move {
                while let Some(item) = queue.recv().await {
                    assert_ne!(item, 2, "a test panic on item 2");
                    let _ = served.send(item);
                }
            })
        });
        for item in 1..=4 {
            items.send(item).expect("the worker reads");
        }
        drop(items);
        tokio::time::timeout(Duration::from_secs(5), worker)
            .await
            .expect("the worker ends with its queue")
            .expect("it never panics out");
        let mut got = Vec::new();
        while let Ok(item) = seen.try_recv() {
            got.push(item);
        }
        assert_eq!(got, [1, 3, 4]);
    }
}
