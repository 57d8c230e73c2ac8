//! Error replies: a stable code a program can act on, and a message a person can read.

use serde::{Deserialize, Serialize};

/// What went wrong. Variants keep their position forever (bincode encodes the index); new codes are
/// only ever appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is well-formed but makes no sense (a bad limit, a missing field value).
    BadRequest,
    /// The frame could not be decoded.
    MalformedFrame,
    /// The frame is larger than the protocol allows.
    FrameTooLarge,
    /// A frame of the other codec's kind (text on the bincode subprotocol, binary on JSON).
    UnsupportedCodec,
    /// No valid authentication (missing, forged, expired or malformed token).
    Unauthorized,
    /// Authenticated, but not allowed (someone else's run, a player who blocked you).
    Forbidden,
    /// Too many messages: slow down.
    RateLimited,
    /// No such run, player or notification.
    NotFound,
    /// The request conflicts with the current state (a jump out of sequence, a duplicate request).
    Conflict,
    /// The run is over; nothing more is accepted for it.
    RunOver,
    /// The input came faster than a person can play.
    TooFast,
    /// An input with impossible values, or an offline run that failed verification.
    InvalidInput,
    /// The server is overloaded or its queues are full: retry later.
    ServerBusy,
    /// A store the server needs is unreachable: retry later; nothing was changed.
    Unavailable,
    /// The server is shutting down.
    ShuttingDown,
    /// A bug on the server.
    Internal,
    /// The request must wait for authentication (send `Hello` with a token first).
    HelloRequired,
}

impl ErrorCode {
    /// True for the codes after which the same request may succeed if retried unchanged.
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited
                | ErrorCode::ServerBusy
                | ErrorCode::Unavailable
                | ErrorCode::ShuttingDown
        )
    }
}
