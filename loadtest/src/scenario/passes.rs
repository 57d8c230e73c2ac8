//! `passes`: pairs of friends (a watcher on `--url`, a passer on `--second-url` or the same node) take
//! turns beating each other's weekly best by one more centre hit, so every run passes the other player
//! exactly once and sends them one "friend passed you". Runs are paced so all pairs together make
//! `--rate` passes per second. The receiver reads its socket while the other plays, so the measured
//! delivery latency is the server's, not the tool's. Start the server with `--coalesce-window-ms 0`, or
//! passes to one player within the window arrive later as one summary.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::SeedableRng;
use rand_pcg::Pcg64;

use super::{Presser, Shared, ack, hello, play_run};
use crate::cli::Pace;
use crate::client::{CallError, Connection};

/// Hands out pass slots at a fixed rate.
pub struct Pacer {
    start: tokio::time::Instant,
    interval: Duration,
    next: AtomicU64,
}

impl Pacer {
    /// `rate` slots per second from now.
    pub fn new(rate: u32) -> Pacer {
        Pacer {
            start: tokio::time::Instant::now(),
            interval: Duration::from_secs(1) / rate.max(1),
            next: AtomicU64::new(0),
        }
    }

    /// Waits for the next free slot; false (at once) if that slot lies past `deadline`.
    pub async fn slot(&self, deadline: tokio::time::Instant) -> bool {
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        let at = self.start + self.interval * u32::try_from(ticket).unwrap_or(u32::MAX);
        if at >= deadline {
            return false;
        }
        tokio::time::sleep_until(at).await;
        true
    }
}

/// How long a receiver waits for the pass the mover is playing.
fn listen_for(deadline: tokio::time::Instant) -> Duration {
    let grace =
        (deadline + Duration::from_secs(2)).saturating_duration_since(tokio::time::Instant::now());
    grace.min(Duration::from_secs(10))
}

/// One pair, until the deadline.
pub async fn pair(
    shared: Arc<Shared>,
    pacer: Arc<Pacer>,
    mut watcher: Connection,
    mut passer: Connection,
    index: u32,
) -> Result<(), CallError> {
    let mut rng = Pcg64::seed_from_u64(u64::from(index));
    hello(&mut watcher).await?;
    hello(&mut passer).await?;
    // The watcher's first best: 0 points.
    let mut opening = Presser::Scripted { hits: 0 };
    play_run(
        &mut watcher,
        &mut opening,
        Pace::Fast,
        shared.deadline,
        &shared.stats,
        &mut rng,
    )
    .await?;
    let mut hits = 0;
    let (mut mover, mut receiver) = (&mut passer, &mut watcher);
    while pacer.slot(shared.deadline).await {
        hits += 1;
        let mut presser = Presser::Scripted { hits };
        let before = receiver.unacked;
        let deadline = shared.deadline;
        let stats = &shared.stats;
        let (played, heard) = tokio::join!(
            play_run(mover, &mut presser, Pace::Fast, deadline, stats, &mut rng),
            // At most 10 s, and not long past the deadline, when the mover stops mid-run.
            receiver.await_notification(before, listen_for(deadline)),
        );
        if played?.is_none() {
            break;
        }
        if !heard? {
            shared.stats.error(crate::stats::DELIVERY, "not_received");
        }
        ack(receiver).await?;
        std::mem::swap(&mut mover, &mut receiver);
    }
    watcher.close().await;
    passer.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_pacer_hands_out_slots_at_the_rate_and_stops_at_the_deadline() {
        let pacer = Pacer::new(10);
        let start = tokio::time::Instant::now();
        let deadline = start + Duration::from_millis(350);
        let mut granted = 0;
        while pacer.slot(deadline).await {
            granted += 1;
        }
        assert_eq!(granted, 4, "slots at 0, 100, 200 and 300 ms");
        assert!(tokio::time::Instant::now() < deadline);
    }
}
