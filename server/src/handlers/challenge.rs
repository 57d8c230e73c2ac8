//! Challenge requests: share a run as a challenge, read a challenge and its board.

use leapfrog_core::clock::unix_ms;
use protocol::{CreateChallenge, PlayerId, ReadChallenge, Response};

use super::Failure;
use crate::app::App;

/// `create_challenge`.
pub(crate) async fn create(
    app: &App,
    player: &PlayerId,
    request: CreateChallenge,
) -> Result<Response, Failure> {
    let challenge = app
        .challenges
        .create(player, request.run_id, unix_ms())
        .await?;
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
