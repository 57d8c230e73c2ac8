//! `read_replay`: a player's best run of a period, their own or a friend's, to watch or race as a ghost.

use leapfrog_core::clock::unix_ms;
use protocol::{PlayerId, ReadReplay, Response};

use super::Failure;
use crate::app::App;

/// `read_replay`.
pub(crate) async fn read(
    app: &App,
    player: &PlayerId,
    request: ReadReplay,
) -> Result<Response, Failure> {
    let replay = app
        .replays
        .read(player, &request.player, request.period, unix_ms())
        .await?;
    Ok(Response::Replay(replay))
}
