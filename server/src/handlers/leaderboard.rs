//! Leaderboard requests: a board page and the player's own standing.

use leapfrog_core::clock::unix_ms;
use protocol::{PlayerId, ReadBoard, ReadStanding, Response};

use super::Failure;
use crate::app::App;

/// `read_board`.
pub(crate) async fn read(
    app: &App,
    player: &PlayerId,
    request: ReadBoard,
) -> Result<Response, Failure> {
    let window = request.window.validate()?;
    let page = app
        .leaderboards
        .read(player, request.board, window, unix_ms())
        .await?;
    Ok(Response::Board(page))
}

/// `read_standing`.
pub(crate) async fn standing(
    app: &App,
    player: &PlayerId,
    request: ReadStanding,
) -> Result<Response, Failure> {
    let standing = app
        .leaderboards
        .standing(player, request.scope, unix_ms())
        .await?;
    Ok(Response::Standing(standing))
}
