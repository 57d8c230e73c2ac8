//! The node-wide wake-ups of every connection's task: a tick now and then, which checks the
//! connection's timeouts and sends its heartbeat, and one at once when the node shuts down.
//!
//! A connection used to keep a timer of its own for its ticks, 112 bytes on the heap and an entry in
//! tokio's timer wheel per connected player. Here one task wakes the connections a shard at a time,
//! and a connection waits on one `Notify` future for its life (re-made after each tick), which serves
//! for the shutdown too. After a wake-up the connection reads the shutdown flag to tell which it was.

use std::time::Duration;

use tokio::sync::Notify;
use tokio::sync::futures::Notified;
use tokio::time::MissedTickBehavior;

use crate::config::ConnectionConfig;
use leapfrog_core::shutdown::Shutdown;

/// How many `Notify`s the connections are spread over. Waiting registers under its `Notify`'s lock
/// (a connection polls its wait once per message), so one for the whole node would be a lock both
/// worker threads fight over; and a tick wakes one shard at a time, not every connection at once.
const SHARDS: usize = 16;

/// The wake-ups of every connection on the node (see the module's doc).
pub(crate) struct Wakeups {
    shards: [Notify; SHARDS],
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
            shards: std::array::from_fn(|_| Notify::new()),
        }
    }

    /// A future that resolves at the next wake-up of `waiter`'s shard (any number that differs between
    /// waiters, such as a connection's id). It counts from this call, not from its first poll: a
    /// wake-up between the two is not missed. 64 bytes.
    pub(crate) fn next(&self, waiter: u64) -> Notified<'_> {
        // The remainder is below SHARDS, so it fits any usize.
        self.shards[(waiter % SHARDS as u64) as usize].notified()
    }

    /// Wakes every waiter now.
    pub(crate) fn wake_all(&self) {
        for shard in &self.shards {
            shard.notify_waiters();
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
                _ = ticks.tick() => self.shards[shard].notify_waiters(),
            }
        }
        self.wake_all();
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
}
