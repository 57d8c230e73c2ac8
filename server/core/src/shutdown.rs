//! Graceful shutdown: one signal every task watches, and counters of work still in flight so the drain
//! can wait for it (bounded by the drain timeout).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, watch};

/// The shutdown signal. Cheap to clone.
#[derive(Clone)]
pub struct Shutdown {
    inner: Arc<Signal>,
}

struct Signal {
    /// Set when raised, before the `watch` is. What [`Shutdown::is_triggered`] reads, as every
    /// connection does after each wake-up: a load of a flag, where reading the `watch` takes its read
    /// lock, a word both worker threads would write.
    flag: AtomicBool,
    /// The same, for what waits on the raise ([`Shutdown::triggered`]).
    sender: watch::Sender<bool>,
}

impl Shutdown {
    /// A signal not yet raised.
    pub fn new() -> Shutdown {
        Shutdown {
            inner: Arc::new(Signal {
                flag: AtomicBool::new(false),
                sender: watch::channel(false).0,
            }),
        }
    }

    /// Raises the signal (idempotent).
    pub fn trigger(&self) {
        // Before the `watch`: whatever `triggered` wakes sees the flag.
        self.inner.flag.store(true, Ordering::SeqCst);
        self.inner.sender.send_replace(true);
    }

    /// True once raised.
    pub fn is_triggered(&self) -> bool {
        self.inner.flag.load(Ordering::SeqCst)
    }

    /// Resolves when the signal is raised (at once if it already is).
    pub async fn triggered(&self) {
        let mut receiver = self.inner.sender.subscribe();
        // The sender lives as long as `self`, so `wait_for` only ends when the value turns true.
        let _ = receiver.wait_for(|raised| *raised).await;
    }
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown::new()
    }
}

/// Counts work in flight (connections, queued results) and wakes a drain when it reaches zero.
#[derive(Default)]
pub struct InFlight {
    count: AtomicUsize,
    emptied: Notify,
}

/// Marks one unit of work in flight until dropped.
pub struct InFlightGuard(Arc<InFlight>);

impl InFlight {
    /// Starts one unit of work.
    pub fn enter(self: &Arc<Self>) -> InFlightGuard {
        self.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(self.clone())
    }

    /// Units in flight now.
    pub fn len(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// True when nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until nothing is in flight or `timeout` passes; returns what is left.
    pub async fn drained(&self, timeout: Duration) -> usize {
        let wait = async {
            loop {
                let emptied = self.emptied.notified();
                if self.is_empty() {
                    return;
                }
                emptied.await;
            }
        };
        let _ = tokio::time::timeout(timeout, wait).await;
        self.len()
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.emptied.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drain_waits_for_the_last_guard() {
        let in_flight = Arc::new(InFlight::default());
        let guard = in_flight.enter();
        assert_eq!(in_flight.drained(Duration::from_millis(10)).await, 1);
        let waiter = {
            let in_flight = in_flight.clone();
            tokio::spawn(async move { in_flight.drained(Duration::from_secs(5)).await })
        };
        drop(guard);
        assert_eq!(waiter.await.unwrap(), 0);
    }

    #[tokio::test]
    async fn the_signal_reaches_late_subscribers() {
        let shutdown = Shutdown::new();
        assert!(!shutdown.is_triggered());
        shutdown.trigger();
        tokio::time::timeout(Duration::from_secs(1), shutdown.triggered())
            .await
            .unwrap();
        assert!(shutdown.is_triggered());
    }
}
