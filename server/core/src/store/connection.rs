//! The connection the store sends commands on: one Redis (every request group-committed by `batch`, on
//! a socket of its own, made again by the next batch when it fails) or a Redis Cluster (redis-rs's async
//! cluster client: it follows `MOVED` and `ASK`, refreshes the slot map after a failover, and retries a
//! command a failover interrupted). Neither holds up the node's start: a node starts while Redis is
//! down, and connects when it answers.

use std::time::Duration;

use redis::aio::ConnectionLike;
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};

use super::batch::Batcher;
use super::socket::Dialer;

/// Where Redis is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisTarget {
    /// One Redis server.
    Single(String),
    /// A Redis Cluster, known by some of its nodes (the rest are discovered).
    Cluster(Vec<String>),
}

impl RedisTarget {
    /// The URLs, without credentials, for messages.
    pub fn redacted(&self) -> String {
        match self {
            RedisTarget::Single(url) => redact(url),
            RedisTarget::Cluster(urls) => {
                let urls: Vec<String> = urls.iter().map(|url| redact(url)).collect();
                format!("cluster {}", urls.join(","))
            }
        }
    }
}

/// A connection to one Redis or a cluster. Cheap to clone: clones share the connection(s).
#[derive(Clone)]
pub(crate) enum Connection {
    /// One Redis: every request (commands, scripts, pipelines, transactions) goes through the group
    /// commit, on its own connection.
    Single(Batcher),
    /// A cluster.
    Cluster(ClusterConnection),
}

/// How a client is built for a target, kept to open the pub/sub connection later.
#[derive(Clone)]
pub(crate) enum Client {
    /// One Redis.
    Single(redis::Client),
    /// A cluster.
    Cluster(Vec<String>),
}

impl Connection {
    /// A connection to `target`, made in the background; commands time out after `timeout`. On one
    /// Redis, a group-committed batch is held up to `batch_window` for more requests (zero: sent at
    /// once), `batch_entries` observes the size of each batch and `opened` counts the connections the
    /// group commit opens.
    pub(crate) fn open(
        target: &RedisTarget,
        timeout: Duration,
        batch_window: Duration,
        batch_entries: prometheus::Histogram,
        opened: prometheus::IntCounter,
    ) -> RedisResult<(Connection, Client)> {
        match target {
            RedisTarget::Single(url) => {
                let client = redis::Client::open(url.as_str())?;
                let batcher = Batcher::new(
                    Dialer::of(&client)?,
                    timeout,
                    batch_window,
                    batch_entries,
                    opened,
                );
                Ok((Connection::Single(batcher), Client::Single(client)))
            }
            RedisTarget::Cluster(urls) => {
                let client = cluster_client(urls, timeout).build()?;
                let config = redis::cluster::ClusterConfig::new()
                    .set_connection_timeout(timeout)
                    .set_response_timeout(timeout);
                let connection = client.get_pending_async_connection_with_config(config);
                Ok((
                    Connection::Cluster(connection),
                    Client::Cluster(urls.clone()),
                ))
            }
        }
    }

    /// The group commit of one Redis; `None` on a cluster (each command goes to its slot's node).
    pub(crate) fn batcher(&self) -> Option<&Batcher> {
        match self {
            Connection::Single(batcher) => Some(batcher),
            Connection::Cluster(_) => None,
        }
    }
}

/// A cluster client builder for `urls`: a command interrupted by a failover is retried a few times
/// while the replica takes over, within the command timeout.
pub(crate) fn cluster_client(urls: &[String], timeout: Duration) -> ClusterClientBuilder {
    ClusterClient::builder(urls.iter().map(String::as_str))
        .connection_timeout(timeout)
        .response_timeout(timeout)
        .retries(3)
        .min_retry_wait(50)
        .max_retry_wait(500)
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Single(batcher) => batcher.command(cmd),
            Connection::Cluster(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Single(batcher) => batcher.pipeline(pipeline, offset, count),
            Connection::Cluster(connection) => {
                connection.req_packed_commands(pipeline, offset, count)
            }
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Single(batcher) => batcher.db(),
            Connection::Cluster(connection) => connection.get_db(),
        }
    }
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("redis://:secret@10.0.0.1:6379/0"),
            "redis://***@10.0.0.1:6379/0"
        );
        assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
        assert_eq!(
            RedisTarget::Cluster(vec!["redis://:pw@a:1".into(), "redis://b:2".into()]).redacted(),
            "cluster redis://***@a:1,redis://b:2"
        );
    }
}
