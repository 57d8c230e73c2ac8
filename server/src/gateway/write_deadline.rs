//! A write's deadline, armed only once the write has to wait.
//!
//! Every write to a client must finish within `--write-timeout-ms`, or the client counts as not
//! reading. A write to a socket with room in its send buffer finishes on its first poll, which is
//! nearly every write, so `tokio::time::timeout` read the clock and took a handle to the timer for
//! nothing on every message (about 150 instructions of a jump's 14,000). [`within`] polls the write
//! first and starts the timer on the first poll that leaves it waiting: the deadline counts from
//! then, which is when the client's reading starts to matter.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Sleep;

use super::close::CloseReason;

pin_project_lite::pin_project! {
    /// `write`, failed as [`CloseReason::NotReading`] if it waits longer than `limit` in all.
    pub(crate) struct Within<F> {
        #[pin]
        write: F,
        #[pin]
        timer: Option<Sleep>,
        limit: Duration,
    }
}

/// `write` bounded by `limit`, counted from its first wait.
pub(crate) fn within<F>(limit: Duration, write: F) -> Within<F>
where
    F: Future<Output = Result<(), CloseReason>>,
{
    Within {
        write,
        timer: None,
        limit,
    }
}

impl<F> Future for Within<F>
where
    F: Future<Output = Result<(), CloseReason>>,
{
    type Output = Result<(), CloseReason>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Poll::Ready(written) = this.write.poll(cx) {
            return Poll::Ready(written);
        }
        if this.timer.is_none() {
            this.timer.set(Some(tokio::time::sleep(*this.limit)));
        }
        match this.timer.as_pin_mut().map(|timer| timer.poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(Err(CloseReason::NotReading)),
            _ => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    const LIMIT: Duration = Duration::from_secs(10);

    #[tokio::test(start_paused = true)]
    async fn a_write_done_at_once_sets_no_timer() {
        let mut write = std::pin::pin!(within(LIMIT, async { Ok(()) }));
        let done = std::future::poll_fn(|cx| write.as_mut().poll(cx)).await;
        assert_eq!(done, Ok(()));
        assert!(
            write.timer.is_none(),
            "a timer for a write that never waited"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_that_waits_past_the_limit_from_its_first_wait_is_not_reading() {
        let write = within(LIMIT, std::future::pending());
        tokio::time::sleep(Duration::from_secs(3)).await; // made, then first polled 3 s later
        let first_wait = Instant::now();
        let failed = write.await;
        assert_eq!(failed, Err(CloseReason::NotReading));
        assert_eq!(first_wait.elapsed(), LIMIT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_that_finishes_within_the_limit_succeeds_and_keeps_its_error() {
        let slow = async {
            tokio::time::sleep(LIMIT - Duration::from_millis(1)).await;
            Ok(())
        };
        assert_eq!(within(LIMIT, slow).await, Ok(()));
        let closed = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Err(CloseReason::ClientClosed)
        };
        assert_eq!(within(LIMIT, closed).await, Err(CloseReason::ClientClosed));
    }
}
