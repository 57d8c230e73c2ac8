//! A live jump's checkpoint: the write of its entry to the live log of the epoch its connection
//! drives, and what the write's replies say about it.
//!
//! The write's future ([`WriteJumps`]) is written by hand: as an `async` block it would be one more
//! state machine nested in every jump's handling, whose state each jump reads back when its replies
//! come (a line from memory on a busy node; BENCHMARKS.md, stop 42). What only a write that went wrong
//! does (a repair, a read of the run's state) is a boxed future of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};
use std::time::Duration;

use game_logic::Jump;
use protocol::RunId;
use redis::Script;

use super::checkpoint::{Appended, LiveLog, ttl_seconds};
use super::input_log::{self, LIVE_ENTRY_BYTES};
use crate::store::{self, Batched, Op, Store, StoreError, keys};

static REPAIR_LOG: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("repair_log.lua")));

/// A live write of jumps by the connection driving the run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JumpWrite<'d> {
    /// Jumps already in the log: the new ones go right after them.
    pub(crate) recorded: usize,
    /// The writing connection's driver token.
    pub(crate) driver: &'d str,
    /// The live log of the epoch it drives the run at.
    pub(crate) live_log: &'d LiveLog,
    /// Unix ms now: when the jumps came.
    pub(crate) now_ms: u64,
    /// Set on the first write of a drive and then every quarter of the live TTL: keep both keys this
    /// long from now, and read the run's state back. Between two such writes a fence on the live log
    /// stands in for the read (see [`write_jumps`]), for at most a quarter of the TTL it lives.
    pub(crate) refresh_ttl: Option<Duration>,
}

/// A run's `state`, `driver` and `epoch` fields, as a write reads them back.
type DriveState = (Option<String>, Option<String>, Option<String>);

/// What a write that went wrong does next: a repair, or a read of the run's state.
type Following<'a> = Pin<Box<dyn Future<Output = Result<Appended, StoreError>> + Send + 'a>>;

/// Writes `jumps` after the first `write.recorded` of the run's live log: one `APPEND` of their entries
/// (record and time each), no script. `Done` means Redis holds the jumps in the log of the epoch this
/// connection still drives, at their place: durable as far as Redis is, and read by any node that
/// resumes the run.
///
/// The `APPEND`'s answer, the log's length after it, checks the place: a log of another length is
/// repaired (`repair_log.lua`) to what a write at the jumps' offset would have left. Longer (a retried
/// request applied twice, or a late append of this same driver) and the jumps are recorded; shorter
/// (Redis lost acknowledged writes) and the log is cut back to what Redis held and the write refused, so
/// the driver reloads it.
///
/// Whoever ends the drive (a takeover, or a sweeper ending the idle run) replaces the epoch's live log
/// by a small hash, its fence, in the same script: a later write then fails with `WRONGTYPE` and changes
/// nothing, so the write is refused without reading the run's meta (one command per jump). The fence
/// lives the live TTL; a write reads the meta back anyway at least every quarter of it (`refresh_ttl`),
/// so no write can outlast its fence unchecked.
///
/// The request is queued now; the future waits for its replies.
pub(crate) fn write_jumps<'a>(
    store: &'a Store,
    run: RunId,
    jumps: &'a [Jump],
    write: JumpWrite<'a>,
) -> WriteJumps<'a> {
    let live = write.live_log.key.as_str();
    let appended = jumps.len() * LIVE_ENTRY_BYTES;
    // The entries are written straight into the request (on one Redis, in the protocol).
    let mut commands = store.commands(4);
    commands.push_args(&[b"APPEND", live.as_bytes()], appended, |entries| {
        input_log::encode_live_into(jumps, write.now_ms, entries)
    });
    if let Some(ttl) = write.refresh_ttl {
        let meta = keys::run_meta(&run);
        let mut read_drive = store::cmd("HMGET");
        read_drive.arg(&meta).arg(&["state", "driver", "epoch"]);
        // `GT` on the meta: a stale refresh never shortens an ended run's longer life.
        let mut expire_meta = store::cmd("EXPIRE");
        expire_meta.arg(&meta).arg(ttl_seconds(ttl)).arg("GT");
        commands.push(read_drive);
        commands.push(expire_meta);
        commands.push(redis::Cmd::expire(live, ttl_seconds(ttl)));
    }
    // Group-committed with the other connections' checkpoints: one request to one Redis.
    WriteJumps {
        store,
        run,
        jumps,
        write,
        step: Step::Sent(store.query_batched(Op::RunWriteJumps, commands)),
    }
}

/// The answer to come of [`write_jumps`].
pub(crate) struct WriteJumps<'a> {
    store: &'a Store,
    run: RunId,
    jumps: &'a [Jump],
    write: JumpWrite<'a>,
    step: Step<'a>,
}

/// Where a [`WriteJumps`] is.
enum Step<'a> {
    /// Waiting for the request's replies.
    Sent(Batched<'a>),
    /// Repairing the log or reading the run's state.
    Following(Following<'a>),
}

impl Future for WriteJumps<'_> {
    type Output = Result<Appended, StoreError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match &mut this.step {
                Step::Sent(batched) => {
                    let replies = std::task::ready!(Pin::new(batched).poll(cx));
                    match written(this.store, this.run, this.jumps, this.write, replies) {
                        Ok(Written::Answer(appended)) => return Poll::Ready(Ok(appended)),
                        Ok(Written::Following(following)) => {
                            this.step = Step::Following(following);
                        }
                        Err(error) => return Poll::Ready(Err(error)),
                    }
                }
                Step::Following(following) => return following.as_mut().poll(cx),
            }
        }
    }
}

/// What a write's replies say: its answer, or what must be done first.
enum Written<'a> {
    Answer(Appended),
    Following(Following<'a>),
}

/// Reads the replies of a write of `jumps`: the log's length after the append, and with the state read
/// back the state (then the two `EXPIRE`s).
fn written<'a>(
    store: &'a Store,
    run: RunId,
    jumps: &'a [Jump],
    write: JumpWrite<'a>,
    replies: Result<Vec<redis::Value>, StoreError>,
) -> Result<Written<'a>, StoreError> {
    // What only a write that went wrong does is boxed (here and below): the common write's future is
    // part of every jump's handling, and each of these is hundreds of bytes.
    let Some(replies) = store.refused_unless(Op::RunWriteJumps, replies?, "WRONGTYPE")? else {
        return Ok(Written::Following(Box::pin(async move {
            fenced(store, &keys::run_meta(&run), &write).await
        })));
    };
    let mut replies = replies.into_iter();
    let mut next = || replies.next().unwrap_or(redis::Value::Nil);
    let after: usize = store::decode(Op::RunWriteJumps, next())?;
    let drive: Option<DriveState> = match write.refresh_ttl {
        Some(_) => Some(store::decode(Op::RunWriteJumps, next())?),
        None => None,
    };
    if let Some(refused) = drive.and_then(|drive| driving(&drive, &write)) {
        // The write went to a log no one reads any more (and may have created it, without a TTL: its
        // fence had gone).
        return Ok(Written::Following(Box::pin(async move {
            let live = write.live_log.key.as_str();
            let _ = store
                .query::<()>(Op::RunDropStaleLog, store::cmd("DEL").arg(live))
                .await;
            Ok(refused)
        })));
    }
    let before = write.recorded * LIVE_ENTRY_BYTES;
    if after == before + jumps.len() * LIVE_ENTRY_BYTES {
        return Ok(Written::Answer(Appended::Done));
    }
    Ok(Written::Following(Box::pin(repair(
        store, run, jumps, write, before,
    ))))
}

/// Writes `jumps` at `before` bytes into the live log, whose length said the append did not land where
/// it should (Redis lost acknowledged writes, or this write was applied twice).
async fn repair(
    store: &Store,
    run: RunId,
    jumps: &[Jump],
    write: JumpWrite<'_>,
    before: usize,
) -> Result<Appended, StoreError> {
    let live = write.live_log.key.as_str();
    let entries = input_log::encode_live(jumps, write.now_ms);
    let mut invocation = REPAIR_LOG.prepare_invoke();
    invocation
        .key(keys::run_meta(&run))
        .key(live)
        .arg(write.live_log.epoch)
        .arg(before)
        .arg(entries.as_slice());
    let (status, length): (u8, usize) = store.run_script(Op::RunRepairLog, &invocation).await?;
    match status {
        1 => Ok(Appended::Done),
        2 => Ok(Appended::OutOfSequence {
            jumps: length / LIVE_ENTRY_BYTES,
        }),
        _ => fenced(store, &keys::run_meta(&run), &write).await,
    }
}

/// Why the write's connection no longer drives the active run at its epoch, if it does not.
fn driving((state, driver, epoch): &DriveState, write: &JumpWrite<'_>) -> Option<Appended> {
    let drives = driver.as_deref() == Some(write.driver)
        && epoch.as_deref().and_then(|epoch| epoch.parse().ok()) == Some(write.live_log.epoch);
    if state.as_deref() != Some("active") {
        Some(Appended::NotActive)
    } else if !drives {
        Some(Appended::NotDriver)
    } else {
        None
    }
}

/// The answer to a write its live log's fence refused: the run's meta says whether it ended or another
/// connection drives it now.
async fn fenced(store: &Store, meta: &str, write: &JumpWrite<'_>) -> Result<Appended, StoreError> {
    let drive: DriveState = store
        .query(
            Op::RunReadDrive,
            store::cmd("HMGET")
                .arg(meta)
                .arg(&["state", "driver", "epoch"]),
        )
        .await?;
    // The fence goes up in the script that changes the meta, so the meta says which. Should it still
    // name this driver (it cannot), the fenced log is no place to write either way.
    Ok(driving(&drive, write).unwrap_or(Appended::NotDriver))
}
