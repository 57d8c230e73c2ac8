//! `hello`: authenticates (when the handshake carried no token), extends the session with a fresh token,
//! resumes an interrupted run, and reports the session. Authentication needs no Redis: while Redis is
//! unreachable the player still gets a `welcome`, with the resume skipped, followed by an `unavailable`
//! error without an id that says so (`PROTOCOL.md`, "Welcome while the store is down"). The notification
//! catch-up is the connection's, once authenticated (`Session::catch_up_due`).

use game_logic::Ruleset;
use protocol::{BoundedVec, ErrorCode, Hello, Response, ResumedRun, ServerFrame, Welcome};

use super::{Failure, session::Session};
use crate::app::App;
use leapfrog_core::clock::unix_ms;
use leapfrog_core::runs::RunError;

/// The message of the `unavailable` error that follows a welcome given while Redis is unreachable.
pub(crate) const STORE_DOWN_AFTER_WELCOME: &str = "welcome without the store: Redis is unreachable, so no run was resumed and \
     the unacknowledged notifications follow once it is back; send hello with resume again then \
     (readiness at /readyz)";

/// Handles `hello`.
pub(super) async fn handle(
    app: &App,
    session: &mut Session,
    hello: Hello,
) -> Result<Response, Failure> {
    if !hello.within_limits() {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "client_version or token too long",
        ));
    }
    match (&session.player, hello.token) {
        (None, Some(token)) => {
            let claims = app.auth.verify(&token)?;
            session.authenticate(app, claims);
        }
        (None, None) => {
            return Err(Failure::new(
                ErrorCode::Unauthorized,
                crate::auth::TokenError::Missing.to_string(),
            ));
        }
        (Some(player), Some(token)) => {
            let claims = app.auth.verify(&token)?;
            if &claims.sub != player {
                return Err(Failure::new(
                    ErrorCode::Forbidden,
                    "the hello token names another player than the session's token",
                ));
            }
            // A fresh token keeps a long session going past the first token's expiry.
            session.extend(&claims);
        }
        (Some(_), None) => {}
    }
    let player = session
        .player
        .clone()
        .ok_or_else(|| Failure::new(ErrorCode::Internal, "unauthenticated after hello"))?;
    let mut store_reachable = app.is_store_reachable();
    let resumed = match hello.resume {
        None => None,
        Some(_) if !store_reachable => None,
        Some(run_id) => match app.runs.resume(&player, run_id).await {
            // An ended run is not resumed (the welcome omits it), but resuming it finished its
            // recording if a node died before, and a resent last jump is answered from it.
            Ok(run) if run.ending().is_some() => {
                session.run = Some(Box::new(run));
                None
            }
            Ok(run) => {
                let world = *run.session().world();
                let resumed = ResumedRun {
                    run_id,
                    seed: run.meta().seed,
                    ruleset: run.meta().ruleset,
                    next_seq: run.session().jumps(),
                    score: run.session().score(),
                    combo: run.session().combo(),
                    world,
                };
                session.run = Some(Box::new(run));
                Some(resumed)
            }
            // An ended or unknown run is simply not resumed: the welcome says so by omitting it.
            Err(RunError::RunOver { .. } | RunError::NotFound(_)) => None,
            Err(RunError::Unavailable(_)) => {
                store_reachable = false;
                None
            }
            Err(error) => return Err(error.into()),
        },
    };
    if !store_reachable {
        session.pushes.push(ServerFrame::error(
            None,
            ErrorCode::Unavailable,
            STORE_DOWN_AFTER_WELCOME,
        ));
    }
    Ok(Response::Welcome(Welcome {
        player,
        node: app.config.node_id.clone(),
        server_time_ms: unix_ms(),
        resumed,
        rulesets: BoundedVec::truncating(vec![Ruleset::LATEST]),
    }))
}
