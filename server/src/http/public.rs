//! The public port: `GET /ws` (WebSocket upgrade), `GET /healthz`, `GET /readyz`, `POST /dev/token`
//! under `--dev-auth`, the read API under `/v1/`, and the web client at `/` (every other `GET`).

use leapfrog_core::error_chain::ErrorChain;
use std::sync::Arc;

use futures_util::FutureExt;
use futures_util::future::Either;
use hyper::body::Incoming;
use hyper::header::{
    CONNECTION, HeaderValue, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_PROTOCOL, UPGRADE,
};
use hyper::upgrade::OnUpgrade;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use protocol::PlayerId;
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::{Body, PeerAddr, json, json_body, text};
use crate::app::{App, Readiness};
use crate::gateway::{connection, handshake, websocket_config};
use leapfrog_core::clock::unix_ms;

/// Serves the connection once hyper hands over the upgraded socket.
///
/// Chained with `then`, not written as an `async move` block: a block keeps what it captured (the
/// claims, the guards, the upgrade's result) beside the connection's future for the connection's whole
/// life, about 150 bytes on every connected player. Each `then` step drops its inputs when the next
/// one starts.
fn serve_when_upgraded(
    on_upgrade: OnUpgrade,
    accepted: connection::Accepted,
) -> impl Future<Output = ()> {
    on_upgrade.then(|upgraded| match upgraded {
        Ok(upgraded) => Either::Left(serve_upgraded(upgraded, accepted)),
        Err(error) => {
            tracing::debug!(error = %ErrorChain(&error), "WebSocket upgrade did not complete");
            Either::Right(std::future::ready(()))
        }
    })
}

/// Serves the upgraded socket: the TCP stream itself, taken back from hyper, when it is one (every
/// connection `http::serve` accepts). Hyper's upgraded socket would put a boxed stream, a check of its
/// bytes read ahead and a conversion between hyper's and tokio's I/O traits on every read and write of
/// the connection's life. The bytes hyper read past the upgrade request, if any (a first frame sent
/// at once), are the WebSocket's first.
fn serve_upgraded(
    upgraded: hyper::upgrade::Upgraded,
    accepted: connection::Accepted,
) -> impl Future<Output = ()> {
    let config = Some(websocket_config());
    match upgraded.downcast::<TokioIo<TcpStream>>() {
        Ok(parts) => {
            let stream = parts.io.into_inner();
            let opened = if parts.read_buf.is_empty() {
                Either::Left(WebSocketStream::from_raw_socket(
                    stream,
                    Role::Server,
                    config,
                ))
            } else {
                let read_ahead = parts.read_buf.to_vec();
                Either::Right(WebSocketStream::from_partially_read(
                    stream,
                    read_ahead,
                    Role::Server,
                    config,
                ))
            };
            Either::Left(opened.map(|socket| spawn_connection(accepted, socket)))
        }
        Err(upgraded) => Either::Right(
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, config)
                .map(|socket| spawn_connection(accepted, socket)),
        ),
    }
}

/// Serves the opened WebSocket in a task of its own, and ends the upgrade's: the connection's task then
/// holds only the connection's future. Every wake-up of a connection (two per jump) reads the state of
/// each future its task nests, and on a busy node that state was last touched a thousand other
/// connections ago, so comes from memory; the upgrade's `then`s and `Either`s were three more of them
/// for the connection's whole life (BENCHMARKS.md, "Fewer cache lines per jump").
fn spawn_connection<S>(accepted: connection::Accepted, socket: WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(connection::serve(accepted, socket));
}

/// Longest lifetime of a dev token, in seconds.
const DEV_TOKEN_MAX_TTL: u64 = 7 * 24 * 60 * 60;

/// Routes a public request.
pub(crate) async fn handle(app: Arc<App>, request: Request<Incoming>) -> Response<Body> {
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/ws") => upgrade(app, request).await,
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok"),
        (&Method::GET, "/readyz") => readyz(&app),
        (&Method::POST, "/dev/token") if app.config.auth.dev_auth => dev_token(&app, request).await,
        (&Method::GET, path) if path.starts_with("/v1/") => {
            super::api::handle(&app, &request).await
        }
        (&Method::GET, path) => {
            super::web::serve(&app.config.web_root, path, request.headers()).await
        }
        _ => text(StatusCode::NOT_FOUND, "not found"),
    }
}

fn readyz(app: &App) -> Response<Body> {
    let readiness = app.readiness();
    let status = if readiness == Readiness::Ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    text(status, readiness.text())
}

async fn upgrade(app: Arc<App>, mut request: Request<Incoming>) -> Response<Body> {
    let refuse = |status, outcome: &str, reason: String| {
        app.gateway_metrics
            .connects_total
            .with_label_values(&[outcome])
            .inc();
        text(status, reason)
    };
    if app.shutdown.is_triggered() {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "draining",
            "server shutting down: connect to another node".into(),
        );
    }
    if let Some(PeerAddr(peer)) = request.extensions().get::<PeerAddr>()
        && let Err(wait) = app.rate_limits.upgrade(peer.ip())
    {
        let mut response = refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "address_rate_limited",
            "too many connections from your address: slow down".into(),
        );
        super::retry_after(&mut response, wait);
        return response;
    }
    let upgrade = match handshake::parse(request.headers(), request.uri().query()) {
        Ok(upgrade) => upgrade,
        Err(error) => return refuse(StatusCode::BAD_REQUEST, "bad_handshake", error.to_string()),
    };
    let claims = match upgrade.token.as_deref().map(|token| app.auth.verify(token)) {
        None => None,
        Some(Ok(claims)) => Some(claims),
        Some(Err(error)) => {
            return refuse(StatusCode::UNAUTHORIZED, "unauthorized", error.to_string());
        }
    };
    // Connections that have not authenticated have a budget of their own, so silent sockets cannot
    // take the places of players.
    let waiting = match claims {
        Some(_) if app.authenticated_connections() >= app.config.connections.max_connections => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "node_full",
                "server full: try another node".into(),
            );
        }
        Some(_) => None,
        None if app.unauthenticated.len() >= app.config.connections.max_unauthenticated => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "unauthenticated_full",
                "too many connections waiting to authenticate: send the token in the upgrade, or try another node".into(),
            );
        }
        None => Some(app.unauthenticated.enter()),
    };
    if let Some(claims) = &claims {
        // Before the client hears it is connected, so others may send it friend requests at once (a
        // `SET` the first time this node sees the player on a day, nothing after that).
        app.friends.mark_seen(&claims.sub, unix_ms()).await;
    }
    let in_flight = app.connections.enter();
    let on_upgrade = hyper::upgrade::on(&mut request);
    let codec = upgrade.codec;
    let accepted = connection::Accepted {
        app,
        codec,
        claims,
        waiting,
        in_flight,
    };
    tokio::spawn(serve_when_upgraded(on_upgrade, accepted));
    let mut response = Response::new(Body::default());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(upgrade.key.as_bytes())) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    headers.insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(codec.subprotocol()),
    );
    response
}

#[derive(Deserialize)]
struct DevTokenRequest {
    player: String,
    ttl_seconds: Option<u64>,
}

#[derive(Serialize)]
struct DevTokenResponse {
    token: String,
    player: PlayerId,
    expires_in: u64,
}

async fn dev_token(app: &App, request: Request<Incoming>) -> Response<Body> {
    let expected = r#"{"player": "<id>", "ttl_seconds": <n>}"#;
    let timeout = app.config.http.read_timeout;
    let wanted: DevTokenRequest = match json_body(request, 1024, timeout, expected).await {
        Ok(wanted) => wanted,
        Err(answer) => return answer,
    };
    let player = match PlayerId::new(wanted.player) {
        Ok(player) => player,
        Err(error) => return text(StatusCode::BAD_REQUEST, error.to_string()),
    };
    let ttl = wanted
        .ttl_seconds
        .unwrap_or(24 * 60 * 60)
        .min(DEV_TOKEN_MAX_TTL);
    match app.auth.issue_dev(player.clone(), ttl) {
        Some(Ok(token)) => json(
            StatusCode::OK,
            &DevTokenResponse {
                token,
                player,
                expires_in: ttl,
            },
        ),
        Some(Err(error)) => text(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
        None => text(StatusCode::NOT_FOUND, "not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::connection::returned_size;

    /// Every connected player costs one task, and tokio allocates a task as one cell: 96 bytes of its
    /// own beside the future, rounded up to a multiple of 128. At 928 bytes or less the cell is 1,024,
    /// mimalloc's size class of that name; 8 bytes more (a future's size is a multiple of 8) and it is
    /// 1,152, which mimalloc serves from its 1,280 class: 256 bytes more on every connection.
    #[test]
    fn a_connections_task_fits_a_1024_byte_cell() {
        let future = returned_size(&connection::serve::<TcpStream>);
        assert!(
            future <= 928,
            "a connection's future is {future} bytes: its task cell would outgrow 1,024 bytes"
        );
        let upgrade = returned_size(&serve_when_upgraded);
        assert!(
            upgrade <= 928,
            "an upgrade's future is {upgrade} bytes: its task cell would outgrow 1,024 bytes"
        );
    }
}
