//! Redis access, the domain's only door to Redis: one multiplexed connection with automatic reconnect, a
//! timeout on every command, latency and errors measured per operation; the pub/sub subscription that
//! carries pushes between nodes (`pubsub`); and the local redis-server child (`supervisor`).

mod error;
pub mod keys;
mod pubsub;
pub mod supervisor;

use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, FromRedisValue, Pipeline, ScriptInvocation};

pub use error::StoreError;

use crate::metrics::Metrics;

/// The Redis store. Cheap to clone: every clone shares the one multiplexed connection.
#[derive(Clone)]
pub struct Store {
    client: redis::Client,
    connection: ConnectionManager,
    timeout: Duration,
    metrics: Arc<Metrics>,
}

impl Store {
    /// A store for `url` that connects in the background: it returns at once (a node starts, and reports
    /// not ready, while Redis is down), commands fail fast with [`StoreError`] until Redis answers, and
    /// later connection losses are repaired the same way. Only a malformed URL is refused.
    pub fn open(url: &str, timeout: Duration, metrics: Arc<Metrics>) -> Result<Store, StoreError> {
        let connect_error = |source| StoreError::Connect {
            url: redact(url),
            source,
        };
        let client = redis::Client::open(url).map_err(connect_error)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(connect_error)?;
        Ok(Store {
            client,
            connection,
            timeout,
            metrics,
        })
    }

    /// [`Store::open`], then waits for Redis to answer once: for tools and tests that cannot work
    /// without it.
    pub async fn connect(
        url: &str,
        timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Result<Store, StoreError> {
        let store = Store::open(url, timeout, metrics)?;
        store.ping().await.map_err(|error| match error {
            StoreError::Redis { source, .. } => StoreError::Connect {
                url: redact(url),
                source,
            },
            other => other,
        })?;
        Ok(store)
    }

    /// Runs one command; `op` labels its latency histogram and error counter.
    pub async fn query<T: FromRedisValue>(
        &self,
        op: &'static str,
        cmd: &Cmd,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection.clone();
        self.measure(op, async move { cmd.query_async(&mut connection).await })
            .await
    }

    /// Runs a pipeline (a `MULTI` transaction if built with `atomic()`).
    pub(crate) async fn query_pipeline<T: FromRedisValue>(
        &self,
        op: &'static str,
        pipe: &Pipeline,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection.clone();
        self.measure(op, async move { pipe.query_async(&mut connection).await })
            .await
    }

    /// Runs a Lua script (by SHA, loading it first if Redis does not have it).
    pub(crate) async fn run_script<T: FromRedisValue>(
        &self,
        op: &'static str,
        invocation: &ScriptInvocation<'_>,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection.clone();
        self.measure(
            op,
            async move { invocation.invoke_async(&mut connection).await },
        )
        .await
    }

    /// True when Redis answers `PING`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.query::<String>("ping", &redis::cmd("PING"))
            .await
            .map(drop)
    }

    async fn measure<T>(
        &self,
        op: &'static str,
        command: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, StoreError> {
        let started = Instant::now();
        let result = match tokio::time::timeout(self.timeout, command).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(source)) => Err(StoreError::Redis { op, source }),
            Err(_) => Err(StoreError::Timeout {
                op,
                after: self.timeout,
            }),
        };
        self.metrics
            .redis_command_duration_seconds
            .with_label_values(&[op])
            .observe(started.elapsed().as_secs_f64());
        if result.is_err() {
            self.count_error(op);
        }
        result
    }

    fn count_error(&self, op: &'static str) {
        self.metrics
            .redis_errors_total
            .with_label_values(&[op])
            .inc();
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("redis://:secret@10.0.0.1:6379/0"),
            "redis://***@10.0.0.1:6379/0"
        );
        assert_eq!(
            super::redact("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
    }
}
