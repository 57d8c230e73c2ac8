//! Request handlers: one module per family of requests. Each decodes nothing and knows no sockets: it
//! takes a decoded request, calls the domain, and returns the answer.

mod hello;
mod not_yet;
mod ping;
pub mod run;
pub mod session;

use std::time::Instant;

use protocol::{ErrorCode, Request, RequestId, Response, ServerFrame};

use crate::app::App;
pub use session::Session;

/// A refused request: the error code and message of its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// For programs.
    pub code: ErrorCode,
    /// For people.
    pub message: String,
}

impl Failure {
    /// A failure with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
}

/// Handles request `id` and returns its answer.
pub async fn dispatch(
    app: &App,
    session: &mut Session,
    id: RequestId,
    request: Request,
) -> ServerFrame {
    let kind = request.kind();
    let started = Instant::now();
    let result = route(app, session, request).await;
    app.metrics
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
    match request {
        Request::StartRun(start) => run::start(app, session, &player, start.mode).await,
        Request::Jump(jump) => run::jump(app, session, &player, jump).await,
        Request::Abandon(abandon) => run::abandon(app, session, &player, abandon.run_id).await,
        Request::SubmitRun(submit) => run::submit(app, session, &player, submit).await,
        other => Err(not_yet::handle(&other)),
    }
}
