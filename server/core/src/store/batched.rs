//! The future of [`Store::query_batched`]'s replies, written by hand: an `async fn` would be one more
//! state machine nested in every jump's checkpoint, whose state each jump reads when its replies come
//! (a line from memory on a busy node; BENCHMARKS.md, stop 42). This one is the batch's answer and what
//! the store counts it with, polled in place.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use super::batch::{Answer, BatchFailure};
use super::{Op, Store, StoreError};

/// Replies of one request, one per command: a refusal is that command's [`redis::Value::ServerError`].
pub(crate) type Replies = Result<Vec<redis::Value>, StoreError>;

/// The replies to come of [`Store::query_batched`].
pub(crate) enum Batched<'s> {
    /// Group-committed on one Redis: the batch's answer, counted as `op` from `started` when it
    /// comes.
    Answer {
        store: &'s Store,
        op: Op,
        started: Instant,
        answer: Answer,
    },
    /// A pipeline on a cluster (boxed: most of a kilobyte, which every checkpoint's future on one
    /// Redis would carry otherwise).
    Pipelined(Pin<Box<dyn Future<Output = Replies> + Send + 's>>),
    /// Refused before it was sent; taken by the first poll.
    Refused(Option<StoreError>),
}

impl Future for Batched<'_> {
    type Output = Replies;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Replies> {
        match self.get_mut() {
            Batched::Answer {
                store,
                op,
                started,
                answer,
            } => {
                let replies = std::task::ready!(Pin::new(answer).poll(cx));
                let (store, op) = (*store, *op);
                let result = replies.map_err(|failure| match failure {
                    BatchFailure::Redis(source) => StoreError::Redis {
                        op: op.label(),
                        source,
                    },
                    BatchFailure::Timeout => StoreError::Timeout {
                        op: op.label(),
                        after: store.timeout,
                    },
                });
                Poll::Ready(store.observe(op, *started, result))
            }
            Batched::Pipelined(pipelined) => pipelined.as_mut().poll(cx),
            Batched::Refused(refusal) => {
                Poll::Ready(Err(refusal.take().unwrap_or_else(|| StoreError::Redis {
                    op: "batched",
                    source: redis::RedisError::from((
                        redis::ErrorKind::Client,
                        "a request's replies were polled after they were given",
                    )),
                })))
            }
        }
    }
}
