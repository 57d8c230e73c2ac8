//! Pub/sub between nodes: a node publishes a push on the channel of the node holding the recipient, and
//! each node keeps one subscription to its own channel, resubscribing after a lost connection.
//!
//! On a Redis Cluster the channels are sharded (`SPUBLISH`/`SSUBSCRIBE`, Redis 7): a channel lives on
//! the shard owning its slot, so a push crosses one shard instead of being broadcast to every node of the
//! cluster as a classic `PUBLISH` is, and the cluster client resubscribes by itself after a failover. On
//! one Redis the classic commands serve (Redis 6 works too).

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use redis::{PushKind, Value};

use super::connection::{Client, cluster_client};
use super::{Op, Store, StoreError};
use crate::error_chain::ErrorChain;
use crate::shutdown::Shutdown;

/// First wait before resubscribing after a lost subscription; doubled up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// A subscription that lived this long resets the backoff.
const STABLE_AFTER: Duration = Duration::from_secs(10);

impl Store {
    /// Publishes `payload` on `channel`.
    pub(crate) async fn publish(&self, channel: &str, payload: String) -> Result<(), StoreError> {
        let command = if self.is_cluster() {
            "SPUBLISH"
        } else {
            "PUBLISH"
        };
        self.query::<i64>(
            Op::NotificationPublish,
            crate::store::cmd(command).arg(channel).arg(payload),
        )
        .await
        .map(drop)
    }

    /// Subscribes to `channel` on a connection of its own and calls `on_message` with each payload until
    /// `shutdown`, resubscribing with backoff whenever the subscription is lost.
    pub async fn subscribe(
        &self,
        channel: String,
        shutdown: Shutdown,
        mut on_message: impl FnMut(String),
    ) {
        let mut backoff = FIRST_BACKOFF;
        while !shutdown.is_triggered() {
            let started = Instant::now();
            let result = match &self.client {
                Client::Single(client) => {
                    listen_single(client, &channel, &shutdown, &mut on_message).await
                }
                Client::Cluster(urls) => {
                    listen_cluster(urls, self.timeout, &channel, &shutdown, &mut on_message).await
                }
            };
            if let Err(error) = result {
                self.count_error(Op::PubsubSubscribe);
                tracing::warn!(error = %ErrorChain(&error), %channel, "subscription lost; resubscribing");
            }
            if started.elapsed() > STABLE_AFTER {
                backoff = FIRST_BACKOFF;
            }
            tokio::select! {
                _ = shutdown.triggered() => return,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }
}

/// One subscription on one Redis, until it is lost or `shutdown`.
async fn listen_single(
    client: &redis::Client,
    channel: &str,
    shutdown: &Shutdown,
    on_message: &mut impl FnMut(String),
) -> redis::RedisResult<()> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    let mut messages = pubsub.on_message();
    loop {
        tokio::select! {
            _ = shutdown.triggered() => return Ok(()),
            message = messages.next() => {
                let Some(message) = message else { return Ok(()) };
                match message.get_payload::<String>() {
                    Ok(payload) => on_message(payload),
                    Err(error) => tracing::warn!(error = %ErrorChain(&error), %channel, "unreadable pub/sub payload"),
                }
            }
        }
    }
}

/// One sharded subscription on a cluster (RESP3 pushes), until it is lost or `shutdown`. The cluster
/// client resubscribes by itself when the channel's shard fails over.
async fn listen_cluster(
    urls: &[String],
    timeout: Duration,
    channel: &str,
    shutdown: &Shutdown,
    on_message: &mut impl FnMut(String),
) -> redis::RedisResult<()> {
    let (sender, mut pushes) = tokio::sync::mpsc::unbounded_channel();
    let client = cluster_client(urls, timeout)
        .use_protocol(redis::ProtocolVersion::RESP3)
        .push_sender(sender)
        .build()?;
    let mut connection = client.get_async_connection().await?;
    connection.ssubscribe(channel).await?;
    loop {
        tokio::select! {
            _ = shutdown.triggered() => return Ok(()),
            push = pushes.recv() => {
                let Some(push) = push else { return Ok(()) };
                if push.kind != PushKind::SMessage {
                    continue;
                }
                // An SMessage carries [channel, payload].
                match push.data.get(1) {
                    Some(Value::BulkString(bytes)) => match String::from_utf8(bytes.clone()) {
                        Ok(payload) => on_message(payload),
                        Err(error) => tracing::warn!(error = %ErrorChain(&error), %channel, "unreadable pub/sub payload"),
                    },
                    other => tracing::warn!(?other, %channel, "unexpected sharded pub/sub push"),
                }
            }
        }
    }
}
