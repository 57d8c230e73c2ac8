//! The admin port: `GET /metrics` for Prometheus, and the server-to-server API for games whose friend
//! graph comes from the host app, authenticated with its own secret (`--admin-secret`):
//!
//! `PUT /admin/v1/players/{player}/friends` with `{"friends": ["id", ...]}` (at most `--max-friends`)
//! sets the player's friends to exactly that list, both directions, idempotently; it answers
//! `{"added": n, "removed": m}`, with `"full": [ids]` naming the friends left out because a list was
//! full, if any. The whole body must arrive within `--http-read-timeout-ms`.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use protocol::PlayerId;
use serde::{Deserialize, Serialize};

use super::{Body, json, json_body, text};
use crate::app::App;
use leapfrog_core::clock::unix_ms;
use leapfrog_core::friends::FriendsError;

/// Largest import body: 5,000 ids of up to 64 bytes, quoted and separated.
const MAX_IMPORT_BYTES: usize = 400 * 1024;

/// Routes an admin request.
pub(crate) async fn handle(app: Arc<App>, request: Request<Incoming>) -> Response<Body> {
    let path = request.uri().path().to_owned();
    match (request.method(), path.as_str()) {
        (&Method::GET, "/metrics") => {
            app.readiness();
            app.gateway_metrics.sync_panics();
            let mut response = text(StatusCode::OK, app.metrics.render());
            response.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        }
        (&Method::PUT, path)
            if path.starts_with("/admin/v1/players/") && path.ends_with("/friends") =>
        {
            import_friends(&app, request, path).await
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: the admin port serves GET /metrics and PUT /admin/v1/players/{player}/friends",
        ),
    }
}

#[derive(Deserialize)]
struct Import {
    friends: Vec<String>,
}

#[derive(Serialize)]
struct Imported {
    added: usize,
    removed: usize,
    /// Friends left out because their list, or the player's, was full (absent when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    full: Vec<PlayerId>,
}

async fn import_friends(app: &App, request: Request<Incoming>, path: &str) -> Response<Body> {
    let Some(secret) = app.config.admin_secret.as_deref() else {
        return text(
            StatusCode::FORBIDDEN,
            "the admin API is disabled: set --admin-secret",
        );
    };
    let presented = crate::auth::bearer(request.headers()).unwrap_or("");
    if !constant_time_eq(presented.as_bytes(), secret.as_bytes()) {
        return text(StatusCode::UNAUTHORIZED, "missing or wrong admin secret");
    }
    let id = path
        .trim_start_matches("/admin/v1/players/")
        .trim_end_matches("/friends");
    let player = match PlayerId::new(id) {
        Ok(player) => player,
        Err(error) => return text(StatusCode::BAD_REQUEST, error.to_string()),
    };
    let expected = r#"{"friends": ["id", ...]}"#;
    let timeout = app.config.http.read_timeout;
    let import: Import = match json_body(request, MAX_IMPORT_BYTES, timeout, expected).await {
        Ok(import) => import,
        Err(answer) => return answer,
    };
    let friends: Result<Vec<PlayerId>, _> = import.friends.into_iter().map(PlayerId::new).collect();
    let friends = match friends {
        Ok(friends) => friends,
        Err(error) => return text(StatusCode::BAD_REQUEST, error.to_string()),
    };
    match app.friends.import(&player, &friends, unix_ms()).await {
        Ok(imported) => json(
            StatusCode::OK,
            &Imported {
                added: imported.added,
                removed: imported.removed,
                full: imported.full,
            },
        ),
        Err(error @ FriendsError::Full(_)) => text(StatusCode::BAD_REQUEST, error.to_string()),
        Err(error) => text(StatusCode::SERVICE_UNAVAILABLE, error.to_string()),
    }
}

/// Compares secrets without leaking where they differ through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}
