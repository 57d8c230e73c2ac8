//! A connection's bounded queue of controls (frames to push, a close). tokio's `mpsc` allocates about
//! 1 KiB per channel up front (a cache-padded channel and a first block of 32 slots), as much as the rest
//! of an idle connection's own state; this queue is a small shared struct, and its buffer is allocated
//! only once something is queued.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Poll;

use futures_util::task::AtomicWaker;
use tokio::sync::Notify;

use super::registry::Control;

/// The state a connection's handles and its task share.
#[derive(Debug)]
pub(crate) struct Queue {
    items: Mutex<VecDeque<Control>>,
    /// At most this many controls. A `u32` packed beside the flags keeps the shared struct (with its
    /// `Arc` counts) at 128 bytes, one of the allocator's size classes; a `usize` made it 136, served
    /// from the 160-byte class.
    capacity: u32,
    /// How many controls are queued, so the connection can look without taking the lock: it looks on
    /// every turn of its loop, and nearly always finds none.
    queued: AtomicU32,
    /// Wakes the connection when a control arrives. The connection is the only one waiting, so a
    /// single waker does (a `Notify`'s waiter list took its lock twice per turn of the loop).
    ready: AtomicWaker,
    /// Wakes senders waiting for room.
    room: Notify,
    /// Set when the connection is gone: nothing more is queued, and waiting senders give up.
    closed: AtomicBool,
    /// Set when a notification did not fit in the queue: the connection reads its inbox again.
    pub(crate) missed: AtomicBool,
}

/// The connection's end of its queue.
#[derive(Debug)]
pub(crate) struct Receiver {
    queue: Arc<Queue>,
}

/// A queue of at most `capacity` controls (at least 1), and its receiving end.
pub(crate) fn channel(capacity: usize) -> (Arc<Queue>, Receiver) {
    let queue = Arc::new(Queue {
        items: Mutex::new(VecDeque::new()),
        capacity: u32::try_from(capacity).unwrap_or(u32::MAX).max(1),
        queued: AtomicU32::new(0),
        ready: AtomicWaker::new(),
        room: Notify::new(),
        closed: AtomicBool::new(false),
        missed: AtomicBool::new(false),
    });
    (queue.clone(), Receiver { queue })
}

impl Queue {
    fn items(&self) -> MutexGuard<'_, VecDeque<Control>> {
        self.items.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `control` if there is room and the connection is still there; gives it back otherwise.
    pub(crate) fn try_send(&self, control: Control) -> Result<(), Control> {
        if self.closed.load(Ordering::Acquire) {
            return Err(control);
        }
        {
            let mut items = self.items();
            if items.len() >= self.capacity as usize {
                return Err(control);
            }
            items.push_back(control);
            self.queued.fetch_add(1, Ordering::Release);
        }
        self.ready.wake();
        Ok(())
    }

    /// Queues `control` behind what is queued, waiting for room; drops it if the connection goes away.
    pub(crate) async fn send(&self, mut control: Control) {
        loop {
            let room = self.room.notified();
            tokio::pin!(room);
            // Registered before the attempt, so room made right after it is not missed.
            room.as_mut().enable();
            match self.try_send(control) {
                Ok(()) => return,
                Err(_) if self.closed.load(Ordering::Acquire) => return,
                Err(back) => control = back,
            }
            room.await;
        }
    }
}

impl Receiver {
    /// The next control, waiting for one. Cancel-safe: a control is only taken when returned.
    pub(crate) fn recv(&mut self) -> impl Future<Output = Control> + '_ {
        std::future::poll_fn(|cx| {
            if let Some(control) = self.try_recv() {
                return Poll::Ready(control);
            }
            self.queue.ready.register(cx.waker());
            // A control queued between the look and the registration woke no one: look again.
            match self.try_recv() {
                Some(control) => Poll::Ready(control),
                None => Poll::Pending,
            }
        })
    }

    /// The next control if one is queued.
    pub(crate) fn try_recv(&mut self) -> Option<Control> {
        if self.queue.queued.load(Ordering::Acquire) == 0 {
            return None;
        }
        let control = {
            let mut items = self.queue.items();
            let control = items.pop_front()?;
            self.queue.queued.fetch_sub(1, Ordering::Release);
            control
        };
        self.queue.room.notify_waiters();
        Some(control)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.queue.closed.store(true, Ordering::Release);
        self.queue.items().clear();
        self.queue.queued.store(0, Ordering::Release);
        self.queue.room.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::close::CloseReason;

    /// Every connection has one: at 128 bytes with its `Arc`'s two counts, it is one of mimalloc's size
    /// classes; a byte more and it is served from the 160-byte class.
    #[test]
    fn a_queue_with_its_counts_fits_128_bytes() {
        let size = std::mem::size_of::<Queue>() + 2 * std::mem::size_of::<usize>();
        assert!(size <= 128, "{size} bytes");
    }

    #[tokio::test]
    async fn keeps_order_refuses_past_capacity_and_wakes_a_waiting_sender() {
        let (queue, mut receiver) = channel(2);
        assert!(
            queue
                .try_send(Control::Close(CloseReason::Replaced))
                .is_ok()
        );
        assert!(
            queue
                .try_send(Control::Close(CloseReason::NotReading))
                .is_ok()
        );
        assert!(
            queue
                .try_send(Control::Close(CloseReason::IdleTimeout))
                .is_err()
        );
        let waiting = tokio::spawn({
            let queue = queue.clone();
            async move { queue.send(Control::Close(CloseReason::ShuttingDown)).await }
        });
        tokio::task::yield_now().await;
        assert!(matches!(
            receiver.recv().await,
            Control::Close(CloseReason::Replaced)
        ));
        waiting.await.unwrap();
        assert!(matches!(
            receiver.recv().await,
            Control::Close(CloseReason::NotReading)
        ));
        assert!(matches!(
            receiver.recv().await,
            Control::Close(CloseReason::ShuttingDown)
        ));
        assert!(receiver.try_recv().is_none());
    }

    #[tokio::test]
    async fn a_waiting_sender_gives_up_when_the_connection_is_gone() {
        let (queue, receiver) = channel(1);
        assert!(
            queue
                .try_send(Control::Close(CloseReason::Replaced))
                .is_ok()
        );
        let waiting = tokio::spawn({
            let queue = queue.clone();
            async move { queue.send(Control::Close(CloseReason::NotReading)).await }
        });
        tokio::task::yield_now().await;
        drop(receiver);
        waiting.await.unwrap();
        assert!(
            queue
                .try_send(Control::Close(CloseReason::Replaced))
                .is_err()
        );
    }

    /// A receiver waiting on another thread is woken by every control, however the sending and the
    /// waiting interleave, and gets them all, in order, through a queue much smaller than what goes
    /// through it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_waiting_receiver_gets_every_control_in_order() {
        use protocol::{ErrorCode, RequestId, ServerFrame};
        const CONTROLS: u32 = 5_000;
        let (queue, mut receiver) = channel(4);
        let received = tokio::spawn(async move {
            let mut ids = Vec::new();
            while ids.len() < CONTROLS as usize {
                match receiver.recv().await {
                    Control::Send(frame) => match *frame {
                        ServerFrame::Error { id: Some(id), .. } => ids.push(id.0),
                        other => panic!("{other:?}"),
                    },
                    Control::Close(reason) => panic!("{reason:?}"),
                }
            }
            ids
        });
        let sent = async {
            for id in 0..CONTROLS {
                let frame = ServerFrame::error(Some(RequestId(id)), ErrorCode::Internal, "");
                queue.send(Control::Send(Box::new(frame))).await;
                if id % 7 == 0 {
                    tokio::task::yield_now().await;
                }
            }
            received.await
        };
        let ids = tokio::time::timeout(std::time::Duration::from_secs(10), sent)
            .await
            .expect("every control arrives")
            .expect("the receiver ends");
        assert_eq!(ids, (0..CONTROLS).collect::<Vec<_>>());
    }
}
