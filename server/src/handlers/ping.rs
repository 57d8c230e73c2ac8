//! `ping`: answers with the server's clock.

use protocol::{Ping, Pong, Response};

use leapfrog_core::clock::unix_ms;

/// Handles `ping`.
pub(super) fn handle(ping: Ping) -> Response {
    Response::Pong(Pong {
        client_time_ms: ping.client_time_ms,
        server_time_ms: unix_ms(),
    })
}
