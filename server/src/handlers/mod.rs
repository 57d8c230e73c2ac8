//! Request handlers: one module per family of requests. Each decodes nothing and knows no sockets: it
//! takes a decoded request, calls the domain, and returns the answer.

mod challenge;
mod hello;
pub(crate) mod leaderboard;
pub(crate) mod notification;
mod ping;
mod replay;
pub(crate) mod run;
pub(crate) mod session;
mod social;

use leapfrog_core::error_chain::ErrorChain;
use leapfrog_core::in_place::boxed;

use leapfrog_core::challenges::ChallengeError;
use leapfrog_core::clock::{Moment, unix_ms};
use leapfrog_core::friends::FriendsError;
use leapfrog_core::replays::ReplayError;
use leapfrog_core::runs::RunError;
use leapfrog_core::store::StoreError;
use protocol::{ErrorCode, OutOfRange, Request, RequestId, Response, ServerFrame, SocialChange};

use crate::app::App;
use crate::auth::TokenError;
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

/// Redis failed: the request can be retried as it is.
impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        Failure::new(ErrorCode::Unavailable, error.to_string())
    }
}

/// A page size or window outside the protocol's limits.
impl From<OutOfRange> for Failure {
    fn from(error: OutOfRange) -> Failure {
        Failure::new(ErrorCode::BadRequest, error.to_string())
    }
}

/// A token that does not authenticate anyone.
impl From<TokenError> for Failure {
    fn from(error: TokenError) -> Failure {
        Failure::new(ErrorCode::Unauthorized, error.to_string())
    }
}

/// A refused social change.
impl From<FriendsError> for Failure {
    fn from(error: FriendsError) -> Failure {
        let code = match &error {
            FriendsError::Yourself => ErrorCode::BadRequest,
            FriendsError::Blocked => ErrorCode::Forbidden,
            FriendsError::NoRequest(_) | FriendsError::UnknownPlayer(_) => ErrorCode::NotFound,
            FriendsError::Full(_)
            | FriendsError::TooManyPending(_)
            | FriendsError::TooManyBlocked(_) => ErrorCode::Conflict,
            FriendsError::RateLimited { .. } => ErrorCode::RateLimited,
            FriendsError::Store(_) => ErrorCode::Unavailable,
        };
        Failure::new(code, error.to_string())
    }
}

/// A refused challenge operation.
impl From<ChallengeError> for Failure {
    fn from(error: ChallengeError) -> Failure {
        let code = match &error {
            ChallengeError::NotFound(_) | ChallengeError::NotShareable { .. } => {
                ErrorCode::NotFound
            }
            ChallengeError::Run(_) | ChallengeError::Store(_) => ErrorCode::Unavailable,
        };
        Failure::new(code, error.to_string())
    }
}

/// A replay that cannot be read.
impl From<ReplayError> for Failure {
    fn from(error: ReplayError) -> Failure {
        let code = match &error {
            ReplayError::NotFriends(_) => ErrorCode::Forbidden,
            ReplayError::NotFound { .. } => ErrorCode::NotFound,
            ReplayError::Corrupt { .. } => ErrorCode::Internal,
            ReplayError::Store(_) => ErrorCode::Unavailable,
        };
        if code == ErrorCode::Internal {
            tracing::error!(error = %ErrorChain(&error), "reading a replay failed");
        }
        Failure::new(code, error.to_string())
    }
}

/// A refused run operation.
impl From<RunError> for Failure {
    fn from(error: RunError) -> Failure {
        let code = match &error {
            RunError::NotFound(_) | RunError::NotCurrent(_) => ErrorCode::NotFound,
            RunError::RunOver { .. } => ErrorCode::RunOver,
            RunError::TooFast(_) => ErrorCode::TooFast,
            RunError::InvalidJump(_) | RunError::Rejected(_) => ErrorCode::InvalidInput,
            RunError::OutOfSequence { .. } => ErrorCode::Conflict,
            RunError::WrongMode { .. } => ErrorCode::BadRequest,
            RunError::Unavailable(_) => ErrorCode::Unavailable,
            RunError::Corrupt(_) => ErrorCode::Internal,
            RunError::NotDriver(_) => ErrorCode::Conflict,
            RunError::ChallengeNotFound(_) => ErrorCode::NotFound,
            RunError::CapReached(_) => ErrorCode::RateLimited,
        };
        if code == ErrorCode::Internal {
            tracing::error!(error = %ErrorChain(&error), "run operation failed");
        }
        Failure::new(code, error.to_string())
    }
}

/// Handles request `id`, which arrived at `received`, and returns its answer. The connection sends a
/// jump to [`run::jump`] itself; one that comes here is answered the same way, boxed.
///
/// Times the request from its arrival (decoding and the rate limit are a few microseconds of it): the
/// connection reads the clock once per message, and a jump's own histogram takes the same figure.
pub(crate) async fn dispatch(
    app: &App,
    session: &mut Session,
    id: RequestId,
    request: Request,
    received: Moment,
) -> ServerFrame {
    if let Request::Jump(jump) = request {
        return Box::pin(run::jump(app, session, id, jump, received)).await;
    }
    let kind = request.kind();
    let result = route(app, session, request).await;
    answer(app, id, (kind, false), received, result)
}

/// A jump's kind, as [`Request::kind`] names it.
const JUMP_KIND: &str = "jump";

/// The answer to request `id`, which arrived at `received`, timed and counted under its kind (and, for
/// a jump, the jumps' own histogram).
fn answer(
    app: &App,
    id: RequestId,
    (kind, is_jump): (&'static str, bool),
    received: Moment,
    result: Result<Response, Failure>,
) -> ServerFrame {
    let seconds = received.instant.elapsed().as_secs_f64();
    let metrics = &app.gateway_metrics;
    metrics
        .request_duration_seconds
        .with(kind, |histogram| histogram.observe(seconds));
    if is_jump && result.is_ok() {
        metrics.jump_duration_seconds.observe(seconds);
    }
    match result {
        Ok(response) => ServerFrame::Reply { id, response },
        Err(failure) => ServerFrame::error(Some(id), failure.code, failure.message),
    }
}

/// The refusal of a request that needs a player before the connection authenticated.
fn hello_required() -> Failure {
    Failure::new(
        ErrorCode::HelloRequired,
        "authenticate first: send hello with a token",
    )
}

/// Answers `request` (any but a jump: see [`dispatch`]).
async fn route(app: &App, session: &mut Session, request: Request) -> Result<Response, Failure> {
    // Every handler is boxed, so this future is small whatever the request; each is made in its box
    // (`boxed`), not copied in: a start's future is kilobytes.
    if let Request::Hello(hello) = request {
        return boxed(|| hello::handle(app, session, hello)).await;
    }
    if let Request::Ping(ping) = request {
        return Ok(ping::handle(ping));
    }
    let Some(player) = session.player.clone() else {
        return Err(hello_required());
    };
    let friends = &app.friends;
    let change = |change: SocialChange| Ok(Response::Social(change));
    match request {
        Request::Hello(_) | Request::Ping(_) => unreachable!("answered above"),
        // `dispatch` answers a jump before it routes a request: no jump comes here.
        Request::Jump(_) => Err(Failure::new(
            ErrorCode::Internal,
            "a jump was routed as another request",
        )),
        Request::StartRun(start) => boxed(|| run::start(app, session, &player, start.mode)).await,
        Request::Abandon(abandon) => boxed(|| run::abandon(app, session, abandon.run_id)).await,
        Request::SubmitRun(submit) => boxed(|| run::submit(app, session, submit)).await,
        Request::ListFriends(list) => boxed(|| social::list(app, &player, list)).await,
        Request::ListFriendRequests => boxed(|| social::requests(app, &player)).await,
        Request::SendFriendRequest(other) => {
            change(boxed(|| friends.request(&player, &other.player, unix_ms())).await?)
        }
        Request::AcceptFriendRequest(other) => {
            change(boxed(|| friends.accept(&player, &other.player, unix_ms())).await?)
        }
        Request::DeclineFriendRequest(other) => {
            change(boxed(|| friends.decline(&player, &other.player)).await?)
        }
        Request::RemoveFriend(other) => {
            change(boxed(|| friends.remove(&player, &other.player)).await?)
        }
        Request::Block(other) => change(boxed(|| friends.block(&player, &other.player)).await?),
        Request::Unblock(other) => change(boxed(|| friends.unblock(&player, &other.player)).await?),
        Request::SetDisplayName(set) => {
            change(boxed(|| friends.set_name(&player, &set.name)).await?)
        }
        Request::ReadBoard(read) => boxed(|| leaderboard::read(app, &player, read)).await,
        Request::ReadStanding(read) => boxed(|| leaderboard::standing(app, &player, read)).await,
        Request::ListNotifications(list) => boxed(|| notification::list(app, &player, list)).await,
        Request::AckNotifications(ack) => boxed(|| notification::ack(app, &player, ack)).await,
        Request::CreateChallenge(create) => boxed(|| challenge::create(app, &player, create)).await,
        Request::ReadChallenge(read) => boxed(|| challenge::read(app, read)).await,
        Request::ReadReplay(read) => boxed(|| replay::read(app, &player, read)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A jump's answer is timed under the kind its request names: the request-duration histogram has a
    /// child per kind, and a kind it does not know gets one made on every jump.
    #[test]
    fn a_jumps_kind_is_the_one_its_request_names() {
        let jump = Request::Jump(protocol::JumpRequest {
            run_id: protocol::RunId::from_bytes([7; 16]),
            seq: 0,
            press_ms: 300,
            dwell_ms: 0,
        });
        assert_eq!(jump.kind(), JUMP_KIND);
    }
}
