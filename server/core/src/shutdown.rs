//! Graceful shutdown: one signal every task watches, and counters of work still in flight so the drain
//! can wait for it (bounded by the drain timeout).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::futures::Notified;
use tokio::sync::{Notify, watch};

/// The shutdown signal. Cheap to clone.
#[derive(Clone)]
pub struct Shutdown {
    inner: Arc<Signal>,
}

struct Signal {
    /// Set when raised. What [`Shutdown::raised`] checks once per message of every connection: a load
    /// of a flag, where reading the `watch` takes its read lock, a word both worker threads would write.
    flag: AtomicBool,
    /// The same, for the loops that wait on changes ([`Shutdown::subscribe`], [`Shutdown::triggered`]).
    sender: watch::Sender<bool>,
    /// Wake the waiters of [`Shutdown::raised`] when the signal is raised. Sharded: a waiter registers
    /// under its `Notify`'s lock each time it waits, and every connection waits once per message; one
    /// `Notify` for the whole node was a lock both worker threads fought over (as `watch` shards its
    /// own).
    raised: [Notify; RAISED_SHARDS],
}

/// How many `Notify`s the waiters of [`Shutdown::raised`] are spread over.
const RAISED_SHARDS: usize = 16;

impl Shutdown {
    /// A signal not yet raised.
    pub fn new() -> Shutdown {
        Shutdown {
            inner: Arc::new(Signal {
                flag: AtomicBool::new(false),
                sender: watch::channel(false).0,
                raised: std::array::from_fn(|_| Notify::new()),
            }),
        }
    }

    /// Raises the signal (idempotent).
    pub fn trigger(&self) {
        // Before the wake-ups: a waiter made after them sees the flag.
        self.inner.flag.store(true, Ordering::SeqCst);
        self.inner.sender.send_replace(true);
        for raised in &self.inner.raised {
            raised.notify_waiters();
        }
    }

    /// A future that resolves once the signal is raised, or `None` if it already is. `waiter` spreads
    /// the waiters over a few locks: any number that differs between waiters, such as a connection's id.
    ///
    /// For what waits on the signal many times and for a long while, as every connection does: the
    /// future is 64 bytes, where a `watch` receiver and its `changed()` future are 136. It sees a raise
    /// that happens after this call even if it is polled later (`Notify` counts its `notify_waiters`
    /// calls), and this call checks the flag after making it, so no raise is missed in between.
    pub fn raised(&self, waiter: u64) -> Option<Notified<'_>> {
        // The remainder is below RAISED_SHARDS, so it fits any usize.
        let shard = (waiter % RAISED_SHARDS as u64) as usize;
        let notified = self.inner.raised[shard].notified();
        (!self.is_triggered()).then_some(notified)
    }

    /// A receiver that sees the signal change, for loops that wait on it many times.
    pub fn subscribe(&self) -> watch::Receiver<bool> {
        self.inner.sender.subscribe()
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

    /// A connection makes the future, then goes on with other work before it first polls it: a raise in
    /// between must still wake it, and a future asked for after the raise is not given at all.
    #[tokio::test]
    async fn a_raise_after_the_future_is_made_is_not_missed() {
        let shutdown = Shutdown::new();
        // Waiters on every shard.
        let waiting: Vec<_> = (0..2 * RAISED_SHARDS as u64)
            .map(|waiter| shutdown.raised(waiter).expect("not raised yet"))
            .collect();
        shutdown.trigger();
        for waiter in waiting {
            tokio::time::timeout(Duration::from_secs(1), waiter)
                .await
                .expect("the raise after the future was made wakes it");
        }
        assert!(
            shutdown.raised(3).is_none(),
            "raised already: nothing to wait for"
        );
        let never = Shutdown::new();
        let pending = never.raised(3).expect("not raised");
        assert!(
            tokio::time::timeout(Duration::from_millis(20), pending)
                .await
                .is_err(),
            "a signal never raised does not resolve"
        );
    }
}
