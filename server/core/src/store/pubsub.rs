//! Pub/sub between nodes: a node publishes a push on the channel of the node holding the recipient, and
//! each node keeps one subscription to its own channel, resubscribing after a lost connection.

use crate::error_chain::ErrorChain;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::{Store, StoreError};
use crate::shutdown::Shutdown;

/// First wait before resubscribing after a lost subscription; doubled up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// A subscription that lived this long resets the backoff.
const STABLE_AFTER: Duration = Duration::from_secs(10);

impl Store {
    /// Publishes `payload` on `channel`.
    pub(crate) async fn publish(&self, channel: &str, payload: String) -> Result<(), StoreError> {
        self.query::<i64>(
            "notification_publish",
            redis::cmd("PUBLISH").arg(channel).arg(payload),
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
            let result = async {
                let mut pubsub = self.client.get_async_pubsub().await?;
                pubsub.subscribe(&channel).await?;
                let mut messages = pubsub.on_message();
                loop {
                    tokio::select! {
                        _ = shutdown.triggered() => return Ok::<(), redis::RedisError>(()),
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
            .await;
            if let Err(error) = result {
                self.count_error("pubsub_subscribe");
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
