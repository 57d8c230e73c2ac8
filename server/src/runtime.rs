//! The node's async runtime, built from `--worker-threads`.
//!
//! With one worker the node runs on tokio's current-thread scheduler: every task on the thread that
//! serves the node. Nothing is handed between threads per message (no worker parked and woken for each
//! Redis round trip), and tasks run in the order they were woken, so one busy connection cannot keep
//! the others waiting behind its own wake-ups. A node per core set up this way spent 12 to 15% less CPU
//! per jump, and 22 to 24% less per recorded run, than one node with a worker on each of two cores
//! (BENCHMARKS.md, "One worker thread per node"). With more workers it is tokio's multi-thread
//! scheduler, by default with a worker per core the process may use.

use std::num::NonZeroUsize;

use tokio::runtime::{Builder, Runtime};

/// A runtime with `workers` worker threads (`None`: one per core), timers and I/O enabled.
pub fn build(workers: Option<NonZeroUsize>) -> std::io::Result<Runtime> {
    let mut builder = match workers.map(NonZeroUsize::get) {
        Some(1) => Builder::new_current_thread(),
        Some(count) => {
            let mut builder = Builder::new_multi_thread();
            builder.worker_threads(count);
            builder
        }
        None => Builder::new_multi_thread(),
    };
    builder.enable_all().build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::runtime::RuntimeFlavor;

    fn flavor(workers: usize) -> (RuntimeFlavor, usize) {
        let runtime = build(NonZeroUsize::new(workers)).expect("a runtime");
        let metrics = runtime.metrics();
        (runtime.handle().runtime_flavor(), metrics.num_workers())
    }

    #[test]
    fn one_worker_is_the_current_thread_scheduler_and_more_are_counted() {
        assert_eq!(flavor(1), (RuntimeFlavor::CurrentThread, 1));
        assert_eq!(flavor(3), (RuntimeFlavor::MultiThread, 3));
        let (default, workers) = flavor(0);
        assert_eq!(default, RuntimeFlavor::MultiThread);
        assert!(workers >= 1);
    }

    #[test]
    fn a_one_worker_runtime_serves_timers_sockets_and_spawned_tasks() {
        let runtime = build(NonZeroUsize::new(1)).expect("a runtime");
        let echoed = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let address = listener.local_addr()?;
            let server = tokio::spawn(async move {
                let (mut socket, _) = listener.accept().await?;
                let mut byte = [0u8; 1];
                tokio::io::AsyncReadExt::read_exact(&mut socket, &mut byte).await?;
                tokio::io::AsyncWriteExt::write_all(&mut socket, &byte).await?;
                std::io::Result::Ok(())
            });
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            let mut client = tokio::net::TcpStream::connect(address).await?;
            tokio::io::AsyncWriteExt::write_all(&mut client, b"j").await?;
            let mut byte = [0u8; 1];
            tokio::io::AsyncReadExt::read_exact(&mut client, &mut byte).await?;
            server.await.map_err(std::io::Error::other)??;
            std::io::Result::Ok(byte[0])
        });
        assert_eq!(echoed.expect("echoed over loopback"), b'j');
    }
}
