//! Challenge requests: share a run as a challenge, read a challenge and its board.

use leapfrog_core::clock::unix_ms;
use leapfrog_core::error_chain::ErrorChain;
use protocol::{CreateChallenge, PlayerId, ReadChallenge, Response};

use super::Failure;
use crate::app::App;

/// `create_challenge`. The run's kept replays (if it is a best) then name the challenge, so friends
/// watching it can race it; the challenge stands even if that note fails.
pub(crate) async fn create(
    app: &App,
    player: &PlayerId,
    request: CreateChallenge,
) -> Result<Response, Failure> {
    let now_ms = unix_ms();
    let challenge = app
        .challenges
        .create(player, request.run_id, now_ms)
        .await?;
    if let Err(error) = app
        .replays
        .mark_shared(player, request.run_id, challenge.challenge, now_ms)
        .await
    {
        tracing::warn!(error = %ErrorChain(&error), "a shared run's replays do not name its challenge");
    }
    Ok(Response::Challenge(challenge))
}

/// `read_challenge`.
pub(crate) async fn read(app: &App, request: ReadChallenge) -> Result<Response, Failure> {
    let limit = request.validated_limit()?;
    let page = app
        .challenges
        .page(request.challenge, limit, request.after)
        .await?;
    Ok(Response::ChallengePage(page))
}
