//! Requests whose domain (friends, leaderboards, notifications) this build does not serve yet.

use protocol::{ErrorCode, Request};

use super::Failure;

/// Answers a request of a domain not served yet.
pub fn handle(request: &Request) -> Failure {
    Failure::new(
        ErrorCode::Unavailable,
        format!("`{}` is not available on this server yet", request.kind()),
    )
}
