//! Live delivery: a notification goes to the node holding the recipient's connection. The presence key
//! names the node; a player connected here is reached through the [`LiveSink`] the transport implements,
//! a player on another node through that node's channel (Redis pub/sub, through `store`).

use crate::error_chain::ErrorChain;
use std::sync::Arc;

use protocol::{Notification, PlayerId, Push, RunOver};
use serde::{Deserialize, Serialize};

use super::presence::Presence;
use crate::clock::unix_ms;
use crate::metrics::Metrics;
use crate::shutdown::Shutdown;
use crate::store::{Store, keys};

/// The connections of this node, as live delivery sees them. The transport implements it (it owns the
/// sockets and builds the frames); the domain only decides whom to tell what.
pub trait LiveSink: Send + Sync + 'static {
    /// True when `player` has a connection on this node.
    fn is_connected(&self, player: &PlayerId) -> bool;

    /// Offers `notification` to every connection of `player` on this node without waiting, and returns
    /// how many took it. A connection too busy to take it catches up from the inbox later.
    fn push_notification(&self, player: &PlayerId, notification: &Notification) -> usize;

    /// Offers a run's recorded result to every connection of `player` on this node without waiting (a
    /// result recorded after the run's answer said `pending`), and returns how many took it.
    fn push_run_result(&self, player: &PlayerId, result: &RunOver) -> usize;
}

/// A push delivered to a connection on this node: the `route` label of `notifications_pushed_total`.
const LOCAL: &str = "local";
/// A push forwarded to the node holding the connection.
const REMOTE: &str = "remote";
/// Every route, so the counter shows each from zero.
pub(crate) const ROUTES: [&str; 2] = [LOCAL, REMOTE];

/// A push travelling between nodes: a notification or a run's result.
#[derive(Serialize, Deserialize)]
struct Envelope {
    player: PlayerId,
    push: Push,
}

/// Routes notifications to connections, here or on other nodes.
#[derive(Clone)]
pub struct Router {
    store: Store,
    presence: Presence,
    sink: Arc<dyn LiveSink>,
    metrics: Arc<Metrics>,
}

impl Router {
    /// A router for the node `presence` names, delivering to its connections through `sink`.
    pub fn new(
        store: Store,
        presence: Presence,
        sink: Arc<dyn LiveSink>,
        metrics: Arc<Metrics>,
    ) -> Router {
        Router {
            store,
            presence,
            sink,
            metrics,
        }
    }

    /// This node's presence records.
    pub fn presence(&self) -> &Presence {
        &self.presence
    }

    /// Pushes `notification` to `player` wherever they are connected; offline players find it in their
    /// inbox.
    pub(crate) async fn deliver(&self, player: &PlayerId, notification: Notification) {
        if self.sink.is_connected(player) {
            self.push_local(player, &notification);
            return;
        }
        if self.forward(player, Push::Notification(notification)).await {
            self.metrics
                .notifications_pushed_total
                .with_label_values(&[REMOTE])
                .inc();
        }
    }

    /// Pushes a run's recorded result to `player` wherever they are connected. A player who is not hears
    /// it by resending the run's last jump, which answers with the saved result.
    pub async fn deliver_result(&self, player: &PlayerId, result: RunOver) {
        if self.sink.is_connected(player) {
            self.sink.push_run_result(player, &result);
            return;
        }
        self.forward(player, Push::RunResult(result)).await;
    }

    /// Publishes `push` to the node holding `player`'s connection, if another node does. True when sent.
    async fn forward(&self, player: &PlayerId, push: Push) -> bool {
        let node = match self.presence.node_of(player).await {
            Ok(node) => node,
            Err(error) => {
                tracing::warn!(error = %ErrorChain(&error), %player, "presence lookup failed; the push is not forwarded");
                return false;
            }
        };
        let Some(node) = node.filter(|node| node != self.presence.node_id()) else {
            return false;
        };
        let envelope = Envelope {
            player: player.clone(),
            push,
        };
        let payload = match serde_json::to_string(&envelope) {
            Ok(payload) => payload,
            Err(error) => {
                tracing::error!(error = %ErrorChain(&error), "a push could not be encoded for another node");
                return false;
            }
        };
        match self
            .store
            .publish(&keys::node_channel(&node), payload)
            .await
        {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(error = %ErrorChain(&error), %player, %node, "publishing to another node failed; the push is not forwarded");
                false
            }
        }
    }

    fn push_local(&self, player: &PlayerId, notification: &Notification) {
        let delay_ms = unix_ms().saturating_sub(notification.created_ms);
        if self.sink.push_notification(player, notification) > 0 {
            self.metrics
                .notifications_pushed_total
                .with_label_values(&[LOCAL])
                .inc();
            self.metrics
                .notification_delivery_seconds
                .observe(delay_ms as f64 / 1000.0);
        }
    }

    /// Listens on this node's channel and pushes what other nodes publish, until `shutdown`.
    pub async fn listen(self, shutdown: Shutdown) {
        let channel = keys::node_channel(self.presence.node_id());
        let store = self.store.clone();
        store
            .subscribe(channel, shutdown, |payload| {
                match serde_json::from_str::<Envelope>(&payload) {
                    Ok(Envelope {
                        player,
                        push: Push::Notification(notification),
                    }) => self.push_local(&player, &notification),
                    Ok(Envelope {
                        player,
                        push: Push::RunResult(result),
                    }) => {
                        self.sink.push_run_result(&player, &result);
                    }
                    Ok(Envelope { .. }) => {
                        tracing::warn!("a kind of push other nodes never forward");
                    }
                    Err(error) => tracing::warn!(error = %ErrorChain(&error), "unreadable push from another node"),
                }
            })
            .await;
    }
}
