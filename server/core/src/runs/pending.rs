//! The node's quick retry of results Redis could not take at once.
//!
//! A finished run whose recording fails (a Redis blip) is queued here; one worker retries it with
//! exponential backoff until it succeeds, then pushes the report to the player wherever they are
//! connected. This queue is only the fast path: the run is ended in Redis and listed in the index of
//! unsettled runs before the client hears of its end, so if this node dies, or the queue is full, any
//! node's sweeper records it. On shutdown the server waits for the queue within the drain timeout and
//! says how many results it left to the sweepers.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::finished::FinishedRun;
use super::results::ResultRecorder;
use crate::error_chain::ErrorChain;
use crate::metrics::Metrics;
use crate::shutdown::{InFlight, InFlightGuard};

const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The sending side, cloned into every connection.
#[derive(Clone)]
pub struct PendingResults {
    sender: mpsc::Sender<(FinishedRun, InFlightGuard)>,
    in_flight: Arc<InFlight>,
    metrics: Arc<Metrics>,
}

impl PendingResults {
    /// Starts the worker on the current runtime, with room for `capacity` results.
    pub fn start(
        capacity: usize,
        recorder: ResultRecorder,
        metrics: Arc<Metrics>,
    ) -> PendingResults {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let pending = PendingResults {
            sender,
            in_flight: Arc::new(InFlight::default()),
            metrics,
        };
        let worker = pending.clone();
        crate::restarting::spawn("the result retries", receiver, move |receiver| {
            Box::pin(work(receiver, recorder.clone(), worker.clone()))
        });
        pending
    }

    /// Queues `run` for retry. False when the queue is full: the run then waits for a sweeper.
    pub fn enqueue(&self, run: FinishedRun) -> bool {
        let guard = self.in_flight.enter();
        let queued = self.sender.try_send((run, guard)).is_ok();
        self.count();
        queued
    }

    /// Results queued or being retried.
    pub fn len(&self) -> usize {
        self.in_flight.len()
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// Waits until every queued result is recorded, or `timeout` passes. Returns how many are left.
    pub async fn drain(&self, timeout: Duration) -> usize {
        self.in_flight.drained(timeout).await
    }

    /// Sets the gauge to what waits now.
    fn count(&self) {
        self.metrics
            .run_results_pending
            .set(i64::try_from(self.len()).unwrap_or(i64::MAX));
    }
}

async fn work(
    receiver: &mut mpsc::Receiver<(FinishedRun, InFlightGuard)>,
    recorder: ResultRecorder,
    pending: PendingResults,
) {
    while let Some((run, guard)) = receiver.recv().await {
        let mut backoff = FIRST_BACKOFF;
        let report = loop {
            match recorder.record(&run).await {
                Ok(report) => break report,
                Err(error) => {
                    pending.metrics.run_result_retries_total.inc();
                    tracing::warn!(run = %run.run_id, player = %run.player, error = %ErrorChain(&error), retry_in_ms = backoff.as_millis() as u64, "recording a run result failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        };
        tracing::info!(run = %run.run_id, player = %run.player, score = report.final_score, "pending run result recorded");
        recorder.deliver(&run, &report).await;
        drop(guard);
        pending.count();
    }
}
