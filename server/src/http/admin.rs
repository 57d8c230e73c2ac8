//! The admin port: `GET /metrics` for Prometheus.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};

use super::{Body, text};
use crate::app::App;

/// Routes an admin request.
pub async fn handle(app: Arc<App>, request: Request<Incoming>) -> Response<Body> {
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/metrics") => {
            app.metrics.ready.set(i64::from(app.is_ready()));
            let mut response = text(StatusCode::OK, app.metrics.render());
            response.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: the admin port serves GET /metrics",
        ),
    }
}
