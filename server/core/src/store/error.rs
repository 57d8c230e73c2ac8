//! Errors of the Redis store.

use std::time::Duration;

use thiserror::Error;

/// A Redis operation that failed. Either way nothing can be assumed written: callers retry or report
/// `unavailable`.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No answer within the command timeout.
    #[error("Redis did not answer `{op}` within {} ms", after.as_millis())]
    Timeout {
        /// The operation.
        op: &'static str,
        /// The timeout.
        after: Duration,
    },
    /// Redis answered with an error, or the connection failed.
    #[error("Redis failed `{op}`")]
    Redis {
        /// The operation.
        op: &'static str,
        /// What the client library reported.
        source: redis::RedisError,
    },
    /// The first connection could not be made.
    #[error("cannot connect to Redis at {url}")]
    Connect {
        /// The URL, without credentials.
        url: String,
        /// What the client library reported.
        source: redis::RedisError,
    },
}
