//! Group commit on one Redis: the commands many tasks send at about the same time (every connection's
//! jump checkpoint, the steps of runs being recorded, a script, a single command) go to Redis together,
//! as one request.
//!
//! A task queues its commands and waits for their replies; the batch task takes every queued entry at
//! once (up to [`MAX_ENTRIES`]), writes them as one request on its own connection (`socket`) and hands
//! each entry its own replies. The commands' bytes go into the queue's buffer as they are queued
//! (`gathered`), in chunks of a batch's entries, and a batch is sent from there. While [`IN_FLIGHT`]
//! batches wait for Redis, new entries queue, so batches grow with the load by themselves. Without a
//! window (`Store::open`'s) there is nothing to wait out: at light load an entry is written as soon as
//! the batch task sees it; the several requests of one step of a recording (a run's end, its index
//! entry, its live slot, the bests it is planned from) are queued in one poll and leave in one write.
//! A node sets a window (`--redis-batch-window-us`, 150 µs unless configured): while the node is busy
//! each batch then waits that long for more, trading latency for fewer writes (see [`drive`]).
//!
//! The batch task drives its socket itself, with no client library between: a request is its entries'
//! bytes one after another (`store::packed`), and the replies are decoded straight into the batch that
//! awaits them. redis-rs's multiplexed connection would add a channel message, a response slot and a
//! reply hand-over per request, about as much as the rest of a jump's checkpoint (BENCHMARKS.md, stop
//! 34). Pipelines and transactions are entries too (`Batcher::pipeline`), so every request on one Redis
//! shares the one connection.
//!
//! Nothing is atomic across entries, and one entry's refused command (a `WRONGTYPE` from a fence) is
//! that entry's answer only: a refusal comes back as that command's reply ([`Value::ServerError`]), as
//! a pipeline with `ignore_errors` answers. A failure of the connection (a timeout, an error, Redis
//! closing it) fails every batch waiting on it, as it would have failed each of them alone, and the
//! next batch connects again.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use redis::{Cmd, Pipeline, RedisFuture, Value};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::gathered::{Gathered, Span};
use super::packed::Packed;
use super::socket::{Dialer, Socket};

/// Entries one batch takes at most: bounds a request's size (a jump's checkpoint is about 100 bytes).
pub(crate) const MAX_ENTRIES: usize = 256;

/// Batches waiting for Redis at once. Two keep Redis busy while the node hands out one batch's replies
/// and gathers the next.
pub(crate) const IN_FLIGHT: usize = 2;

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

impl From<std::io::Error> for BatchFailure {
    fn from(error: std::io::Error) -> BatchFailure {
        BatchFailure::from(redis::RedisError::from(error))
    }
}

impl BatchFailure {
    fn broken(why: &'static str) -> BatchFailure {
        BatchFailure::Redis(redis::RedisError::from((redis::ErrorKind::Client, why)))
    }
}

/// A batch entry's replies, one per command, or why it has none.
pub(crate) type Replies = Result<Vec<Value>, BatchFailure>;

/// The replies to come of one batch entry ([`Batcher::send`]).
pub(crate) enum Answer {
    /// Queued: its replies come through this channel.
    Waiting(oneshot::Receiver<Replies>),
    /// Not queued (the batch task had stopped); taken by the first poll.
    Failed(Option<BatchFailure>),
}

impl Future for Answer {
    type Output = Replies;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Replies> {
        match self.get_mut() {
            Answer::Waiting(answer) => Pin::new(answer).poll(cx).map(|replies| {
                replies
                    .unwrap_or_else(|_| Err(BatchFailure::broken("a batch was dropped unanswered")))
            }),
            Answer::Failed(failure) => Poll::Ready(Err(failure.take().unwrap_or_else(|| {
                BatchFailure::broken("an answer was polled after it was given")
            }))),
        }
    }
}

/// One task's commands, where their replies go, and by when. The commands' bytes wait in the queue's
/// [`Gathered`] bytes.
struct Entry {
    /// Where the commands' bytes are.
    span: Span,
    /// How many commands: how many replies are the entry's.
    count: usize,
    reply: oneshot::Sender<Replies>,
    /// The batcher's timeout from when the entry was queued: it is answered by then, however long
    /// it waited for a batch. One timer per batch bounds every entry of it, instead of one per entry.
    deadline: Instant,
}

/// Locks the queue's bytes. Nothing that holds the lock can panic with the bytes half written (it only
/// copies bytes in and out), so a poisoned lock's bytes are whole.
fn lock(gathered: &Mutex<Gathered>) -> MutexGuard<'_, Gathered> {
    gathered.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The queue into the batch task, started on first use (from inside the runtime). Cheap to clone (one
/// reference count: the store clones its connection for every request).
#[derive(Clone)]
pub(crate) struct Batcher(Arc<Shared>);

/// What every clone of a [`Batcher`] shares.
struct Shared {
    queue: OnceLock<mpsc::UnboundedSender<Entry>>,
    /// The queued entries' bytes; the batch task takes them when it sends the entries.
    gathered: Arc<Mutex<Gathered>>,
    dialer: Arc<Dialer>,
    timeout: Duration,
    window: Duration,
    sizes: prometheus::Histogram,
    opened: prometheus::IntCounter,
}

impl Batcher {
    /// A batcher connecting with `dialer` (one Redis), each batch failing after `timeout` and held up
    /// to `window` for more entries (zero: sent at once; see [`drive`]); `sizes` observes the entries
    /// of each batch sent, `opened` counts the connections made.
    pub(crate) fn new(
        dialer: Dialer,
        timeout: Duration,
        window: Duration,
        sizes: prometheus::Histogram,
        opened: prometheus::IntCounter,
    ) -> Batcher {
        Batcher(Arc::new(Shared {
            queue: OnceLock::new(),
            gathered: Arc::new(Mutex::new(Gathered::new(MAX_ENTRIES))),
            dialer: Arc::new(dialer),
            timeout,
            window,
            sizes,
            opened,
        }))
    }

    /// The database the connection selects (its URL's).
    pub(crate) fn db(&self) -> i64 {
        self.0.dialer.db()
    }

    /// Sends `commands` (non-empty, written in the protocol) with whatever other entries are queued,
    /// and returns one reply per command; a command Redis refused replies [`Value::ServerError`].
    ///
    /// Answers within the timeout from `now`, the caller's reading of the clock as it calls (one
    /// reading per checkpoint for its latency and its deadline), the wait for a batch included: the
    /// batch task keeps the entry's deadline (see [`drive`]), so it costs no timer of its own.
    ///
    /// The entry is queued now, and the future waits only for its replies: not an `async fn`, whose
    /// state would be one more level that each jump's checkpoint reads when its replies come (from
    /// memory, on a busy node).
    pub(crate) fn send(&self, commands: Packed, now: std::time::Instant) -> Answer {
        self.queue(commands, Instant::from_std(now) + self.0.timeout)
    }

    /// Queues `commands` for the next batch, answered by `deadline`: the future of their replies.
    fn queue(&self, commands: Packed, deadline: Instant) -> Answer {
        let queue = self.0.queue.get_or_init(|| self.start());
        let (reply, answer) = oneshot::channel();
        // Under the lock, the entries go into the channel in the order of their bytes.
        let mut gathered = lock(&self.0.gathered);
        let entry = Entry {
            span: gathered.push(commands.as_bytes()),
            count: commands.count(),
            reply,
            deadline,
        };
        // The queue is unbounded, but each entry's task waits for its answer: there are never more
        // entries than tasks sending them (a connection sends one checkpoint at a time). Should the
        // batch task have stopped, the entry's bytes stay unsent, as a timed-out entry's do.
        let answer = match queue.send(entry) {
            Ok(()) => Answer::Waiting(answer),
            Err(_) => Answer::Failed(Some(BatchFailure::broken("the batch task has stopped"))),
        };
        drop(gathered);
        commands.recycle();
        answer
    }

    /// One command as an entry of its own, for redis-rs's `ConnectionLike`: its reply (a refusal is a
    /// [`Value::ServerError`], which redis-rs makes the command's error).
    pub(crate) fn command<'a>(&'a self, command: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let mut replies = self
                .request(Packed::of(std::slice::from_ref(command)))
                .await?;
            Ok(replies.pop().unwrap_or(Value::Nil))
        })
    }

    /// A pipeline (a `MULTI` transaction if atomic) as an entry of its own, for redis-rs's
    /// `ConnectionLike`: the `count` replies from `offset` on, as redis-rs's connection answers it. A
    /// transaction one of whose commands Redis refused to queue fails with that refusal.
    pub(crate) fn pipeline<'a>(
        &'a self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let commands = pipeline.len() + if pipeline.is_transaction() { 2 } else { 0 };
            let packed = Packed::written(pipeline.get_packed_pipeline(), commands);
            let replies = self.request(packed).await?;
            pipeline_replies(replies, pipeline.is_transaction(), offset, count)
        })
    }

    /// `commands` as an entry of their own, answered within the timeout from now, failing as redis-rs
    /// fails a request: a batch's timeout is an I/O timeout (`RedisError::is_timeout`).
    async fn request(&self, commands: Packed) -> redis::RedisResult<Vec<Value>> {
        match self.queue(commands, Instant::now() + self.0.timeout).await {
            Ok(replies) => Ok(replies),
            Err(BatchFailure::Redis(error)) => Err(error),
            Err(BatchFailure::Timeout) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no answer from Redis within the timeout",
            )
            .into()),
        }
    }

    /// Starts the batch task, run again on the same queue should it panic (a bug): the batches it
    /// held fail as dropped, the entries queued behind them are sent.
    fn start(&self) -> mpsc::UnboundedSender<Entry> {
        let (queue, entries) = mpsc::unbounded_channel();
        let (dialer, window) = (self.0.dialer.clone(), self.0.window);
        let (sizes, opened) = (self.0.sizes.clone(), self.0.opened.clone());
        let gathered = self.0.gathered.clone();
        crate::restarting::spawn("the group commit", entries, move |entries| {
            Box::pin(drive(
                entries,
                gathered.clone(),
                dialer.clone(),
                window,
                sizes.clone(),
                opened.clone(),
            ))
        });
        queue
    }
}

/// The `count` replies from `offset` on of a pipeline's `replies` (one per command sent), as redis-rs's
/// connection answers a pipeline: for a transaction, `MULTI`'s reply, then each command's `QUEUED`,
/// then `EXEC`'s, and a command Redis refused to queue fails the transaction with its refusal.
fn pipeline_replies(
    mut replies: Vec<Value>,
    transaction: bool,
    offset: usize,
    count: usize,
) -> redis::RedisResult<Vec<Value>> {
    if transaction {
        let refused = replies.iter().take(offset).find_map(|reply| match reply {
            Value::ServerError(error) => Some(error.clone()),
            _ => None,
        });
        if let Some(error) = refused {
            return Err(error.into());
        }
    }
    match offset.checked_add(count) {
        Some(end) if end <= replies.len() => Ok(replies.drain(offset..end).collect()),
        _ => Err(redis::RedisError::from((
            redis::ErrorKind::Client,
            "a pipeline was answered fewer replies than it sent commands",
        ))),
    }
}

/// A batch written to Redis: where its replies go, those come so far, and by when all must have come.
struct InFlight {
    answers: Vec<(usize, oneshot::Sender<Replies>)>,
    replies: Vec<Value>,
    /// The replies the batch awaits in all (its commands).
    expected: usize,
    deadline: Instant,
}

/// The batch task: takes every queued entry while fewer than [`IN_FLIGHT`] batches wait for Redis,
/// writes them as one request, and hands each batch's replies out as they are read. Connects (again)
/// when a batch is to be written and there is no connection. Ends when every [`Batcher`] is gone and
/// every batch has its answer.
///
/// With a `window`, while the connection is busy (over 1,000 takes a second: [`Pace`]) and entries
/// come within the window of each other, the first entry taken for a batch holds it that long while
/// more are taken, unless it fills: fewer, larger
/// writes, so fewer wake-ups and system calls for the node and Redis per request, for about that much
/// more latency per request. The batch goes at the first wake-up of the task (an entry, a reply) past
/// the window, or at the runtime's timer (1 ms ticks, so up to 2 ms late) if nothing comes. At light
/// load every batch goes at once. Zero sends each batch as soon as it is taken.
///
/// Every entry is answered by its deadline: one whose deadline passed while it waited for a batch
/// fails at once, and a batch fails at the earliest deadline of its entries, with every batch behind
/// it on the connection (Redis answers in order), which is then closed.
async fn drive(
    queue: &mut mpsc::UnboundedReceiver<Entry>,
    gathered: Arc<Mutex<Gathered>>,
    dialer: Arc<Dialer>,
    window: Duration,
    sizes: prometheus::Histogram,
    opened: prometheus::IntCounter,
) {
    let mut sending = Sending {
        gathered,
        socket: None,
        in_flight: VecDeque::with_capacity(IN_FLIGHT),
        dialer,
        sizes,
        opened,
    };
    let mut taken = Vec::new();
    let mut open = true;
    // The earliest deadline of the batches in flight; reset only when that changes.
    let timer = tokio::time::sleep_until(Instant::now());
    tokio::pin!(timer);
    let mut timer_at = None;
    // When the batch being gathered (with a window) is to be sent.
    let held = tokio::time::sleep_until(Instant::now());
    tokio::pin!(held);
    let mut held_until: Option<Instant> = None;
    // How busy the connection is: whether a held batch would gather others.
    let mut pace = Pace::new(Instant::now());
    while open || !sending.in_flight.is_empty() || !taken.is_empty() {
        // A held batch whose time came goes when the task next wakes (an entry or a reply), which
        // at load comes well before the runtime's 1 ms timer does.
        if let Some(until) = held_until
            && sending.in_flight.len() < IN_FLIGHT
            && Instant::now() >= until
        {
            held_until = None;
            sending.send(&mut taken).await;
        }
        let earliest = sending.in_flight.iter().map(|batch| batch.deadline).min();
        if earliest != timer_at {
            if let Some(deadline) = earliest {
                timer.as_mut().reset(deadline);
            }
            timer_at = earliest;
        }
        let room = sending.in_flight.len() < IN_FLIGHT;
        let space = MAX_ENTRIES - taken.len();
        tokio::select! {
            biased;
            // Read while idle too: Redis closing an idle connection is seen at once, and the next
            // batch connects again instead of failing on the closed one.
            read = fill(&mut sending.socket) => {
                let handed = read.map_err(BatchFailure::from).and_then(|()| {
                    hand_out_read(sending.socket.as_mut(), &mut sending.in_flight)
                });
                if let Err(failure) = handed {
                    sending.socket = None;
                    fail_all(&mut sending.in_flight, failure);
                }
            }
            () = &mut timer, if timer_at.is_some() => {
                sending.socket = None;
                fail_all(&mut sending.in_flight, BatchFailure::Timeout);
            }
            () = &mut held, if held_until.is_some() && room => {
                held_until = None;
                sending.send(&mut taken).await;
            }
            count = queue.recv_many(&mut taken, space), if open && room && space > 0 =>
            {
                if count == 0 {
                    open = false;
                    // What is held goes now.
                    if held_until.is_some() {
                        held_until = None;
                        sending.send(&mut taken).await;
                    }
                    continue;
                }
                if window.is_zero() {
                    sending.send(&mut taken).await;
                    continue;
                }
                // At light load, or after a lull, a request goes at once, as with no window.
                let now = Instant::now();
                let dense = pace.took(now, window);
                if held_until.is_some() && taken.len() < MAX_ENTRIES {
                    // Held already: it goes when its time comes.
                } else if dense && taken.len() < MAX_ENTRIES {
                    let until = now + window;
                    held.as_mut().reset(until);
                    held_until = Some(until);
                } else {
                    held_until = None;
                    sending.send(&mut taken).await;
                }
            }
        }
    }
}

/// How often the batch task takes entries, counted per [`Pace::PERIOD`], and when it last did: whether
/// holding a batch for the window would gather others. A recording's steps follow each other's
/// replies within microseconds, so the gap to the last request alone would call a lone player's
/// recording busy and hold each of its steps for nothing; the count alone would hold the first
/// request after a lull.
struct Pace {
    period_start: Instant,
    takes: u32,
    busy: bool,
    last: Instant,
}

impl Pace {
    /// The period takes are counted over.
    const PERIOD: Duration = Duration::from_millis(10);
    /// Takes in a period that make the next one busy: 1,000 a second, at which a batch held for the
    /// runtime's 1 ms timer gathers one or two others on average.
    const BUSY_TAKES: u32 = 10;

    fn new(now: Instant) -> Pace {
        Pace {
            period_start: now,
            takes: 0,
            busy: false,
            last: now,
        }
    }

    /// Counts a take at `now`; true to hold its batch for `window`: the connection was busy over the
    /// last whole period, and this take came within `window` of the one before.
    fn took(&mut self, now: Instant, window: Duration) -> bool {
        let elapsed = now.saturating_duration_since(self.period_start);
        if elapsed >= Self::PERIOD {
            // A period with no take at all in it counts as idle, however busy the one before.
            self.busy = elapsed < Self::PERIOD * 2 && self.takes >= Self::BUSY_TAKES;
            self.period_start = now;
            self.takes = 0;
        }
        self.takes += 1;
        let close = now.saturating_duration_since(self.last) < window;
        self.last = now;
        self.busy && close
    }
}

/// The batch task's side of the connection: the socket, the batches written on it that wait for
/// their replies, and what a write needs.
struct Sending {
    gathered: Arc<Mutex<Gathered>>,
    socket: Option<Socket>,
    in_flight: VecDeque<InFlight>,
    dialer: Arc<Dialer>,
    sizes: prometheus::Histogram,
    opened: prometheus::IntCounter,
}

impl Sending {
    /// Writes the entries `taken` (leaving it empty) as one batch, or answers them at once: those
    /// past their deadline with a timeout, those of no commands with no replies. A failed write fails
    /// this batch and every one in flight, and drops the connection.
    async fn send(&mut self, taken: &mut Vec<Entry>) {
        let Some(deadline) = due_by(taken, Instant::now()) else {
            return;
        };
        self.sizes.observe(taken.len() as f64);
        let spans: Vec<Span> = taken.iter().map(|entry| entry.span).collect();
        let count = taken.iter().map(|entry| entry.count).sum();
        let bytes = lock(&self.gathered).take(&spans);
        let answers: Vec<_> = taken
            .drain(..)
            .map(|entry| (entry.count, entry.reply))
            .collect();
        let Some(commands) = bytes.map(|bytes| Packed::written(bytes, count)) else {
            fail(
                answers,
                BatchFailure::broken("a batch's commands were not queued"),
            );
            return;
        };
        let expected = commands.count();
        if expected == 0 {
            // Entries of no commands (an empty pipeline): nothing to send or await.
            hand_out(Vec::new(), answers);
            return;
        }
        let batch = InFlight {
            answers,
            replies: Vec::with_capacity(expected),
            expected,
            deadline,
        };
        let written = write(&mut self.socket, &self.dialer, &self.opened, &commands);
        let written = tokio::time::timeout_at(deadline, written).await;
        lock(&self.gathered).give_back(commands.into_bytes());
        match written {
            Ok(Ok(())) => self.in_flight.push_back(batch),
            failed => {
                let failure = match failed {
                    Ok(Err(error)) => BatchFailure::from(error),
                    _ => BatchFailure::Timeout,
                };
                self.socket = None;
                fail_all(&mut self.in_flight, failure.clone());
                fail(batch.answers, failure);
            }
        }
    }
}

/// Writes `commands` on the connection, connecting first (counted in `opened`) if there is none.
async fn write(
    socket: &mut Option<Socket>,
    dialer: &Dialer,
    opened: &prometheus::IntCounter,
    commands: &Packed,
) -> redis::RedisResult<()> {
    let connected = match socket {
        Some(socket) => socket,
        None => {
            let made = dialer.dial().await?;
            opened.inc();
            socket.insert(made)
        }
    };
    Ok(connected.write(commands).await?)
}

/// Reads more of the replies (pending forever without a connection: the batches' timer ends them).
async fn fill(socket: &mut Option<Socket>) -> std::io::Result<()> {
    match socket {
        Some(socket) => socket.fill().await,
        None => std::future::pending().await,
    }
}

/// Decodes every whole reply read into the batches that await them, oldest first, and answers each
/// batch whose replies have all come.
fn hand_out_read(
    socket: Option<&mut Socket>,
    in_flight: &mut VecDeque<InFlight>,
) -> Result<(), BatchFailure> {
    let Some(socket) = socket else {
        return Ok(());
    };
    while let Some(batch) = in_flight.front_mut() {
        let Some(reply) = socket.decoded()? else {
            return Ok(());
        };
        batch.replies.push(reply);
        if batch.replies.len() == batch.expected {
            let done = in_flight.pop_front();
            if let Some(done) = done {
                hand_out(done.replies, done.answers);
            }
        }
    }
    if socket.decoded()?.is_some() {
        return Err(BatchFailure::broken("Redis sent a reply no request awaits"));
    }
    Ok(())
}

/// Answers every entry of every batch in flight with `failure`.
fn fail_all(in_flight: &mut VecDeque<InFlight>, failure: BatchFailure) {
    for batch in in_flight.drain(..) {
        fail(batch.answers, failure.clone());
    }
}

/// The earliest deadline of the entries of `taken` that are still due, which are left there; those
/// whose deadline is past `now` are taken out and fail with [`BatchFailure::Timeout`]. `None` if
/// none is left.
fn due_by(taken: &mut Vec<Entry>, now: Instant) -> Option<Instant> {
    for late in taken.extract_if(.., |entry| entry.deadline <= now) {
        let _ = late.reply.send(Err(BatchFailure::Timeout));
    }
    taken.iter().map(|entry| entry.deadline).min()
}

/// Answers each entry with its replies, `replies` being as many as the entries' commands (the batch
/// task hands a batch out once it has read that many). Each entry's are cut off the end, the last entry's first, and the first
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

    /// A window wider than any gap below: only how busy the connection is decides.
    const WIDE: Duration = Duration::from_secs(1);

    /// Takes `count` entries at even intervals over `span` from `start`; whether the last was held.
    fn take_evenly(pace: &mut Pace, start: Instant, span: Duration, count: u32) -> bool {
        let mut busy = false;
        for i in 0..count {
            busy = pace.took(start + span * i / count, WIDE);
        }
        busy
    }

    #[test]
    fn a_batch_is_held_only_while_the_connection_is_busy() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        // A lone player's recording: five steps in a row, microseconds apart, then nothing for a while.
        assert!(!take_evenly(&mut pace, start, Duration::from_millis(1), 5));
        let later = start + Duration::from_millis(50);
        assert!(!take_evenly(&mut pace, later, Duration::from_millis(1), 5));
        // 2,000 takes a second: busy from the second period on.
        let busy_from = start + Duration::from_millis(100);
        let first = take_evenly(&mut pace, busy_from, Pace::PERIOD, 20);
        assert!(!first, "a period's takes count for the next one");
        assert!(take_evenly(
            &mut pace,
            busy_from + Pace::PERIOD,
            Pace::PERIOD,
            20
        ));
        // Busy, but a take after a gap longer than the window: not held.
        let gap = busy_from + Pace::PERIOD * 2 + Duration::from_micros(500);
        assert!(!pace.took(gap, Duration::from_micros(150)));
        // A pause longer than a period: idle again at once.
        let after_pause = busy_from + Pace::PERIOD * 5;
        assert!(!pace.took(after_pause, WIDE));
        // 500 takes a second: never busy.
        let slow = after_pause + Duration::from_millis(100);
        assert!(!take_evenly(&mut pace, slow, Pace::PERIOD * 4, 20));
    }

    fn entry(deadline: Instant) -> (Entry, oneshot::Receiver<Replies>) {
        let (reply, answer) = oneshot::channel();
        let entry = Entry {
            span: Span { start: 0, len: 0 },
            count: 1,
            reply,
            deadline,
        };
        (entry, answer)
    }

    /// The store clones its connection for every request, so a batcher is one shared pointer: a
    /// dialer held by value (its host and greeting) cost two allocations per request, and about 10%
    /// more CPU per jump at 1,000 players (BENCHMARKS.md, stop 34).
    #[test]
    fn a_batcher_clones_as_one_reference_count() {
        assert_eq!(std::mem::size_of::<Batcher>(), std::mem::size_of::<usize>());
    }

    /// A pipeline gets the replies redis-rs's connection would give it: a plain one all of them, a
    /// transaction `EXEC`'s, or the refusal of a command Redis would not queue.
    #[test]
    fn a_pipelines_replies_are_those_redis_rs_would_answer() {
        let int = Value::Int;
        let queued = || Value::SimpleString("QUEUED".into());
        let refusal = || match redis::parse_redis_value(b"-ERR wrong number of arguments\r\n") {
            Ok(refusal @ Value::ServerError(_)) => refusal,
            other => panic!("not a refusal: {other:?}"),
        };
        assert_eq!(
            pipeline_replies(vec![int(1), refusal(), int(3)], false, 0, 3).expect("replies"),
            [int(1), refusal(), int(3)],
            "a plain pipeline's refusal is that command's reply"
        );
        let exec = Value::Array(vec![int(1), int(2)]);
        let transaction = vec![Value::Okay, queued(), queued(), exec.clone()];
        assert_eq!(
            pipeline_replies(transaction, true, 3, 1).expect("EXEC's reply"),
            [exec]
        );
        let refused = vec![Value::Okay, queued(), refusal(), refusal()];
        let error = pipeline_replies(refused, true, 3, 1).expect_err("a refused transaction");
        assert!(
            error.to_string().contains("wrong number of arguments"),
            "{error}"
        );
        assert!(
            pipeline_replies(vec![int(1)], false, 0, 2).is_err(),
            "too few replies"
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
        let deadline = due_by(&mut taken, now).expect("two are still due");
        assert_eq!(taken.len(), 2);
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
