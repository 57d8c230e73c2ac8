//! The bounded retry queue for results Redis could not take at once.
//!
//! A finished run whose result fails to record (a Redis blip) is queued here; one worker retries with
//! exponential backoff until it succeeds, then hands the report to a listener that pushes it to the player
//! if connected. The queue is bounded: when it is full, enqueueing waits a little and then fails, and the
//! caller keeps the result and tells the client to retry, so nothing is dropped silently. On shutdown the
//! server drains it within the drain timeout.

use crate::error_chain::ErrorChain;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::finished::FinishedRun;
use super::results::{ResultRecorder, RunReport};
use crate::metrics::Metrics;
use crate::shutdown::{InFlight, InFlightGuard};

/// Called with each result the queue recorded.
pub type ResultListener = Arc<dyn Fn(&FinishedRun, &RunReport) + Send + Sync>;

const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The sending side, cloned into every connection.
#[derive(Clone)]
pub struct PendingResults {
    sender: mpsc::Sender<(FinishedRun, InFlightGuard)>,
    in_flight: Arc<InFlight>,
}

/// The queue was full for the whole wait.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the pending-results queue is full")]
pub struct QueueFull(pub Box<FinishedRun>);

impl PendingResults {
    /// Starts the worker on the current runtime.
    pub fn start(
        capacity: usize,
        recorder: ResultRecorder,
        metrics: Arc<Metrics>,
        listener: ResultListener,
    ) -> PendingResults {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let in_flight = Arc::new(InFlight::default());
        tokio::spawn(work(
            receiver,
            recorder,
            metrics,
            listener,
            in_flight.clone(),
        ));
        PendingResults { sender, in_flight }
    }

    /// Queues `run`, waiting up to `wait` for room.
    pub async fn enqueue(&self, run: FinishedRun, wait: Duration) -> Result<(), QueueFull> {
        let guard = self.in_flight.enter();
        self.sender
            .send_timeout((run, guard), wait)
            .await
            .map_err(|error| match error {
                mpsc::error::SendTimeoutError::Timeout((run, _))
                | mpsc::error::SendTimeoutError::Closed((run, _)) => QueueFull(Box::new(run)),
            })
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
}

async fn work(
    mut receiver: mpsc::Receiver<(FinishedRun, InFlightGuard)>,
    recorder: ResultRecorder,
    metrics: Arc<Metrics>,
    listener: ResultListener,
    in_flight: Arc<InFlight>,
) {
    while let Some((run, guard)) = receiver.recv().await {
        metrics
            .run_results_pending
            .set(gauge_value(in_flight.len()));
        let mut backoff = FIRST_BACKOFF;
        let report = loop {
            match recorder.record(&run).await {
                Ok(report) => break report,
                Err(error) => {
                    metrics.run_result_retries_total.inc();
                    tracing::warn!(run = %run.run_id, player = %run.player, error = %ErrorChain(&error), retry_in_ms = backoff.as_millis() as u64, "recording a run result failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        };
        tracing::info!(run = %run.run_id, player = %run.player, score = report.final_score, "pending run result recorded");
        listener(&run, &report);
        drop(guard);
        metrics
            .run_results_pending
            .set(gauge_value(in_flight.len()));
    }
}

fn gauge_value(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}
