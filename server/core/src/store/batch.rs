//! Group commit on one Redis: the commands many tasks send at about the same time (every connection's
//! jump checkpoint, the steps of runs being recorded, a script, a single command) go to Redis together,
//! as one request.
//!
//! Each request to redis-rs costs the node its own bookkeeping (a channel message, a response slot, a
//! timer, a write to the socket unless it coalesces), whatever it carries. A jump's checkpoint is two
//! small commands, so that bookkeeping was a third of the node's instructions per jump. Here a task
//! queues its commands and waits for their replies; a batch task takes every queued entry at once (up to
//! [`MAX_ENTRIES`]), sends them as one request and hands each entry its own replies. While
//! [`IN_FLIGHT`] batches wait for Redis, new entries queue, so batches grow with the load by themselves:
//! no window to wait out.
//!
//! At light load there is nothing to batch, and the hop through the batch task (a queue message, a
//! wake-up of another task, a reply slot) would only add to each command. So a command goes out
//! straight, on its own as without batching, while fewer than [`DIRECT`] such commands wait for Redis
//! (or, while a batch waits too, fewer than [`DIRECT_BUSY`]); beyond that it queues. The commands sent
//! straight at once leave in one write (redis-rs's writer sends what its queue holds together), so the
//! several requests of one step of a recording (a run's end, its index entry, its live slot, the bests
//! it is planned from) reach Redis together.
//!
//! An entry's commands come written in the protocol (`store::packed`): a batch is its entries' bytes one
//! after another, sent as they are (a patch of the vendored redis-rs, `send_packed_bytes`), with no
//! `Cmd` or `Pipeline` to build, encode and drop per command.
//!
//! Nothing is atomic across entries, and one entry's refused command (a `WRONGTYPE` from a fence) is
//! that entry's answer only: a refusal comes back as that command's reply ([`Value::ServerError`]), as
//! a pipeline with `ignore_errors` answers. A failure of the whole request (a timeout, a lost
//! connection) fails every entry of the batch, as it would have failed each of them alone.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use redis::aio::{ConnectionLike, ConnectionManager};
use redis::{Cmd, RedisFuture, Value};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::packed::Packed;

/// Entries one batch takes at most: bounds a request's size (a jump's checkpoint is about 100 bytes).
pub(crate) const MAX_ENTRIES: usize = 256;

/// Batches waiting for Redis at once. Two keep Redis busy while the node hands out one batch's replies
/// and gathers the next.
pub(crate) const IN_FLIGHT: usize = 2;

/// Commands sent straight (each its own request) that may wait for Redis at once while no batch does;
/// more queue. Six: the most one step of a recording sends at once (a run's end sends five), so none of
/// a step's requests waits for a batch of its own behind the others.
pub(crate) const DIRECT: usize = 6;

/// Commands sent straight that may wait for Redis at once while a batch does too (a busy node): two,
/// as before the idle node's six. Queueing every command behind a batch instead cost 5% more CPU per
/// jump at 1,000 players (BENCHMARKS.md, stop 30), though no more instructions.
pub(crate) const DIRECT_BUSY: usize = 2;

/// Why a batch brought no replies; the store names the operation of each entry it failed.
#[derive(Debug, Clone)]
pub(crate) enum BatchFailure {
    /// Redis or the connection failed the request.
    Redis(redis::RedisError),
    /// No answer within the timeout.
    Timeout,
}

impl From<redis::RedisError> for BatchFailure {
    fn from(error: redis::RedisError) -> BatchFailure {
        if error.is_timeout() {
            BatchFailure::Timeout
        } else {
            BatchFailure::Redis(error)
        }
    }
}

impl BatchFailure {
    fn broken(why: &'static str) -> BatchFailure {
        BatchFailure::Redis(redis::RedisError::from((redis::ErrorKind::Client, why)))
    }
}

type Replies = Result<Vec<Value>, BatchFailure>;

/// One task's commands, where their replies go, and by when.
struct Entry {
    commands: Packed,
    reply: oneshot::Sender<Replies>,
    /// The batcher's timeout from when the entry was queued: it is answered by then, however long
    /// it waited for a batch. One timer per batch bounds every entry of it, instead of one per entry.
    deadline: Instant,
}

/// The queue into the batch task, started on first use (from inside the runtime). Cheap to clone.
#[derive(Clone)]
pub(crate) struct Batcher {
    queue: Arc<OnceLock<mpsc::UnboundedSender<Entry>>>,
    /// Commands sent straight that wait for Redis now.
    direct: Arc<AtomicUsize>,
    /// Batches the batch task has waiting for Redis now: while any does, fewer commands go straight.
    batches: Arc<AtomicUsize>,
    connection: ConnectionManager,
    timeout: Duration,
    sizes: prometheus::Histogram,
}

/// A place among the [`DIRECT`] commands sent straight, given back when dropped (a cancelled command too).
struct DirectSlot<'a>(&'a AtomicUsize);

impl Drop for DirectSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Batcher {
    /// A batcher sending on `connection` (one Redis), each batch failing after `timeout`; `sizes`
    /// observes the entries of each batch sent.
    pub(crate) fn new(
        connection: ConnectionManager,
        timeout: Duration,
        sizes: prometheus::Histogram,
    ) -> Batcher {
        Batcher {
            queue: Arc::new(OnceLock::new()),
            direct: Arc::new(AtomicUsize::new(0)),
            batches: Arc::new(AtomicUsize::new(0)),
            connection,
            timeout,
            sizes,
        }
    }

    /// Sends `commands` (one slot, non-empty, written in the protocol), straight or with whatever other
    /// entries are queued, and returns one reply per command; a command Redis refused replies
    /// [`Value::ServerError`].
    ///
    /// Answers within the timeout from this call, the wait for a batch included: a command sent
    /// straight under a timer of its own; a queued one by its entry's deadline, which the batch task
    /// keeps (see [`gather`]), so it costs no timer of its own. `now` is the caller's reading of the
    /// clock as it calls (one reading per checkpoint for its latency and its deadline).
    pub(crate) async fn send(&self, commands: Packed, now: std::time::Instant) -> Replies {
        let deadline = Instant::from_std(now) + self.timeout;
        if let Some(_slot) = self.direct_slot() {
            // Bounded here: redis-rs has no response timeout on one Redis (the store bounds every
            // request itself), and a connection being made again would not be covered by one.
            // Boxed: redis-rs's request is more than a kilobyte and a half, and every queued
            // checkpoint's future, so every jump's handling, would carry it too.
            let mut connection = self.connection.clone();
            return Box::pin(send_packed(&mut connection, commands, deadline)).await;
        }
        self.send_queued(commands, deadline).await
    }

    /// When a command sent now must be answered by.
    fn deadline(&self) -> Instant {
        Instant::now() + self.timeout
    }

    /// A place among the commands sent straight, if one is free (counted as a request of one entry).
    fn direct_slot(&self) -> Option<DirectSlot<'_>> {
        let slot = DirectSlot(&self.direct);
        let waiting = self.direct.fetch_add(1, Ordering::Relaxed);
        let free = straight(waiting, self.batches.load(Ordering::Relaxed));
        if free {
            self.sizes.observe(1.0);
        }
        free.then_some(slot)
    }

    /// Queues `commands` for the next batch and waits for their replies, answered by `deadline`.
    async fn send_queued(&self, commands: Packed, deadline: Instant) -> Replies {
        let queue = self.queue.get_or_init(|| self.start());
        let (reply, answer) = oneshot::channel();
        // The queue is unbounded, but each entry's task waits for its answer: there are never more
        // entries than tasks sending them (a connection sends one checkpoint at a time).
        let entry = Entry {
            commands,
            reply,
            deadline,
        };
        if queue.send(entry).is_err() {
            return Err(BatchFailure::broken("the batch task has stopped"));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(BatchFailure::broken("a batch was dropped unanswered")))
    }

    /// One command as an entry of its own, for redis-rs's `ConnectionLike`: its reply (a refusal is a
    /// [`Value::ServerError`], which redis-rs makes the command's error); a batch's timeout is an I/O
    /// timeout (`RedisError::is_timeout`).
    pub(crate) fn command<'a>(&'a self, command: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            if let Some(_slot) = self.direct_slot() {
                return self.connection.clone().req_packed_command(command).await;
            }
            match self
                .send_queued(Packed::of(std::slice::from_ref(command)), self.deadline())
                .await
            {
                Ok(mut replies) => Ok(replies.pop().unwrap_or(Value::Nil)),
                Err(BatchFailure::Redis(error)) => Err(error),
                Err(BatchFailure::Timeout) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "no answer from Redis within the timeout",
                )
                .into()),
            }
        })
    }

    fn start(&self) -> mpsc::UnboundedSender<Entry> {
        let (queue, entries) = mpsc::unbounded_channel();
        tokio::spawn(gather(
            entries,
            self.connection.clone(),
            self.sizes.clone(),
            self.batches.clone(),
        ));
        queue
    }
}

/// The batch task: takes every queued entry while fewer than [`IN_FLIGHT`] batches wait for Redis, and
/// sends them. The batches in flight are polled here (no task each: a command alone at light load
/// costs a queue message and a reply slot, not a spawn). Ends when every [`Batcher`] is gone and
/// every batch has its answer.
///
/// Every entry is answered by its deadline: one whose deadline passed while it waited for a batch
/// fails at once, and a batch fails at the earliest deadline of its entries. A batch in flight ends
/// by the deadlines of entries queued before any waiting now, so a waiting entry's deadline has not
/// passed when room is made for it unless it was already due.
async fn gather(
    mut queue: mpsc::UnboundedReceiver<Entry>,
    connection: ConnectionManager,
    sizes: prometheus::Histogram,
    batches: Arc<AtomicUsize>,
) {
    let mut in_flight = FuturesUnordered::new();
    let mut taken = Vec::new();
    let mut open = true;
    while open || !in_flight.is_empty() {
        tokio::select! {
            // A batch answered: room for the next.
            Some(()) = in_flight.next(), if !in_flight.is_empty() => {}
            count = queue.recv_many(&mut taken, MAX_ENTRIES), if open && in_flight.len() < IN_FLIGHT => {
                if count == 0 {
                    open = false;
                    continue;
                }
                let Some((entries, deadline)) = due_by(&mut taken, Instant::now()) else {
                    continue;
                };
                sizes.observe(entries.len() as f64);
                let mut connection = connection.clone();
                in_flight.push(async move { send_batch(&mut connection, entries, deadline).await });
            }
        }
        batches.store(in_flight.len(), Ordering::Relaxed);
    }
}

/// Whether a command goes out straight, given the commands sent straight and the batches that wait for
/// Redis now: while fewer than [`DIRECT_BUSY`] commands sent straight do, or, while no batch does,
/// fewer than [`DIRECT`].
fn straight(direct_waiting: usize, batches_waiting: usize) -> bool {
    direct_waiting < DIRECT_BUSY || (batches_waiting == 0 && direct_waiting < DIRECT)
}

/// The entries of `taken` (emptied) that are still due, and the earliest of their deadlines; those
/// whose deadline is past `now` fail with [`BatchFailure::Timeout`]. `None` if none is left.
fn due_by(taken: &mut Vec<Entry>, now: Instant) -> Option<(Vec<Entry>, Instant)> {
    for late in taken.extract_if(.., |entry| entry.deadline <= now) {
        let _ = late.reply.send(Err(BatchFailure::Timeout));
    }
    // The batch takes `taken`'s buffer, as it did before entries had deadlines: no copy per batch.
    let entries = std::mem::take(taken);
    let deadline = entries.iter().map(|entry| entry.deadline).min()?;
    Some((entries, deadline))
}

/// Sends `commands` in one request and returns their replies (one per command), failing at `deadline`.
async fn send_packed(
    connection: &mut ConnectionManager,
    commands: Packed,
    deadline: Instant,
) -> Replies {
    let sent = commands.count();
    let request = connection.send_packed_bytes(commands.into_bytes(), sent);
    match tokio::time::timeout_at(deadline, request).await {
        Ok(Ok(replies)) if replies.len() == sent => Ok(replies),
        Ok(Ok(_)) => Err(BatchFailure::broken(
            "a request answered another number of replies than it sent commands",
        )),
        Ok(Err(source)) => Err(BatchFailure::from(source)),
        Err(_) => Err(BatchFailure::Timeout),
    }
}

/// The commands of `entries` in one buffer, in order, and where each entry's replies go. The only
/// entry's buffer is sent as it is.
fn joined(entries: Vec<Entry>) -> (Packed, Vec<(usize, oneshot::Sender<Replies>)>) {
    let mut answers = Vec::with_capacity(entries.len());
    let mut entries = entries.into_iter();
    let Some(first) = entries.next() else {
        return (Packed::default(), answers);
    };
    answers.push((first.commands.count(), first.reply));
    let rest = entries.as_slice();
    if rest.is_empty() {
        return (first.commands, answers);
    }
    let bytes = first.commands.len() + rest.iter().map(|entry| entry.commands.len()).sum::<usize>();
    let mut commands = Packed::with_capacity(bytes);
    commands.append(&first.commands);
    for entry in entries {
        commands.append(&entry.commands);
        answers.push((entry.commands.count(), entry.reply));
    }
    (commands, answers)
}

/// Sends the entries' commands as one request and answers each entry, failing them all at `deadline`.
async fn send_batch(connection: &mut ConnectionManager, entries: Vec<Entry>, deadline: Instant) {
    let (commands, answers) = joined(entries);
    if commands.is_empty() {
        return fail(answers, BatchFailure::broken("a batch of no commands"));
    }
    match send_packed(connection, commands, deadline).await {
        Ok(replies) => hand_out(replies, answers),
        Err(failure) => fail(answers, failure),
    }
}

/// Answers each entry with its replies, `replies` being as many as the entries' commands (as
/// `send_packed` checks). Each entry's are cut off the end, the last entry's first, and the first
/// entry keeps what is left: the request's own vector, so an entry alone in its batch gets it as it
/// came. A receiver gone (its task was cancelled) just drops its replies.
fn hand_out(mut replies: Vec<Value>, mut answers: Vec<(usize, oneshot::Sender<Replies>)>) {
    while let Some((count, reply)) = answers.pop() {
        let theirs = if answers.is_empty() {
            std::mem::take(&mut replies)
        } else {
            replies.split_off(replies.len().saturating_sub(count))
        };
        let _ = reply.send(Ok(theirs));
    }
}

/// Answers every entry of a batch with `failure`.
fn fail(answers: Vec<(usize, oneshot::Sender<Replies>)>, failure: BatchFailure) {
    for (_, reply) in answers {
        let _ = reply.send(Err(failure.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(deadline: Instant) -> (Entry, oneshot::Receiver<Replies>) {
        let (reply, answer) = oneshot::channel();
        let entry = Entry {
            commands: Packed::of(&[crate::store::cmd("PING")]),
            reply,
            deadline,
        };
        (entry, answer)
    }

    /// Each entry of a batch gets its own replies, in order; an entry alone gets the request's vector.
    #[test]
    fn a_batchs_replies_go_to_their_entries_in_order() {
        let int = Value::Int;
        let mut answers = Vec::new();
        let mut receivers = Vec::new();
        for count in [1, 2, 1] {
            let (reply, answer) = oneshot::channel();
            answers.push((count, reply));
            receivers.push(answer);
        }
        hand_out(vec![int(1), int(2), int(3), int(4)], answers);
        let got: Vec<Vec<Value>> = receivers
            .iter_mut()
            .map(|answer| match answer.try_recv() {
                Ok(Ok(replies)) => replies,
                other => panic!("no replies: {other:?}"),
            })
            .collect();
        assert_eq!(got, [vec![int(1)], vec![int(2), int(3)], vec![int(4)]]);

        let (reply, mut answer) = oneshot::channel();
        let replies = vec![int(5), int(6)];
        let request = replies.as_ptr();
        hand_out(replies, vec![(2, reply)]);
        let Ok(Ok(alone)) = answer.try_recv() else {
            panic!("no replies for an entry alone");
        };
        assert_eq!(alone, [int(5), int(6)]);
        assert_eq!(
            alone.as_ptr(),
            request,
            "the request's own vector, not a copy"
        );
    }

    #[test]
    fn an_idle_node_sends_a_recording_steps_commands_straight_and_a_busy_one_batches() {
        assert!(straight(0, 0));
        // A run's end sends five requests at once: all of them go straight, together.
        assert!((0..5).all(|waiting| straight(waiting, 0)));
        assert!(
            !straight(DIRECT, 0),
            "past the direct places, a command queues"
        );
        assert!(straight(DIRECT_BUSY - 1, 1));
        assert!(
            !straight(DIRECT_BUSY, 1),
            "while a batch waits, past the busy node's places, a command joins the next batch"
        );
    }

    /// Entries whose deadline passed while they waited for a batch fail at once; the batch of the
    /// others fails at the earliest of their deadlines.
    #[test]
    fn a_batch_keeps_its_entries_deadlines() {
        let now = Instant::now();
        let second = Duration::from_secs(1);
        let (late, mut late_answer) = entry(now - second);
        let (due_at_once, mut due_at_once_answer) = entry(now);
        let (sooner, _sooner_answer) = entry(now + second);
        let (later, _later_answer) = entry(now + 2 * second);
        let mut taken = vec![later, late, sooner, due_at_once];
        let (entries, deadline) = due_by(&mut taken, now).expect("two are still due");
        assert!(taken.is_empty());
        assert_eq!(entries.len(), 2);
        assert_eq!(deadline, now + second, "the earliest deadline left");
        for answer in [&mut late_answer, &mut due_at_once_answer] {
            assert!(matches!(answer.try_recv(), Ok(Err(BatchFailure::Timeout))));
        }
        let (late, _answer) = entry(now);
        assert!(
            due_by(&mut vec![late], now).is_none(),
            "nothing left to send"
        );
    }
}
