//! Every reason the server closes a WebSocket, with its close code and text, in one place.

use protocol::GoodbyeReason;

/// Why the server closes a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CloseReason {
    /// The client closed it with a close frame (answered with the same code) or ended the TCP connection.
    ClientClosed,
    /// The node is shutting down.
    ShuttingDown,
    /// The same player logged in elsewhere.
    Replaced,
    /// No `hello` with a token in time.
    HelloTimeout,
    /// The token expired during the session.
    TokenExpired,
    /// Silent past the idle timeout.
    IdleTimeout,
    /// Kept sending past the rate limit.
    RateAbuse,
    /// A message over the size limit.
    MessageTooBig,
    /// Not reading: the outbound queue filled or a write timed out.
    NotReading,
    /// The WebSocket protocol was violated.
    ProtocolError,
    /// A text message or a close reason that is not UTF-8.
    InvalidUtf8,
}

impl CloseReason {
    /// Every reason, so `disconnects_total` shows each from zero.
    pub(crate) const ALL: [CloseReason; 11] = [
        CloseReason::ClientClosed,
        CloseReason::ShuttingDown,
        CloseReason::Replaced,
        CloseReason::HelloTimeout,
        CloseReason::TokenExpired,
        CloseReason::IdleTimeout,
        CloseReason::RateAbuse,
        CloseReason::MessageTooBig,
        CloseReason::NotReading,
        CloseReason::ProtocolError,
        CloseReason::InvalidUtf8,
    ];

    /// The WebSocket close code.
    pub(crate) const fn code(self) -> u16 {
        match self {
            CloseReason::ClientClosed => 1000,
            CloseReason::ShuttingDown => 1001,
            CloseReason::ProtocolError => 1002,
            CloseReason::InvalidUtf8 => 1007,
            CloseReason::TokenExpired | CloseReason::RateAbuse => 1008,
            CloseReason::MessageTooBig => 1009,
            CloseReason::Replaced => 4000,
            CloseReason::HelloTimeout => 4001,
            CloseReason::IdleTimeout => 4002,
            CloseReason::NotReading => 4003,
        }
    }

    /// The close reason text (at most 123 bytes, as WebSocket requires).
    pub(crate) const fn text(self) -> &'static str {
        match self {
            CloseReason::ClientClosed => "closed by the client",
            CloseReason::ShuttingDown => "server shutting down; reconnect to another node",
            CloseReason::Replaced => "replaced by a new login of the same player",
            CloseReason::HelloTimeout => "no hello with a valid token in time",
            CloseReason::TokenExpired => "token expired",
            CloseReason::IdleTimeout => "idle for too long",
            CloseReason::RateAbuse => "too many messages",
            CloseReason::MessageTooBig => "message larger than 4096 bytes",
            CloseReason::NotReading => "client is not reading its messages",
            CloseReason::ProtocolError => "WebSocket protocol error",
            CloseReason::InvalidUtf8 => "text that is not valid UTF-8",
        }
    }

    /// The metric label.
    pub(crate) const fn label(self) -> &'static str {
        match self {
            CloseReason::ClientClosed => "client_closed",
            CloseReason::ShuttingDown => "shutting_down",
            CloseReason::Replaced => "replaced",
            CloseReason::HelloTimeout => "hello_timeout",
            CloseReason::TokenExpired => "token_expired",
            CloseReason::IdleTimeout => "idle_timeout",
            CloseReason::RateAbuse => "rate_abuse",
            CloseReason::MessageTooBig => "message_too_big",
            CloseReason::NotReading => "not_reading",
            CloseReason::ProtocolError => "protocol_error",
            CloseReason::InvalidUtf8 => "invalid_utf8",
        }
    }

    /// The `Goodbye` push sent before closing, when the client should hear why.
    pub(crate) const fn goodbye(self) -> Option<(GoodbyeReason, u32)> {
        match self {
            CloseReason::ShuttingDown => Some((GoodbyeReason::ShuttingDown, 1_000)),
            CloseReason::Replaced => Some((GoodbyeReason::ReplacedByNewLogin, 0)),
            CloseReason::TokenExpired => Some((GoodbyeReason::TokenExpired, 0)),
            CloseReason::IdleTimeout => Some((GoodbyeReason::IdleTimeout, 0)),
            CloseReason::RateAbuse => Some((GoodbyeReason::RateLimited, 10_000)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_texts_fit_a_close_frame() {
        for reason in CloseReason::ALL {
            assert!(reason.text().len() <= 123, "{reason:?}");
            assert!(reason.code() >= 1000);
        }
    }

    #[test]
    fn every_reason_is_listed_once() {
        // A reason missing from ALL would not be exported from zero; the match makes a new variant fail
        // to compile here until it is listed.
        let position = |reason: CloseReason| match reason {
            CloseReason::ClientClosed => 0,
            CloseReason::ShuttingDown => 1,
            CloseReason::Replaced => 2,
            CloseReason::HelloTimeout => 3,
            CloseReason::TokenExpired => 4,
            CloseReason::IdleTimeout => 5,
            CloseReason::RateAbuse => 6,
            CloseReason::MessageTooBig => 7,
            CloseReason::NotReading => 8,
            CloseReason::ProtocolError => 9,
            CloseReason::InvalidUtf8 => 10,
        };
        for (index, reason) in CloseReason::ALL.into_iter().enumerate() {
            assert_eq!(position(reason), index);
        }
    }
}
