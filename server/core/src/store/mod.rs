//! Redis access, the domain's only door to Redis: one Redis or a Redis Cluster (`connection`), a timeout
//! on every command, latency and errors measured per operation; the pub/sub that carries pushes between
//! nodes (`pubsub`: sharded pub/sub on a cluster); and the local redis-server child (`supervisor`).

mod batch;
mod batched;
mod connection;
mod error;
mod gathered;
pub mod keys;
mod op;
mod packed;
mod pubsub;
#[cfg(test)]
mod reply_decoding;
mod sharding;
pub mod slots;
mod socket;
pub mod supervisor;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use futures_util::future::Either;
use redis::{Cmd, FromRedisValue, Pipeline, ScriptInvocation};

pub use connection::RedisTarget;
pub use error::StoreError;
pub use op::Op;
/// A command to add arguments to, in buffers most of the node's commands fit: the vendored redis-rs
/// starts every command so (`server/vendor/redis`, `LEAPFROG PATCH` in `cmd`), its typed helpers too.
pub use redis::cmd;
pub use sharding::Sharding;

pub(crate) use batched::Batched;
use connection::{Client, Connection};
pub(crate) use packed::Commands;
use packed::Packed;

use crate::metrics::Metrics;

/// The Redis store. Cheap to clone: every clone shares the one connection (on one Redis, the group
/// commit's; on a cluster, redis-rs's cluster client).
#[derive(Clone)]
pub struct Store {
    client: Client,
    connection: Connection,
    timeout: Duration,
    metrics: Arc<Metrics>,
    /// Each operation's latency histogram, resolved once (indexed by [`Op::index`]): a label lookup per
    /// command would hash the label on every jump.
    durations: Arc<[prometheus::Histogram]>,
}

impl Store {
    /// A store for `target` that connects in the background: it returns at once (a node starts, and
    /// reports not ready, while Redis is down), commands fail fast with [`StoreError`] until Redis
    /// answers, and later connection losses (and, on a cluster, failovers) are repaired the same way.
    /// Only a malformed URL is refused.
    pub fn open(
        target: &RedisTarget,
        timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Result<Store, StoreError> {
        Store::open_with_window(target, timeout, Duration::ZERO, metrics)
    }

    /// [`Store::open`], with each group-committed batch on one Redis held up to `batch_window` for
    /// more requests before it is sent (zero: at once): fewer, larger writes, so less CPU per request
    /// for the node and for Redis, for up to that much more latency per request (rounded up to the
    /// runtime's 1 ms timer). No effect on a cluster.
    pub fn open_with_window(
        target: &RedisTarget,
        timeout: Duration,
        batch_window: Duration,
        metrics: Arc<Metrics>,
    ) -> Result<Store, StoreError> {
        let (connection, client) = Connection::open(
            target,
            timeout,
            batch_window,
            metrics.redis_batch_entries.clone(),
            metrics.redis_connections_opened_total.clone(),
        )
        .map_err(|source| StoreError::Connect {
            url: target.redacted(),
            source,
        })?;
        let durations = Op::ALL
            .iter()
            .map(|op| {
                metrics
                    .redis_command_duration_seconds
                    .with_label_values(&[op.label()])
            })
            .collect();
        Ok(Store {
            client,
            connection,
            timeout,
            metrics,
            durations,
        })
    }

    /// [`Store::open`] on one Redis at `url`, then waits for it to answer once: for tools and tests that
    /// cannot work without it.
    pub async fn connect(
        url: &str,
        timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Result<Store, StoreError> {
        Store::connect_to(&RedisTarget::Single(url.to_owned()), timeout, metrics).await
    }

    /// [`Store::open`] on `target`, then waits for it to answer once.
    pub async fn connect_to(
        target: &RedisTarget,
        timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Result<Store, StoreError> {
        let store = Store::open(target, timeout, metrics)?;
        store.ping().await.map_err(|error| match error {
            StoreError::Redis { source, .. } => StoreError::Connect {
                url: target.redacted(),
                source,
            },
            other => other,
        })?;
        Ok(store)
    }

    /// True when the store talks to a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self.client, Client::Cluster(_))
    }

    /// Runs one command; `op` labels its latency histogram and error counter. On one Redis it is
    /// group-committed with whatever other commands are sent at the same time (see `batch`).
    pub async fn query<T: FromRedisValue>(&self, op: Op, cmd: &Cmd) -> Result<T, StoreError> {
        let mut connection = self.connection.clone();
        self.measure(op, async move { cmd.query_async(&mut connection).await })
            .await
    }

    /// Runs a pipeline (a `MULTI` transaction if built with `atomic()`). Every pipeline stays in one slot.
    ///
    /// On a cluster, the client follows `MOVED` and `ASK` for single commands but not inside a pipeline,
    /// whose replies only carry the redirection: after a failover or a slot migration such a pipeline
    /// would keep going to the old node. So a pipeline refused that way sends one single command on its
    /// first key (which follows the redirection and makes the client refresh its slot map), then runs
    /// again, a few times at most.
    pub(crate) async fn query_pipeline<T: FromRedisValue>(
        &self,
        op: Op,
        pipe: &Pipeline,
    ) -> Result<T, StoreError> {
        self.query_pipeline_read(op, pipe, |replies| replies).await
    }

    /// Runs `groups` of commands, each group in one slot (groups may be in different slots), and returns
    /// every command's reply, group by group. Nothing is atomic: for idempotent reads and writes whose
    /// failure is retried whole. A command Redis refuses fails the whole call.
    ///
    /// On one Redis every group goes in a single entry of a group-committed batch (see
    /// [`Store::query_batched`]), where sending the groups concurrently would cost the node a request
    /// each (its bookkeeping, a timer, a write to the socket when they do not coalesce) and Redis a
    /// read per group. On a cluster each group is its own pipeline to its slot's node, all at once.
    pub(crate) async fn query_groups(
        &self,
        op: Op,
        groups: Vec<Vec<Cmd>>,
    ) -> Result<Vec<Vec<redis::Value>>, StoreError> {
        fn pipeline(commands: impl IntoIterator<Item = Cmd>) -> Pipeline {
            let mut pipe = redis::pipe();
            for command in commands {
                pipe.add_command(command);
            }
            pipe
        }
        if groups.iter().all(Vec::is_empty) {
            // Nothing to send (Redis would refuse an empty request).
            return Ok(groups.iter().map(|_| Vec::new()).collect());
        }
        if self.is_cluster() {
            return futures_util::future::try_join_all(groups.into_iter().map(|group| {
                let pipe = (!group.is_empty()).then(|| pipeline(group));
                async move {
                    match pipe {
                        Some(pipe) => self.query_pipeline::<Vec<redis::Value>>(op, &pipe).await,
                        None => Ok(Vec::new()),
                    }
                }
            }))
            .await;
        }
        let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        let commands = match self.connection.batcher() {
            // Written once, in a buffer of their size.
            Some(_) => Commands::Packed(Packed::of(groups.iter().flatten())),
            None => Commands::Each(groups.into_iter().flatten().collect()),
        };
        let replies = self.query_batched(op, commands).await?;
        let replies = self.unrefused(op, replies)?;
        let mut replies = replies.into_iter();
        Ok(sizes
            .into_iter()
            .map(|size| replies.by_ref().take(size).collect())
            .collect())
    }

    /// Runs `commands` (one slot, not empty, nothing atomic) and returns one reply per command; a command
    /// Redis refused replies [`redis::Value::ServerError`] (see [`Store::refused_unless`]).
    ///
    /// On one Redis the commands are group-committed: they go in one request with whatever other tasks
    /// send this way at the same time (every connection's jump checkpoint), see `batch`. On a cluster
    /// they are one pipeline to their slot's node, following redirections like [`Store::query_pipeline`].
    ///
    /// Not an `async fn`: the future is written by hand (`batched`), one level less in every jump's
    /// checkpoint.
    pub(crate) fn query_batched(&self, op: Op, commands: Commands) -> Batched<'_> {
        let (batcher, commands) = match (self.connection.batcher(), commands) {
            (Some(batcher), Commands::Packed(packed)) => (batcher, packed),
            (Some(batcher), Commands::Each(commands)) => (batcher, Packed::of(&commands)),
            (None, Commands::Each(commands)) => {
                return Batched::Pipelined(Box::pin(self.query_pipelined(op, commands)));
            }
            (None, Commands::Packed(_)) => {
                // `Store::commands` packs only for one Redis: nothing to route them by here.
                return Batched::Refused(Some(StoreError::Redis {
                    op: op.label(),
                    source: redis::RedisError::from((
                        redis::ErrorKind::Client,
                        "commands packed for one Redis were sent to a cluster",
                    )),
                }));
            }
        };
        let started = Instant::now();
        // The batcher answers within the store's timeout, a queued entry's wait included (it keeps
        // the deadline: no timer per call).
        Batched::Answer {
            store: self,
            op,
            started,
            answer: batcher.send(commands, started),
        }
    }

    /// Commands for one request of [`Store::query_batched`], for up to `count` commands: written in
    /// the protocol as they are built on one Redis, kept for routing on a cluster.
    pub(crate) fn commands(&self, count: usize) -> Commands {
        match self.connection.batcher() {
            Some(_) => Commands::Packed(Packed::for_commands(count)),
            None => Commands::Each(Vec::with_capacity(count)),
        }
    }

    /// [`Store::query_batched`] on a cluster: one pipeline (not a transaction) to the commands' slot's
    /// node, which answers every command, a refusal as that command's [`redis::Value::ServerError`]
    /// (`ignore_errors`), as a batch on one Redis does.
    async fn query_pipelined(
        &self,
        op: Op,
        commands: Vec<Cmd>,
    ) -> Result<Vec<redis::Value>, StoreError> {
        let mut pipe = Pipeline::with_capacity(commands.len());
        pipe.ignore_errors();
        for command in commands {
            pipe.add_command(command);
        }
        // With `ignore_errors` a redirection is a command's reply: made an error, it is followed.
        self.query_pipeline_read(
            op,
            &pipe,
            |replies: redis::RedisResult<Vec<redis::Value>>| {
                let replies = replies?;
                match replies.iter().find_map(redirection) {
                    Some(redirection) => Err(redirection),
                    None => Ok(replies),
                }
            },
        )
        .await
    }

    /// The replies of [`Store::query_batched`], or `None` if Redis refused any of its commands and
    /// refused each of them with error `code` (an answer, e.g. `WRONGTYPE` from a fence, not a failure);
    /// any other refusal is a failure of `op`, and counted as one.
    pub(crate) fn refused_unless(
        &self,
        op: Op,
        replies: Vec<redis::Value>,
        code: &str,
    ) -> Result<Option<Vec<redis::Value>>, StoreError> {
        if first_refusal(&replies, None).is_none() {
            return Ok(Some(replies));
        }
        match first_refusal(&replies, Some(code)) {
            None => Ok(None),
            Some(refusal) => Err(self.refused(op, refusal)),
        }
    }

    /// The replies of [`Store::query_batched`] if Redis refused none of its commands; the first
    /// refusal, as a failure of `op` (counted), otherwise.
    fn unrefused(
        &self,
        op: Op,
        replies: Vec<redis::Value>,
    ) -> Result<Vec<redis::Value>, StoreError> {
        match first_refusal(&replies, None) {
            None => Ok(replies),
            Some(refusal) => Err(self.refused(op, refusal)),
        }
    }

    /// `refusal` of a command of `op`, as its failure (counted).
    fn refused(&self, op: Op, refusal: &redis::ServerError) -> StoreError {
        self.count_error(op);
        StoreError::Redis {
            op: op.label(),
            source: refusal.clone().into(),
        }
    }

    /// Runs `pipe` (following redirections, as [`Store::query_pipeline`] says), its replies read by `read`.
    async fn query_pipeline_read<T: FromRedisValue, R>(
        &self,
        op: Op,
        pipe: &Pipeline,
        read: impl Fn(redis::RedisResult<T>) -> redis::RedisResult<R>,
    ) -> Result<R, StoreError> {
        let mut attempt = 0;
        loop {
            let mut connection = self.connection.clone();
            let result = self
                .measure(op, async { read(pipe.query_async(&mut connection).await) })
                .await;
            match result {
                Err(StoreError::Redis { ref source, .. })
                    if self.is_cluster() && attempt < 3 && redirected(source) =>
                {
                    attempt += 1;
                    if let Some(key) = first_key(pipe) {
                        let mut connection = self.connection.clone();
                        let _ = tokio::time::timeout(
                            self.timeout,
                            crate::store::cmd("EXISTS")
                                .arg(key)
                                .query_async::<i64>(&mut connection),
                        )
                        .await;
                    }
                }
                other => return other,
            }
        }
    }

    /// Runs a Lua script (by SHA, loading it first if Redis does not have it).
    pub(crate) async fn run_script<T: FromRedisValue>(
        &self,
        op: Op,
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
        self.query::<String>(Op::Ping, &crate::store::cmd("PING"))
            .await
            .map(drop)
    }

    /// Runs `command` within the store's timeout and counts it as `op`.
    ///
    /// On one Redis the batch task holds every request to the timeout (each entry keeps its deadline),
    /// so the command goes as it is: a timer of its own would be armed and cancelled for nothing on
    /// every request. On a cluster a timer bounds the command, redis-rs's retries included.
    ///
    /// A plain function returning the timed command, not an `async fn`: an `async fn` keeps its
    /// argument beside the timeout it is moved into, so every command's future (and every caller's)
    /// held the command twice.
    fn measure<T>(
        &self,
        op: Op,
        command: impl Future<Output = redis::RedisResult<T>>,
    ) -> impl Future<Output = Result<T, StoreError>> {
        let timed = match self.connection.batcher() {
            Some(_) => Either::Left(command.map(Ok::<_, tokio::time::error::Elapsed>)),
            None => Either::Right(tokio::time::timeout(self.timeout, command)),
        };
        async move {
            let started = Instant::now();
            let result = match timed.await {
                Ok(Ok(value)) => Ok(value),
                // A group-committed batch that timed out (or, on a cluster, redis-rs's own response
                // timeout).
                Ok(Err(source)) if source.is_timeout() => Err(StoreError::Timeout {
                    op: op.label(),
                    after: self.timeout,
                }),
                Ok(Err(source)) => Err(StoreError::Redis {
                    op: op.label(),
                    source,
                }),
                Err(_) => Err(StoreError::Timeout {
                    op: op.label(),
                    after: self.timeout,
                }),
            };
            self.observe(op, started, result)
        }
    }

    /// Counts `result` of `op`, started at `started`: its latency, and its failure if it failed.
    fn observe<T>(
        &self,
        op: Op,
        started: Instant,
        result: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if let Some(duration) = self.durations.get(op.index()) {
            duration.observe(started.elapsed().as_secs_f64());
        }
        if result.is_err() {
            self.count_error(op);
        }
        result
    }

    fn count_error(&self, op: Op) {
        self.metrics
            .redis_errors_total
            .with_label_values(&[op.label()])
            .inc();
    }
}

/// Reads one reply as `T`; a reply of another shape is a failure of `op`.
pub(crate) fn decode<T: FromRedisValue>(op: Op, reply: redis::Value) -> Result<T, StoreError> {
    redis::from_redis_value(reply).map_err(|source| StoreError::Redis {
        op: op.label(),
        source: source.into(),
    })
}

/// The first of `replies` that is a refusal, other than one with error `except` if given.
fn first_refusal<'r>(
    replies: &'r [redis::Value],
    except: Option<&str>,
) -> Option<&'r redis::ServerError> {
    replies.iter().find_map(|reply| match reply {
        redis::Value::ServerError(refusal) if except != Some(refusal.code()) => Some(refusal),
        _ => None,
    })
}

/// A command's refusal that says its slot is served elsewhere now (or is moving), as an error.
fn redirection(reply: &redis::Value) -> Option<redis::RedisError> {
    match reply {
        redis::Value::ServerError(refusal) => {
            let error = redis::RedisError::from(refusal.clone());
            redirected(&error).then_some(error)
        }
        _ => None,
    }
}

/// True when a pipeline failed because its slot is served elsewhere now (or is moving).
fn redirected(error: &redis::RedisError) -> bool {
    let text = error.to_string();
    [
        "Moved",
        "Ask",
        "TryAgain",
        "ClusterDown",
        "MOVED",
        "ASK",
        "TRYAGAIN",
        "CLUSTERDOWN",
    ]
    .iter()
    .any(|marker| text.contains(marker))
}

/// The key of a pipeline's first command (its first argument), which every command of it shares a slot
/// with.
fn first_key(pipe: &Pipeline) -> Option<Vec<u8>> {
    pipe.cmd_iter().next().and_then(|command| {
        command.args_iter().nth(1).and_then(|arg| match arg {
            redis::Arg::Simple(bytes) => Some(bytes.to_vec()),
            _ => None,
        })
    })
}
