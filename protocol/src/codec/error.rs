//! Codec errors, each mapped to the protocol error code a server answers with.

use thiserror::Error;

use crate::ids::RequestId;
use crate::messages::error::ErrorCode;

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// Larger than the protocol allows for this direction; not even looked at.
    #[error("frame of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The frame's size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A text frame on the bincode subprotocol, or a binary frame on the JSON one.
    #[error("a {got} frame on the {codec} subprotocol, which carries {expected} frames")]
    WrongFrameKind {
        /// The negotiated subprotocol.
        codec: &'static str,
        /// The kind it carries.
        expected: &'static str,
        /// The kind received.
        got: &'static str,
    },
    /// Not a valid message (bad syntax, unknown variant, invalid value, trailing bytes).
    #[error("malformed frame: {detail}")]
    Malformed {
        /// What is wrong, from the decoder.
        detail: String,
        /// The request id, when it could be read.
        id: Option<RequestId>,
    },
}

impl DecodeError {
    /// The protocol error code to answer with.
    pub const fn code(&self) -> ErrorCode {
        match self {
            DecodeError::TooLarge { .. } => ErrorCode::FrameTooLarge,
            DecodeError::WrongFrameKind { .. } => ErrorCode::UnsupportedCodec,
            DecodeError::Malformed { .. } => ErrorCode::MalformedFrame,
        }
    }

    /// The id of the request that failed, if it could be read: the error answer then carries it.
    pub const fn request_id(&self) -> Option<RequestId> {
        match self {
            DecodeError::Malformed { id, .. } => *id,
            _ => None,
        }
    }
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    /// The encoded frame would exceed the limit for its direction.
    #[error("encoded frame of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The encoded size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The serializer failed (a bug: every message type is serializable).
    #[error("encoding failed: {0}")]
    Serializer(String),
}
