//! Run requests: start, jump, abandon, submit. They translate between the wire and `runs::RunService`.

use protocol::{
    ErrorCode, JumpRequest, JumpResult, PlayerId, RequestId, Response, RunEnd, RunId, RunStarted,
    ServerFrame, StartMode, SubmitAck, SubmitRun,
};

use super::{Failure, session::Session};
use crate::app::App;
use leapfrog_core::clock::{Moment, unix_ms};
use leapfrog_core::runs::{self, ActiveRun, Ending};

/// `start_run`. A run still going on this connection is abandoned first (its score counts).
pub(crate) async fn start(
    app: &App,
    session: &mut Session,
    player: &PlayerId,
    mode: StartMode,
) -> Result<Response, Failure> {
    let mode = match mode {
        StartMode::Solo => runs::StartMode::Solo,
        StartMode::ChallengeRun { challenge } => runs::StartMode::Challenge { challenge },
        StartMode::Offline => runs::StartMode::Offline,
        StartMode::Challenge { .. } => {
            return Err(Failure::new(
                ErrorCode::BadRequest,
                "a raw seed is not a challenge: share a run with create_challenge and start a \
                 challenge_run with its id",
            ));
        }
    };
    if let Some(mut previous) = session.run.take()
        && previous.ending().is_none()
        && let Err(error) = app.runs.abandon(&mut previous, unix_ms()).await
    {
        session.run = Some(previous);
        return Err(error.into());
    }
    let run = app.runs.start_run(player, mode, unix_ms()).await?;
    let started = RunStarted {
        run_id: run.id(),
        seed: run.meta().seed,
        ruleset: run.meta().ruleset,
        world: *run.session().world(),
    };
    session.run = Some(Box::new(run));
    Ok(Response::RunStarted(started))
}

/// `jump` `id`, which came at `received`, and its answer, timed and counted as every request's is. A
/// run not loaded on this connection (after a reconnect) is resumed from Redis first.
///
/// The connection calls this for a jump, the most frequent request, instead of `dispatch`: its future
/// holds a jump's state only, not also a request of any kind beside the other handlers' boxes, so a
/// jump's whole handling (this, the answer's encoding and its write) fits one box within the kilobyte
/// the allocator serves from its fast path. Not an `async fn` either, which would keep its arguments
/// beside the locals they are moved into: the block holds each once.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn would hold its arguments twice"
)]
pub(crate) fn jump<'a>(
    app: &'a App,
    session: &'a mut Session,
    id: RequestId,
    request: JumpRequest,
    received: Moment,
) -> impl Future<Output = ServerFrame> + Send + 'a {
    async move {
        // Matched out, not an inner `async` block for `?`: that block would be one more level of
        // state that each jump reads when its checkpoint's replies come (from memory, on a busy node).
        let result: Result<Response, Failure> =
            match current_run(app, session, request.run_id).await {
                Ok(run) => match app
                    .runs
                    .jump(run, request.seq, request.jump(), received.unix_ms)
                    .await
                {
                    Ok(reply) => {
                        let ended = reply
                            .ending
                            .as_ref()
                            .and_then(|ending| run_end(run, ending));
                        Ok(Response::JumpResult(JumpResult {
                            outcome: reply.outcome,
                            ended,
                        }))
                    }
                    Err(error) => Err(error.into()),
                },
                Err(failure) => Err(failure),
            };
        super::answer(app, id, (super::JUMP_KIND, true), received, result)
    }
}

/// `abandon`.
pub(crate) async fn abandon(
    app: &App,
    session: &mut Session,
    run_id: RunId,
) -> Result<Response, Failure> {
    let run = current_run(app, session, run_id).await?;
    let ending = app.runs.abandon(run, unix_ms()).await?;
    let ended = run_end(run, &ending)
        .ok_or_else(|| Failure::new(ErrorCode::Internal, "abandoned run has no result"))?;
    Ok(Response::Submitted(SubmitAck::Ended(ended)))
}

/// `submit_run`: one chunk of an offline run.
pub(crate) async fn submit(
    app: &App,
    session: &mut Session,
    request: SubmitRun,
) -> Result<Response, Failure> {
    let run = current_run(app, session, request.run_id).await?;
    let ending = app
        .runs
        .submit_chunk(
            run,
            request.first_seq,
            &request.jumps,
            request.last,
            unix_ms(),
        )
        .await?;
    Ok(Response::Submitted(match ending {
        Some(ending) => SubmitAck::Ended(
            run_end(run, &ending)
                .ok_or_else(|| Failure::new(ErrorCode::Internal, "ended run has no result"))?,
        ),
        None => SubmitAck::Accepted {
            next_seq: run.session().jumps(),
        },
    }))
}

/// The connection's run `run_id`, loading it from Redis (as its authenticated player's) if this
/// connection does not hold it. A connection holds a run only once authenticated.
async fn current_run<'s>(
    app: &App,
    session: &'s mut Session,
    run_id: RunId,
) -> Result<&'s mut ActiveRun, Failure> {
    if session.run.as_ref().is_none_or(|run| run.id() != run_id) {
        let player = session.player.clone().ok_or_else(super::hello_required)?;
        // Boxed: a resume's state is kilobytes, and every jump's future would carry it.
        let run = Box::pin(app.runs.resume(&player, run_id)).await?;
        session.run = Some(Box::new(run));
    }
    session
        .run
        .as_deref_mut()
        .ok_or_else(|| Failure::new(ErrorCode::Internal, "run vanished from the session"))
}

/// The wire form of how a run ended.
fn run_end(run: &ActiveRun, ending: &Ending) -> Option<RunEnd> {
    match ending {
        Ending::Recorded(report) => Some(RunEnd::Over(report.run_over(run.id(), run.meta().seed))),
        Ending::Pending => Some(RunEnd::Pending {
            run_id: run.id(),
            final_score: run.session().score(),
        }),
        Ending::Rejected => None,
    }
}
