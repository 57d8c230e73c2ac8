//! Live delivery: a notification goes to the node holding the recipient's connection. The presence key
//! names the node; a player connected here is reached through the [`LiveSink`] the transport implements,
//! a player on another node through that node's channel (Redis pub/sub, through `store`).

use crate::error_chain::ErrorChain;
use std::sync::Arc;

use protocol::{Notification, PlayerId};
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
}

/// A push travelling between nodes.
#[derive(Serialize, Deserialize)]
struct Envelope {
    player: PlayerId,
    notification: Notification,
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
        let node = match self.presence.node_of(player).await {
            Ok(node) => node,
            Err(error) => {
                tracing::warn!(error = %ErrorChain(&error), %player, "presence lookup failed; the notification waits in the inbox");
                return;
            }
        };
        let Some(node) = node.filter(|node| node != self.presence.node_id()) else {
            return;
        };
        let envelope = Envelope {
            player: player.clone(),
            notification,
        };
        let payload = match serde_json::to_string(&envelope) {
            Ok(payload) => payload,
            Err(error) => {
                tracing::error!(error = %ErrorChain(&error), "a notification could not be encoded for another node");
                return;
            }
        };
        match self
            .store
            .publish(&keys::node_channel(&node), payload)
            .await
        {
            Ok(()) => self
                .metrics
                .notifications_pushed_total
                .with_label_values(&["remote"])
                .inc(),
            Err(error) => {
                tracing::warn!(error = %ErrorChain(&error), %player, %node, "publishing to another node failed; the notification waits in the inbox")
            }
        }
    }

    fn push_local(&self, player: &PlayerId, notification: &Notification) {
        let delay_ms = unix_ms().saturating_sub(notification.created_ms);
        if self.sink.push_notification(player, notification) > 0 {
            self.metrics
                .notifications_pushed_total
                .with_label_values(&["local"])
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
                    Ok(envelope) => self.push_local(&envelope.player, &envelope.notification),
                    Err(error) => tracing::warn!(error = %ErrorChain(&error), "unreadable push from another node"),
                }
            })
            .await;
    }
}
