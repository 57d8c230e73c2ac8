//! The last step of a run's recording, taken a moment later for many runs at once: each run's record is
//! flagged recorded (its keys then kept only the settled retention) and its entry leaves the index of
//! unsettled runs.
//!
//! Nothing waits on that step. A run is recorded once its boards, replay and notifications are
//! written; the flag and the index entry only spare a sweeper from recording it again. So the node
//! answers the run's player without waiting for them, and the [`Settler`] sends the flags of the runs
//! recorded within [`WINDOW`] together: one Redis round trip for all of them, where each run paid one
//! of its own.
//!
//! Nothing is lost if a flag never comes (this node dies, Redis fails, the queue is full): the run stays
//! ended and listed, and a sweeper records it again after the settle grace, which changes nothing
//! (recording is idempotent: see `results`). A flag that fails lists the run again as due now, as the
//! recording did when it flagged the run itself. On shutdown the server waits for the queued flags
//! within the drain timeout.

use std::sync::Arc;
use std::time::Duration;

use prometheus::IntGauge;
use protocol::RunId;
use tokio::sync::mpsc;

use super::{checkpoint, index};
use crate::clock::unix_ms;
use crate::error_chain::ErrorChain;
use crate::metrics::Metrics;
use crate::shutdown::{InFlight, InFlightGuard};
use crate::store::Store;

/// How long the first flag of a batch waits for others. Far below the settle grace (seconds), after
/// which a sweeper would record an unflagged run again.
pub(crate) const WINDOW: Duration = Duration::from_millis(25);

/// Most runs flagged in one batch.
const MAX_BATCH: usize = 512;

/// Runs waiting for their flag, past which a recording flags its run itself before answering.
const CAPACITY: usize = 8_192;

/// The queue of recorded runs to flag. Cheap to clone: every clone feeds the same worker.
#[derive(Clone)]
pub struct Settler {
    sender: mpsc::Sender<(RunId, InFlightGuard)>,
    in_flight: Arc<InFlight>,
    store: Store,
    ttl: Duration,
    /// Marks queued and not sent yet (`leapfrog_run_marks_pending`).
    queued: IntGauge,
}

impl Settler {
    /// Starts the worker on the current runtime. `ttl` is how long a flagged run's keys are kept
    /// (the settled retention); `metrics` counts the marks waiting.
    pub fn start(store: Store, ttl: Duration, metrics: &Metrics) -> Settler {
        let (sender, receiver) = mpsc::channel(CAPACITY);
        let queued = metrics.run_marks_pending.clone();
        let (worker_store, worker_queued) = (store.clone(), queued.clone());
        crate::restarting::spawn("the settled runs' flags", receiver, move |receiver| {
            Box::pin(work(
                receiver,
                worker_store.clone(),
                ttl,
                worker_queued.clone(),
            ))
        });
        Settler {
            sender,
            in_flight: Arc::new(InFlight::default()),
            store,
            ttl,
            queued,
        }
    }

    /// Flags `run` recorded and drops it from the index: queued for the next batch, or, with the queue
    /// full, now.
    pub async fn settle(&self, run: RunId) {
        let guard = self.in_flight.enter();
        // Counted before it is queued: the worker counts it out.
        self.queued.inc();
        if let Err(refused) = self.sender.try_send((run, guard)) {
            self.queued.dec();
            let (run, guard) = refused.into_inner();
            settle(&self.store, run, self.ttl).await;
            drop(guard);
        }
    }

    /// Waits until every queued run is flagged, or `timeout` passes. Returns how many are left (a
    /// sweeper records those again).
    pub async fn drain(&self, timeout: Duration) -> usize {
        self.in_flight.drained(timeout).await
    }
}

/// Takes the queue a batch at a time: the first run, then whatever else came within [`WINDOW`].
async fn work(
    receiver: &mut mpsc::Receiver<(RunId, InFlightGuard)>,
    store: Store,
    ttl: Duration,
    queued: IntGauge,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if batch.len() < MAX_BATCH {
            tokio::time::sleep(WINDOW).await;
            while batch.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(queued) => batch.push(queued),
                    Err(_) => break,
                }
            }
        }
        // Every request made in one poll: the group commit sends them in one write.
        futures_util::future::join_all(batch.drain(..).map(|(run, guard)| {
            let (store, queued) = (&store, &queued);
            async move {
                settle(store, run, ttl).await;
                queued.dec();
                drop(guard);
            }
        }))
        .await;
    }
}

/// Flags `run` recorded and drops its index entry, at once; if the flag fails, lists the run as due
/// now, so a sweeper records it again soon.
///
/// The flag and the index entry's removal go together (one round trip instead of two). Every change
/// the run makes is written by now (each step idempotent); only the flag may not be (a timeout can
/// hide a write Redis applied). So the result stands, and a run whose flag failed is listed again,
/// due at once: a sweeper records it again, which changes nothing but the flag. (Should that fail
/// too, the run keeps its ended TTL unflagged; nothing it wrote is lost.) The other way, a flag
/// applied behind a timeout would leave a sweeper finding the run recorded and its player never told.
pub(crate) async fn settle(store: &Store, run: RunId, ttl: Duration) {
    let (marked, settled) = tokio::join!(
        checkpoint::mark_recorded(store, run, ttl),
        index::settle(store, run),
    );
    if let Err(error) = marked {
        tracing::debug!(error = %ErrorChain(&error), %run, "marking a run recorded failed; a sweeper marks it");
        if let Err(error) = index::schedule(store, run, unix_ms()).await {
            tracing::debug!(error = %ErrorChain(&error), %run, "a run whose flag failed is not listed again");
        }
    } else if let Err(error) = settled {
        tracing::debug!(error = %ErrorChain(&error), %run, "a recorded run stays in the index until swept");
    }
}
