//! HTTP on both ports: an accept loop per port serving HTTP/1.1 with hyper; the public port upgrades
//! `/ws` to WebSocket. Transport only: each route calls into the domain or the gateway.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod public;

use leapfrog_core::error_chain::ErrorChain;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

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
        let (stream, _) = match accepted {
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
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let response = handler(app.clone(), request);
                async move { Ok::<_, Infallible>(response.await) }
            });
            let connection = http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(std::time::Duration::from_secs(10))
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

/// Reads a JSON body of at most `limit` bytes into `T`; otherwise the answer to send: 413 when too
/// large, 400 naming the `expected` shape when it does not parse.
pub(crate) async fn json_body<T: serde::de::DeserializeOwned>(
    request: Request<Incoming>,
    limit: usize,
    expected: &str,
) -> Result<T, Response<Body>> {
    let body = match Limited::new(request.into_body(), limit).collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => {
            return Err(text(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body larger than {} KiB", limit / 1024),
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
