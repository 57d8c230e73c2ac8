//! Which players are connected to this node, and a way to reach each connection from elsewhere in the
//! server (pushes, replacement by a new login). Each connection registers once it is authenticated.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::close::CloseReason;
use super::queue::{self, Queue, Receiver};
use dashmap::DashMap;
use leapfrog_core::notifications::LiveSink;
use protocol::{Notification, PlayerId, Push, RunOver, ServerFrame};

/// What another task can ask of a connection.
#[derive(Debug)]
pub(crate) enum Control {
    /// Send this frame.
    Send(Box<ServerFrame>),
    /// Close for this reason.
    Close(CloseReason),
}

/// How to reach one connection.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionHandle {
    id: u64,
    queue: Arc<Queue>,
}

impl ConnectionHandle {
    /// True (once) if notifications were left out of the queue since the last call: the connection
    /// should send the unacknowledged ones from the inbox.
    pub(crate) fn take_missed(&self) -> bool {
        self.queue.missed.swap(false, Ordering::AcqRel)
    }
}

/// The connected players of this node.
#[derive(Default)]
pub(crate) struct Registry {
    players: DashMap<PlayerId, Vec<ConnectionHandle>>,
    next_id: AtomicU64,
}

/// What a push achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delivery {
    /// Connections that took the frame.
    pub delivered: usize,
    /// Connections whose queue was full (they are being closed as not reading).
    pub overflowed: usize,
}

impl Registry {
    /// A new connection's handle and the receiving end of its queue of `capacity` frames.
    pub(crate) fn handle(&self, capacity: usize) -> (ConnectionHandle, Receiver) {
        let (queue, receiver) = queue::channel(capacity);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        (ConnectionHandle { id, queue }, receiver)
    }

    /// Registers `handle` for `player`. If the player then has more than `max_per_player` connections,
    /// the oldest are told to close as replaced.
    pub(crate) fn register(
        &self,
        player: &PlayerId,
        handle: ConnectionHandle,
        max_per_player: usize,
    ) {
        let evicted: Vec<ConnectionHandle> = {
            let mut connections = self.players.entry(player.clone()).or_default();
            // Exactly: a first push would make room for four handles (64 bytes) where most players
            // have one connection; `max_per_player` bounds the rest.
            connections.reserve_exact(1);
            connections.push(handle);
            let excess = connections.len().saturating_sub(max_per_player);
            connections.drain(..excess).collect()
        };
        for old in evicted {
            // A full queue means that connection is already being closed as not reading.
            let _ = old.queue.try_send(Control::Close(CloseReason::Replaced));
        }
    }

    /// Removes connection `id` of `player`.
    pub(crate) fn unregister(&self, player: &PlayerId, id: u64) {
        self.players.remove_if_mut(player, |_, connections| {
            connections.retain(|handle| handle.id != id);
            connections.is_empty()
        });
    }

    /// Queues `frame` on every connection of `player` without waiting. A connection whose queue is full
    /// is told to close: it is not reading, and nothing is buffered without bound.
    pub(crate) fn push(&self, player: &PlayerId, frame: &ServerFrame) -> Delivery {
        self.offer(player, frame, |handle| {
            let queue = handle.queue.clone();
            // Waits for room behind the frames already queued, so the close comes last.
            tokio::spawn(async move { queue.send(Control::Close(CloseReason::NotReading)).await });
        })
    }

    /// Queues a notification on every connection of `player` without waiting. Notifications are kept
    /// in the inbox until acknowledged, so a connection whose queue is full (busy with a slow request, or
    /// flooded by a burst of passes) is not closed: it is marked, and catches up from the inbox once it
    /// has written what it holds.
    pub(crate) fn push_notification(&self, player: &PlayerId, frame: &ServerFrame) -> Delivery {
        self.offer(player, frame, |handle| {
            handle.queue.missed.store(true, Ordering::Release)
        })
    }

    /// Offers `frame` to each connection of `player`; `on_full` deals with one whose queue is full.
    fn offer(
        &self,
        player: &PlayerId,
        frame: &ServerFrame,
        on_full: impl Fn(&ConnectionHandle),
    ) -> Delivery {
        let mut delivery = Delivery {
            delivered: 0,
            overflowed: 0,
        };
        if let Some(connections) = self.players.get(player) {
            for handle in connections.iter() {
                match handle
                    .queue
                    .try_send(Control::Send(Box::new(frame.clone())))
                {
                    Ok(()) => delivery.delivered += 1,
                    Err(_) => {
                        delivery.overflowed += 1;
                        on_full(handle);
                    }
                }
            }
        }
        delivery
    }

    /// True when `player` has a connection on this node.
    pub(crate) fn is_connected(&self, player: &PlayerId) -> bool {
        self.players.contains_key(player)
    }
}

/// Live notifications reach this node's connections through the registry; the frame is built here.
impl LiveSink for Registry {
    fn is_connected(&self, player: &PlayerId) -> bool {
        Registry::is_connected(self, player)
    }

    fn push_notification(&self, player: &PlayerId, notification: &Notification) -> usize {
        let frame = ServerFrame::Push(Push::Notification(notification.clone()));
        Registry::push_notification(self, player, &frame).delivered
    }

    fn push_run_result(&self, player: &PlayerId, result: &RunOver) -> usize {
        let frame = ServerFrame::Push(Push::RunResult(result.clone()));
        self.push(player, &frame).delivered
    }
}

impl ConnectionHandle {
    /// This connection's id, unique on the node.
    pub(crate) const fn id(&self) -> u64 {
        self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{GoodbyeReason, Push};

    fn player(name: &str) -> PlayerId {
        PlayerId::new(name).unwrap()
    }

    fn frame() -> ServerFrame {
        ServerFrame::Push(Push::Goodbye {
            reason: GoodbyeReason::ShuttingDown,
            reconnect_after_ms: 0,
        })
    }

    /// Most players have one connection: their entry holds room for one handle, not the four a first
    /// push would make.
    #[test]
    fn a_players_first_connection_takes_room_for_one() {
        let registry = Registry::default();
        let (handle, _receiver) = registry.handle(4);
        registry.register(&player("a"), handle, 3);
        let capacity = registry
            .players
            .get(&player("a"))
            .map(|connections| connections.capacity());
        assert_eq!(capacity, Some(1));
    }

    #[tokio::test]
    async fn a_new_login_replaces_the_oldest() {
        let registry = Registry::default();
        let (first, mut first_rx) = registry.handle(4);
        let (second, mut second_rx) = registry.handle(4);
        registry.register(&player("a"), first, 1);
        registry.register(&player("a"), second.clone(), 1);
        assert!(matches!(
            first_rx.recv().await,
            Control::Close(CloseReason::Replaced)
        ));
        assert_eq!(registry.push(&player("a"), &frame()).delivered, 1);
        assert!(matches!(second_rx.recv().await, Control::Send(_)));
        registry.unregister(&player("a"), second.id());
        assert!(!registry.is_connected(&player("a")));
    }

    #[tokio::test]
    async fn a_notification_that_does_not_fit_marks_the_connection_instead_of_closing_it() {
        let registry = Registry::default();
        let (handle, mut receiver) = registry.handle(1);
        registry.register(&player("n"), handle.clone(), 1);
        assert_eq!(
            registry.push_notification(&player("n"), &frame()).delivered,
            1
        );
        assert!(!handle.take_missed());
        let full = registry.push_notification(&player("n"), &frame());
        assert_eq!((full.delivered, full.overflowed), (0, 1));
        assert!(handle.take_missed(), "marked to catch up from the inbox");
        assert!(!handle.take_missed(), "once");
        assert!(matches!(receiver.recv().await, Control::Send(_)));
        assert!(receiver.try_recv().is_none(), "no close was queued");
    }

    #[tokio::test]
    async fn a_full_queue_closes_the_connection() {
        let registry = Registry::default();
        let (handle, mut receiver) = registry.handle(1);
        registry.register(&player("b"), handle, 1);
        assert_eq!(registry.push(&player("b"), &frame()).delivered, 1);
        let second = registry.push(&player("b"), &frame());
        assert_eq!(second.overflowed, 1);
        assert!(matches!(receiver.recv().await, Control::Send(_)));
        assert!(matches!(
            receiver.recv().await,
            Control::Close(CloseReason::NotReading)
        ));
    }
}
