//! Leaderboard requests: a board page and the player's own standing.

use protocol::{BoardWindow, ErrorCode, PlayerId, ReadBoard, ReadStanding, Response};

use super::Failure;
use super::social::store_failure;
use crate::app::App;
use leapfrog_core::clock::unix_ms;

/// `read_board`.
pub(crate) async fn read(
    app: &App,
    player: &PlayerId,
    request: ReadBoard,
) -> Result<Response, Failure> {
    check_window(request.window)?;
    app.leaderboards
        .read(player, request.board, request.window, unix_ms())
        .await
        .map(Response::Board)
        .map_err(store_failure)
}

/// `read_standing`.
pub(crate) async fn standing(
    app: &App,
    player: &PlayerId,
    request: ReadStanding,
) -> Result<Response, Failure> {
    app.leaderboards
        .standing(player, request.scope, unix_ms())
        .await
        .map(Response::Standing)
        .map_err(store_failure)
}

/// Refuses windows outside the protocol's limits.
pub(crate) fn check_window(window: BoardWindow) -> Result<(), Failure> {
    match window {
        BoardWindow::Top { limit, .. } if !(1..=100).contains(&limit) => Err(Failure::new(
            ErrorCode::BadRequest,
            "top limit must be 1 to 100",
        )),
        BoardWindow::Around { radius } if radius > 50 => Err(Failure::new(
            ErrorCode::BadRequest,
            "around radius must be 0 to 50",
        )),
        _ => Ok(()),
    }
}
