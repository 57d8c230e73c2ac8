//! Request handlers: one module per family of requests. Each decodes nothing and knows no sockets: it
//! takes a decoded request, calls the domain, and returns the answer.

mod hello;
pub(crate) mod leaderboard;
pub(crate) mod notification;
mod ping;
pub(crate) mod run;
pub(crate) mod session;
mod social;

use std::time::Instant;

use protocol::{ErrorCode, Request, RequestId, Response, ServerFrame};

use crate::app::App;
pub(crate) use run::run_over;
pub(crate) use session::Session;

/// A refused request: the error code and message of its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// For programs.
    pub code: ErrorCode,
    /// For people.
    pub message: String,
}

impl Failure {
    /// A failure with `code` and `message`.
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
}

/// Handles request `id` and returns its answer.
pub(crate) async fn dispatch(
    app: &App,
    session: &mut Session,
    id: RequestId,
    request: Request,
) -> ServerFrame {
    let kind = request.kind();
    let started = Instant::now();
    let result = route(app, session, request).await;
    app.gateway_metrics
        .request_duration_seconds
        .with_label_values(&[kind])
        .observe(started.elapsed().as_secs_f64());
    match result {
        Ok(response) => ServerFrame::Reply { id, response },
        Err(failure) => ServerFrame::error(Some(id), failure.code, failure.message),
    }
}

async fn route(app: &App, session: &mut Session, request: Request) -> Result<Response, Failure> {
    if let Request::Hello(hello) = request {
        return hello::handle(app, session, hello).await;
    }
    if let Request::Ping(ping) = request {
        return Ok(ping::handle(ping));
    }
    let Some(player) = session.player.clone() else {
        return Err(Failure::new(
            ErrorCode::HelloRequired,
            "authenticate first: send hello with a token",
        ));
    };
    let friends = &app.friends;
    match request {
        Request::Hello(_) | Request::Ping(_) => unreachable!("answered above"),
        Request::StartRun(start) => run::start(app, session, &player, start.mode).await,
        Request::Jump(jump) => run::jump(app, session, &player, jump).await,
        Request::Abandon(abandon) => run::abandon(app, session, &player, abandon.run_id).await,
        Request::SubmitRun(submit) => run::submit(app, session, &player, submit).await,
        Request::ListFriends(list) => social::list(app, &player, list).await,
        Request::ListFriendRequests => social::requests(app, &player).await,
        Request::SendFriendRequest(other) => social::send(app, &player, &other.player).await,
        Request::AcceptFriendRequest(other) => social::accept(app, &player, &other.player).await,
        Request::DeclineFriendRequest(other) => {
            social::change(
                friends
                    .decline(&player, &other.player)
                    .await
                    .map_err(Into::into),
            )
            .await
        }
        Request::RemoveFriend(other) => {
            social::change(
                friends
                    .remove(&player, &other.player)
                    .await
                    .map_err(Into::into),
            )
            .await
        }
        Request::Block(other) => social::change(friends.block(&player, &other.player).await).await,
        Request::Unblock(other) => {
            social::change(
                friends
                    .unblock(&player, &other.player)
                    .await
                    .map_err(Into::into),
            )
            .await
        }
        Request::SetDisplayName(set) => {
            social::change(
                friends
                    .set_name(&player, &set.name)
                    .await
                    .map_err(Into::into),
            )
            .await
        }
        Request::ReadBoard(read) => leaderboard::read(app, &player, read).await,
        Request::ReadStanding(read) => leaderboard::standing(app, &player, read).await,
        Request::ListNotifications(list) => notification::list(app, &player, list).await,
        Request::AckNotifications(ack) => notification::ack(app, &player, ack).await,
    }
}
