//! The two codecs and their framing rules.
//!
//! - `leapfrog.v1.bincode`: binary WebSocket frames, bincode 2.0 with the configuration of
//!   [`bincode_config`]: little-endian, variable-length integers, a byte limit equal to the frame limit.
//! - `leapfrog.v1.json`: text WebSocket frames, serde_json; enums externally tagged with snake_case
//!   names, 64-bit seeds, run ids and notification ids as strings.
//!
//! Decoding checks the frame's size and kind before parsing, caps every list before allocating
//! ([`crate::BoundedVec`]), and never panics: every failure is a [`DecodeError`].

mod error;
mod jump_frame;
mod jump_result;
mod negotiate;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::{DecodeError, EncodeError};
pub use negotiate::{NegotiationError, PROTOCOL_VERSION, negotiate};

use crate::ids::RequestId;
use crate::limits::{MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES};
use crate::messages::{ClientFrame, ServerFrame};

/// A negotiated codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// bincode in binary frames, for native clients.
    Bincode,
    /// JSON in text frames, for browsers and debugging.
    Json,
}

/// A WebSocket data frame's payload, as the codec produces or consumes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireFrame {
    /// A binary frame.
    Binary(Vec<u8>),
    /// A text frame.
    Text(String),
}

impl WireFrame {
    /// Payload size in bytes.
    pub fn len(&self) -> usize {
        match self {
            WireFrame::Binary(bytes) => bytes.len(),
            WireFrame::Text(text) => text.len(),
        }
    }

    /// True for an empty payload.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A received frame's payload, borrowed from wherever it was read: decoding it needs no copy (the server
/// decodes straight from the WebSocket library's buffer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WirePayload<'a> {
    /// A binary frame's bytes.
    Binary(&'a [u8]),
    /// A text frame's text.
    Text(&'a str),
}

impl WirePayload<'_> {
    /// Payload size in bytes.
    pub fn len(&self) -> usize {
        match self {
            WirePayload::Binary(bytes) => bytes.len(),
            WirePayload::Text(text) => text.len(),
        }
    }

    /// True for an empty payload.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    const fn kind(&self) -> &'static str {
        match self {
            WirePayload::Binary(_) => "binary",
            WirePayload::Text(_) => "text",
        }
    }
}

impl<'a> From<&'a WireFrame> for WirePayload<'a> {
    fn from(frame: &'a WireFrame) -> WirePayload<'a> {
        match frame {
            WireFrame::Binary(bytes) => WirePayload::Binary(bytes),
            WireFrame::Text(text) => WirePayload::Text(text),
        }
    }
}

/// The bincode configuration of the protocol: little-endian, variable-length integers (LEB-like varint:
/// values below 251 take one byte), and a limit of `LIMIT` bytes that no claimed length can exceed.
pub const fn bincode_config<const LIMIT: usize>() -> bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<LIMIT>,
> {
    bincode::config::standard()
        .with_little_endian()
        .with_variable_int_encoding()
        .with_limit::<LIMIT>()
}

impl Codec {
    /// Every subprotocol this build speaks, for error messages.
    pub const SUPPORTED: &'static str = "leapfrog.v1.bincode, leapfrog.v1.json";

    /// The `Sec-WebSocket-Protocol` name.
    pub const fn subprotocol(self) -> &'static str {
        match self {
            Codec::Bincode => "leapfrog.v1.bincode",
            Codec::Json => "leapfrog.v1.json",
        }
    }

    /// The codec of a subprotocol name, if it is one of this version's.
    pub fn from_subprotocol(name: &str) -> Option<Codec> {
        match name {
            "leapfrog.v1.bincode" => Some(Codec::Bincode),
            "leapfrog.v1.json" => Some(Codec::Json),
            _ => None,
        }
    }

    /// Decodes a client's frame (server side). A binary jump frame is read straight
    /// (`jump_frame`); every other frame, and any that is not exactly a jump, the serde way.
    pub fn decode_client<'a>(
        self,
        frame: impl Into<WirePayload<'a>>,
    ) -> Result<ClientFrame, DecodeError> {
        let frame = frame.into();
        if let (Codec::Bincode, WirePayload::Binary(bytes)) = (self, frame)
            && let Some(jump) = jump_frame::decode(bytes)
        {
            return Ok(jump);
        }
        self.decode::<ClientFrame, MAX_CLIENT_FRAME_BYTES, { 8 * MAX_CLIENT_FRAME_BYTES }>(frame)
    }

    /// Encodes a server frame (server side). The binary answer to a jump that goes on is written
    /// straight (`jump_result`, the same bytes); every other frame the serde way.
    pub fn encode_server(self, frame: &ServerFrame) -> Result<WireFrame, EncodeError> {
        if self == Codec::Bincode
            && let Some(bytes) = jump_result::encode(frame)
        {
            return Ok(WireFrame::Binary(bytes));
        }
        self.encode::<_, MAX_SERVER_FRAME_BYTES>(frame)
    }

    /// Encodes a client frame (client side: load tester, test clients).
    pub fn encode_client(self, frame: &ClientFrame) -> Result<WireFrame, EncodeError> {
        self.encode::<_, MAX_CLIENT_FRAME_BYTES>(frame)
    }

    /// Decodes a server's frame (client side).
    pub fn decode_server<'a>(
        self,
        frame: impl Into<WirePayload<'a>>,
    ) -> Result<ServerFrame, DecodeError> {
        self.decode::<ServerFrame, MAX_SERVER_FRAME_BYTES, { 8 * MAX_SERVER_FRAME_BYTES }>(
            frame.into(),
        )
    }

    /// Decodes a frame of at most `LIMIT` bytes. bincode's own limit, `CLAIM_LIMIT`, counts what the
    /// values take in memory (a `u32` read from a one-byte varint counts 4 bytes), not the frame's bytes,
    /// which are checked against `LIMIT` first; at the frame limit it refused valid frames (a `SubmitRun`
    /// of 512 small jumps takes about 1 KiB on the wire and claims 4 KiB of `Jump`s). Eight times the frame
    /// limit lets every frame within it through, since no value grows more than eightfold from its
    /// encoding, while a claimed length still cannot make the decoder allocate past it (and lists are
    /// capped by [`crate::BoundedVec`] before anything is allocated).
    fn decode<T: DeserializeOwned, const LIMIT: usize, const CLAIM_LIMIT: usize>(
        self,
        frame: WirePayload<'_>,
    ) -> Result<T, DecodeError> {
        if frame.len() > LIMIT {
            return Err(DecodeError::TooLarge {
                len: frame.len(),
                max: LIMIT,
            });
        }
        match (self, frame) {
            (Codec::Bincode, WirePayload::Binary(bytes)) => decode_bincode::<T, CLAIM_LIMIT>(bytes),
            (Codec::Json, WirePayload::Text(text)) => decode_json(text),
            (codec, frame) => Err(DecodeError::WrongFrameKind {
                codec: codec.subprotocol(),
                expected: match codec {
                    Codec::Bincode => "binary",
                    Codec::Json => "text",
                },
                got: frame.kind(),
            }),
        }
    }

    fn encode<T: Serialize, const LIMIT: usize>(
        self,
        message: &T,
    ) -> Result<WireFrame, EncodeError> {
        let frame = match self {
            Codec::Bincode => {
                let mut frame = Frame(Vec::with_capacity(FRAME_CAPACITY));
                bincode::serde::encode_into_writer(message, &mut frame, bincode_config::<LIMIT>())
                    .map_err(|e| too_large_or(e.to_string(), LIMIT))?;
                WireFrame::Binary(frame.0)
            }
            Codec::Json => WireFrame::Text(
                serde_json::to_string(message)
                    .map_err(|e| EncodeError::Serializer(e.to_string()))?,
            ),
        };
        if frame.len() > LIMIT {
            return Err(EncodeError::TooLarge {
                len: frame.len(),
                max: LIMIT,
            });
        }
        Ok(frame)
    }
}

/// Bytes reserved for a bincode frame before encoding: most frames (a jump's result, an ack) fit, so
/// encoding one does not grow its buffer field by field (`encode_to_vec` starts empty and reallocates
/// several times per frame: about 2% of a node's instructions per jump, measured with callgrind).
const FRAME_CAPACITY: usize = 128;

/// A bincode writer appending to a vector.
struct Frame(Vec<u8>);

impl bincode::enc::write::Writer for Frame {
    fn write(&mut self, bytes: &[u8]) -> Result<(), bincode::error::EncodeError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

fn too_large_or(detail: String, limit: usize) -> EncodeError {
    if detail.contains("limit") {
        EncodeError::TooLarge {
            len: limit + 1,
            max: limit,
        }
    } else {
        EncodeError::Serializer(detail)
    }
}

fn decode_bincode<T: DeserializeOwned, const LIMIT: usize>(bytes: &[u8]) -> Result<T, DecodeError> {
    let config = bincode_config::<LIMIT>();
    match bincode::serde::decode_from_slice::<T, _>(bytes, config) {
        Ok((message, read)) if read == bytes.len() => Ok(message),
        Ok((_, read)) => Err(DecodeError::Malformed {
            detail: format!("{} trailing bytes after the message", bytes.len() - read),
            id: bincode_request_id(bytes),
        }),
        Err(error) => Err(DecodeError::Malformed {
            detail: error.to_string(),
            id: bincode_request_id(bytes),
        }),
    }
}

/// Every frame starts with its request id, so it can be read even when the rest is malformed.
fn bincode_request_id(bytes: &[u8]) -> Option<RequestId> {
    bincode::serde::decode_from_slice::<RequestId, _>(bytes, bincode_config::<16>())
        .ok()
        .map(|(id, _)| id)
}

fn decode_json<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    serde_json::from_str(text).map_err(|error| DecodeError::Malformed {
        detail: error.to_string(),
        id: json_request_id(text),
    })
}

fn json_request_id(text: &str) -> Option<RequestId> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: RequestId,
    }
    serde_json::from_str::<IdOnly>(text)
        .ok()
        .map(|frame| frame.id)
}
