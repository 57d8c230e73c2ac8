//! HTTP on both ports: an accept loop per port serving HTTP/1.1 with hyper; the public port upgrades
//! `/ws` to WebSocket and serves the web client's files. Transport only: each route calls into the domain
//! or the gateway.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod public;
pub(crate) mod web;

use leapfrog_core::error_chain::ErrorChain;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::app::App;

/// The body of every response.
pub(crate) type Body = Full<Bytes>;

/// The address a request came from (a request extension).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerAddr(pub(crate) SocketAddr);

/// Serves `listener` with `handler` until the drain of `app` ends (the listener stays open during the
/// drain so `/readyz` can say the node is draining).
pub(crate) async fn serve<H, F>(
    app: Arc<App>,
    listener: TcpListener,
    handler: H,
    stop: impl Future<Output = ()>,
) where
    H: Fn(Arc<App>, Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors or a transient error: log and keep accepting.
                tracing::warn!(error = %ErrorChain(&error), "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let handler = handler.clone();
        let header_read_timeout = app.config.http.read_timeout;
        tokio::spawn(async move {
            let service = service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(PeerAddr(peer));
                let response = handler(app.clone(), request);
                async move { Ok::<_, Infallible>(response.await) }
            });
            // The headers must arrive within the read timeout (the body has its own, in `json_body`).
            let connection = http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_read_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            if let Err(error) = connection.await {
                tracing::debug!(error = %ErrorChain(&error), "HTTP connection ended with an error");
            }
        });
    }
}

/// A plain-text response.
pub(crate) fn text(status: StatusCode, body: impl Into<String>) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body.into())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, value: &impl serde::Serialize) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut response = Response::new(Full::new(Bytes::from(bytes)));
            *response.status_mut() = status;
            response.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(error) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("encoding failed: {error}"),
        ),
    }
}

/// Sets `Retry-After` to `wait`, in whole seconds rounded up.
pub(crate) fn retry_after(response: &mut Response<Body>, wait: Duration) {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    response
        .headers_mut()
        .insert(hyper::header::RETRY_AFTER, seconds.max(1).into());
}

/// Reads a JSON body of at most `limit` bytes, all of it within `timeout`, into `T`; otherwise the
/// answer to send: 413 when too large, 408 when it trickles in too slowly, 400 naming the `expected`
/// shape when it does not parse.
pub(crate) async fn json_body<T: serde::de::DeserializeOwned>(
    request: Request<Incoming>,
    limit: usize,
    timeout: Duration,
    expected: &str,
) -> Result<T, Response<Body>> {
    let read = Limited::new(request.into_body(), limit).collect();
    let body = match tokio::time::timeout(timeout, read).await {
        Ok(Ok(body)) => body.to_bytes(),
        Ok(Err(_)) => {
            return Err(text(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body larger than {} KiB", limit / 1024),
            ));
        }
        Err(_) => {
            return Err(text(
                StatusCode::REQUEST_TIMEOUT,
                format!("body not received within {} ms", timeout.as_millis()),
            ));
        }
    };
    serde_json::from_slice(&body).map_err(|error| {
        text(
            StatusCode::BAD_REQUEST,
            format!("expected {expected}: {error}"),
        )
    })
}
