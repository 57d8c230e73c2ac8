//! Live delivery: a notification goes to the node holding the recipient's connection. Each node keeps a
//! presence key per connected player (refreshed while connected) and listens on its own pub/sub channel;
//! a notification for a player on another node is published there.

use std::sync::Arc;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use protocol::{Notification, PlayerId, Push, ServerFrame};
use redis::Script;
use serde::{Deserialize, Serialize};

use crate::clock::unix_ms;
use crate::gateway::registry::Registry;
use crate::metrics::Metrics;
use crate::shutdown::Shutdown;
use crate::store::{Store, keys};

static CLEAR_PRESENCE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("clear_presence.lua")));

/// How long a presence key lives without a refresh.
pub const PRESENCE_TTL: Duration = Duration::from_secs(120);
/// How often a connection refreshes its presence.
pub const PRESENCE_REFRESH: Duration = Duration::from_secs(40);

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
    registry: Arc<Registry>,
    metrics: Arc<Metrics>,
    node_id: Arc<str>,
}

impl Router {
    /// A router for this node.
    pub fn new(
        store: Store,
        registry: Arc<Registry>,
        metrics: Arc<Metrics>,
        node_id: &str,
    ) -> Router {
        Router {
            store,
            registry,
            metrics,
            node_id: node_id.into(),
        }
    }

    /// Marks `player` as connected to this node.
    pub async fn mark_present(&self, player: &PlayerId) {
        let command = redis::cmd("SET")
            .arg(keys::presence(player))
            .arg(&*self.node_id)
            .arg("EX")
            .arg(PRESENCE_TTL.as_secs())
            .to_owned();
        if let Err(error) = self.store.query::<()>("presence_set", &command).await {
            tracing::warn!(%error, %player, "presence not recorded; live pushes from other nodes may miss this player");
        }
    }

    /// Removes `player`'s presence if it still names this node.
    pub async fn clear_present(&self, player: &PlayerId) {
        let mut invocation = CLEAR_PRESENCE.prepare_invoke();
        invocation.key(keys::presence(player)).arg(&*self.node_id);
        if let Err(error) = self
            .store
            .run_script::<i64>("presence_clear", &invocation)
            .await
        {
            tracing::debug!(%error, %player, "presence not cleared; it expires by itself");
        }
    }

    /// Pushes `notification` to `player` wherever they are connected; offline players find it in their
    /// inbox.
    pub async fn deliver(&self, player: &PlayerId, notification: Notification) {
        if self.registry.is_connected(player) {
            self.push_local(player, notification);
            return;
        }
        let node: Option<String> = match self
            .store
            .query(
                "presence_get",
                redis::cmd("GET").arg(keys::presence(player)),
            )
            .await
        {
            Ok(node) => node,
            Err(error) => {
                tracing::warn!(%error, %player, "presence lookup failed; the notification waits in the inbox");
                return;
            }
        };
        let Some(node) = node.filter(|node| *node != *self.node_id) else {
            return;
        };
        let envelope = Envelope {
            player: player.clone(),
            notification,
        };
        let payload = serde_json::to_string(&envelope).unwrap_or_default();
        let command = redis::cmd("PUBLISH")
            .arg(keys::node_channel(&node))
            .arg(payload)
            .to_owned();
        match self
            .store
            .query::<i64>("notification_publish", &command)
            .await
        {
            Ok(_) => self
                .metrics
                .notifications_pushed_total
                .with_label_values(&["remote"])
                .inc(),
            Err(error) => {
                tracing::warn!(%error, %player, %node, "publishing to another node failed; the notification waits in the inbox")
            }
        }
    }

    fn push_local(&self, player: &PlayerId, notification: Notification) {
        let delay_ms = unix_ms().saturating_sub(notification.created_ms);
        let delivery = self
            .registry
            .push_notification(player, &ServerFrame::Push(Push::Notification(notification)));
        if delivery.delivered > 0 {
            self.metrics
                .notifications_pushed_total
                .with_label_values(&["local"])
                .inc();
            self.metrics
                .notification_delivery_seconds
                .observe(delay_ms as f64 / 1000.0);
        }
    }

    /// Listens on this node's channel and pushes what other nodes publish, reconnecting after failures,
    /// until `shutdown`.
    pub async fn listen(self, redis_url: String, shutdown: Shutdown) {
        let channel = keys::node_channel(&self.node_id);
        let mut backoff = Duration::from_millis(100);
        while !shutdown.is_triggered() {
            let started = Instant::now();
            let result = async {
                let client = redis::Client::open(redis_url.as_str())?;
                let mut pubsub = client.get_async_pubsub().await?;
                pubsub.subscribe(&channel).await?;
                let mut messages = pubsub.on_message();
                loop {
                    tokio::select! {
                        _ = shutdown.triggered() => return Ok::<(), redis::RedisError>(()),
                        message = messages.next() => {
                            let Some(message) = message else { return Ok(()) };
                            let payload: String = message.get_payload().unwrap_or_default();
                            match serde_json::from_str::<Envelope>(&payload) {
                                Ok(envelope) => self.push_local(&envelope.player, envelope.notification),
                                Err(error) => tracing::warn!(%error, "unreadable push from another node"),
                            }
                        }
                    }
                }
            }
            .await;
            if let Err(error) = result {
                tracing::warn!(%error, "notification channel lost; resubscribing");
            }
            if started.elapsed() > Duration::from_secs(10) {
                backoff = Duration::from_millis(100);
            }
            tokio::select! {
                _ = shutdown.triggered() => return,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }
}
