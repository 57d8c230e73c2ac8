//! The node-wide wake-ups of every connection's task: a tick now and then, which checks the
//! connection's timeouts and sends its heartbeat, and one at once when the node shuts down.
//!
//! A connection used to keep a timer of its own for its ticks, 112 bytes on the heap and an entry in
//! tokio's timer wheel per connected player. Here one task wakes the connections a shard at a time,
//! and a connection waits on one [`Wait`] for its life (re-made after each tick), which serves for the
//! shutdown too. After a wake-up the connection reads the shutdown flag to tell which it was.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::sync::futures::Notified;
use tokio::time::MissedTickBehavior;

use crate::config::ConnectionConfig;
use leapfrog_core::shutdown::Shutdown;

/// How many shards the connections are spread over. Registering a wait takes its shard's lock, so
/// one for the whole node would be a lock both worker threads fight over; and a tick wakes one shard
/// at a time, not every connection at once.
const SHARDS: usize = 16;

/// The wake-ups of every connection on the node (see the module's doc).
pub(crate) struct Wakeups {
    shards: [Shard; SHARDS],
}

/// The waiters of one shard.
struct Shard {
    notify: Notify,
    /// Counts the shard's wake-ups, raised before each: a waiter that sees it moved was woken (or is
    /// about to be), without taking the `Notify`'s lock.
    wakeups: AtomicU32,
}

/// How often each connection is woken for its tick: half the shortest of the heartbeat, the hello
/// timeout and the idle timeout, so none of them is overshot by more than half of itself (at least
/// 10 ms).
pub(crate) fn tick_period(limits: &ConnectionConfig) -> Duration {
    let shortest = limits
        .heartbeat
        .min(limits.hello_timeout)
        .min(limits.idle_timeout);
    (shortest / 2).max(Duration::from_millis(10))
}

impl Wakeups {
    /// Wake-ups nobody waits on yet.
    pub(crate) fn new() -> Wakeups {
        Wakeups {
            shards: std::array::from_fn(|_| Shard {
                notify: Notify::new(),
                wakeups: AtomicU32::new(0),
            }),
        }
    }

    /// A future that resolves at the next wake-up of `waiter`'s shard (any number that differs between
    /// waiters, such as a connection's id). It counts from this call, not from its first poll: a
    /// wake-up between the two is not missed.
    pub(crate) fn next(&self, waiter: u64) -> Wait<'_> {
        // The remainder is below SHARDS, so it fits any usize.
        let shard = &self.shards[(waiter % SHARDS as u64) as usize];
        // Read before the `Notify` future is made: a wake-up between the two ends the wait at once
        // rather than being missed.
        let seen = shard.wakeups.load(Ordering::Acquire);
        Wait {
            notified: shard.notify.notified(),
            wakeups: &shard.wakeups,
            seen,
            registered: None,
        }
    }

    /// Wakes every waiter now.
    pub(crate) fn wake_all(&self) {
        for shard in &self.shards {
            shard.wake();
        }
    }

    /// Wakes each shard once per `period`, one shard every `period / 16`, until `shutdown` is raised;
    /// then wakes every waiter, so each connection sees the shutdown at once, and returns.
    ///
    /// A waiter that reads the shutdown flag after making its future sees a raise that came before
    /// (the flag is set before `triggered` resolves) or is woken by the wake-up after it.
    pub(crate) async fn run(&self, period: Duration, shutdown: &Shutdown) {
        let step = (period / SHARDS as u32).max(Duration::from_millis(1));
        let mut ticks = tokio::time::interval(step);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let raised = shutdown.triggered();
        tokio::pin!(raised);
        for shard in (0..SHARDS).cycle() {
            tokio::select! {
                biased;
                () = &mut raised => break,
                _ = ticks.tick() => self.shards[shard].wake(),
            }
        }
        self.wake_all();
    }
}

impl Shard {
    fn wake(&self) {
        self.wakeups.fetch_add(1, Ordering::Release);
        self.notify.notify_waiters();
    }
}

pin_project_lite::pin_project! {
    /// A connection's wait for its shard's next wake-up ([`Wakeups::next`]), 96 bytes.
    ///
    /// A connection polls it once per message (it is the first branch of its loop's `select!`).
    /// tokio's `Notified` takes its `Notify`'s lock on every poll to refresh the waker it keeps; this
    /// registers once, and after that a poll by the same task only reads the shard's count.
    pub(crate) struct Wait<'a> {
        #[pin]
        notified: Notified<'a>,
        wakeups: &'a AtomicU32,
        seen: u32,
        // The waker `notified` holds: a poll with one that wakes the same task need not replace it.
        registered: Option<Waker>,
    }
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        if this.wakeups.load(Ordering::Acquire) != *this.seen {
            return Poll::Ready(());
        }
        if this
            .registered
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()))
        {
            return Poll::Pending;
        }
        let poll = this.notified.poll(cx);
        if poll.is_pending() {
            *this.registered = Some(cx.waker().clone());
        }
        poll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shard is woken within a period, and a wake-up between making the future and polling it
    /// is not missed (a connection makes it, then handles a message before it polls it).
    #[tokio::test(start_paused = true)]
    async fn every_waiter_is_woken_once_per_period() {
        let wakeups = Wakeups::new();
        let shutdown = Shutdown::new();
        let period = Duration::from_millis(160);
        let waiting: Vec<_> = (0..2 * SHARDS as u64).map(|id| wakeups.next(id)).collect();
        let run = wakeups.run(period, &shutdown);
        tokio::pin!(run);
        // The wake-ups of one period, with nobody polling the waiters.
        let _ = tokio::time::timeout(period + Duration::from_millis(5), &mut run).await;
        for waiter in waiting {
            tokio::time::timeout(Duration::ZERO, waiter)
                .await
                .expect("woken within the period, before it was polled");
        }
        let next = wakeups.next(7);
        assert!(
            tokio::time::timeout(Duration::ZERO, next).await.is_err(),
            "a future made after its shard's wake-up waits for the next"
        );
    }

    /// The shutdown wakes every waiter at once, whatever the period.
    #[tokio::test(start_paused = true)]
    async fn the_shutdown_wakes_every_waiter_at_once() {
        let wakeups = Wakeups::new();
        let shutdown = Shutdown::new();
        let waiting: Vec<_> = (0..2 * SHARDS as u64).map(|id| wakeups.next(id)).collect();
        let run = wakeups.run(Duration::from_secs(3600), &shutdown);
        tokio::pin!(run);
        assert!(
            tokio::time::timeout(Duration::from_millis(10), &mut run)
                .await
                .is_err(),
            "runs until the shutdown"
        );
        shutdown.trigger();
        tokio::time::timeout(Duration::from_millis(1), &mut run)
            .await
            .expect("returns once the shutdown is raised");
        for waiter in waiting {
            tokio::time::timeout(Duration::ZERO, waiter)
                .await
                .expect("the shutdown wakes every waiter");
        }
    }
    /// Counts its wake-ups.
    struct Counting(std::sync::atomic::AtomicUsize);

    impl std::task::Wake for Counting {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counting() -> (std::sync::Arc<Counting>, Waker) {
        let counter = std::sync::Arc::new(Counting(std::sync::atomic::AtomicUsize::new(0)));
        (counter.clone(), Waker::from(counter))
    }

    /// A wait polled again by the same task does not register again, but one polled by another
    /// waker moves its registration there: the wake-up reaches whoever polled it last.
    #[test]
    fn a_wake_up_reaches_the_waker_that_polled_last() {
        let wakeups = Wakeups::new();
        let mut wait = std::pin::pin!(wakeups.next(3));
        let (first, first_waker) = counting();
        let (second, second_waker) = counting();
        let mut cx = Context::from_waker(&first_waker);
        assert!(wait.as_mut().poll(&mut cx).is_pending());
        assert!(
            wait.as_mut().poll(&mut cx).is_pending(),
            "the same waker again"
        );
        let mut cx = Context::from_waker(&second_waker);
        assert!(wait.as_mut().poll(&mut cx).is_pending());
        wakeups.shards[3].wake();
        assert_eq!(
            second.0.load(Ordering::SeqCst),
            1,
            "the last waker is woken"
        );
        assert_eq!(first.0.load(Ordering::SeqCst), 0);
        assert!(wait.as_mut().poll(&mut cx).is_ready());
        // Another shard's wake-up is not this one's.
        let mut other = std::pin::pin!(wakeups.next(4));
        assert!(other.as_mut().poll(&mut cx).is_pending());
        wakeups.shards[3].wake();
        assert!(other.as_mut().poll(&mut cx).is_pending());
    }

    /// Every connection's task holds one wait for its life: it stays small.
    #[test]
    fn a_wait_is_at_most_96_bytes() {
        assert!(
            size_of::<Wait<'static>>() <= 96,
            "{}",
            size_of::<Wait<'static>>()
        );
    }
}
