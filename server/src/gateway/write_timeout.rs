//! The bound on the time a connection's write may take: a client that does not read in time is
//! closed as not reading.
//!
//! Most writes are done at their first poll: the socket takes the frames at once. tokio's `timeout`
//! makes its timer when the write starts (it reads the clock and clones the runtime's handle), so every
//! message paid for a timer it never waited on. Here the timer is made only for a write that has to
//! wait, from that moment.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Sleep;

use super::close::CloseReason;

/// Runs `write` (feeds and a flush) within `timeout`: one timer per batch of frames, not one per
/// frame, and none for a write done at once. Past it, the write fails as [`CloseReason::NotReading`].
pub(crate) fn within<F>(timeout: Duration, write: F) -> Within<F>
where
    F: Future<Output = Result<(), CloseReason>>,
{
    Within {
        write,
        timer: None,
        timeout,
    }
}

pin_project_lite::pin_project! {
    /// A write bounded by [`within`]; holds the write once, beside its timer once it waits.
    pub(crate) struct Within<F> {
        #[pin]
        write: F,
        #[pin]
        timer: Option<Sleep>,
        timeout: Duration,
    }
}

impl<F> Future for Within<F>
where
    F: Future<Output = Result<(), CloseReason>>,
{
    type Output = Result<(), CloseReason>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Poll::Ready(written) = this.write.poll(context) {
            return Poll::Ready(written);
        }
        if this.timer.is_none() {
            this.timer.set(Some(tokio::time::sleep(*this.timeout)));
        }
        match this.timer.as_pin_mut().map(|timer| timer.poll(context)) {
            Some(Poll::Ready(())) => Poll::Ready(Err(CloseReason::NotReading)),
            _ => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_write_done_at_once_makes_no_timer_and_one_that_waits_too_long_fails() {
        let mut done = std::pin::pin!(within(Duration::from_secs(1), async { Ok(()) }));
        assert_eq!(done.as_mut().await, Ok(()));
        assert!(done.timer.is_none(), "no timer for a write done at once");

        let waited = within(Duration::from_secs(1), async {
            tokio::time::sleep(Duration::from_millis(999)).await;
            Ok(())
        });
        assert_eq!(waited.await, Ok(()), "done within the timeout");

        let started = tokio::time::Instant::now();
        let stuck = within(Duration::from_secs(1), std::future::pending());
        assert_eq!(stuck.await, Err(CloseReason::NotReading));
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }
}
