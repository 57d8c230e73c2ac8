//! The properties the fuzz targets check (`fuzz/`, cargo-fuzz on nightly), compiled only with the
//! `fuzzing` feature so the targets and the stable replay of their corpus (`tests/fuzz_corpus.rs`) run the
//! same code. Each function panics when a property breaks; any input is fair.
//!
//! For every decoder (bincode and JSON, client and server frames):
//! - it never panics, and refuses a frame over its direction's limit as `TooLarge` without parsing it;
//! - what it accepts encodes again in its own codec and decodes to the same value (the round trip), and
//!   in the other codec too unless that encoding is over the limit (a bincode `SubmitRun` of 512 jumps is
//!   five times larger in JSON, which is why JSON clients send smaller chunks).

use crate::limits::{MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES};
use crate::{ClientFrame, Codec, DecodeError, EncodeError, ServerFrame, WireFrame};

/// Every decoder on `data`: the bincode ones of both directions on it as a binary frame, and the JSON
/// ones ([`json`]) when it is UTF-8.
pub fn decode(data: &[u8]) {
    let binary = WireFrame::Binary(data.to_vec());
    check::<ClientFrame>(Codec::Bincode, &binary);
    check::<ServerFrame>(Codec::Bincode, &binary);
    if let Ok(text) = std::str::from_utf8(data) {
        json(text);
    }
}

/// The JSON decoders of both directions on `text` as a text frame.
pub fn json(text: &str) {
    let frame = WireFrame::Text(text.to_owned());
    check::<ClientFrame>(Codec::Json, &frame);
    check::<ServerFrame>(Codec::Json, &frame);
}

/// One direction's frames: client frames (decoded by servers) or server frames (decoded by clients).
trait Direction: Sized + PartialEq + std::fmt::Debug {
    const NAME: &'static str;
    const LIMIT: usize;
    fn decode(codec: Codec, frame: &WireFrame) -> Result<Self, DecodeError>;
    fn encode(codec: Codec, frame: &Self) -> Result<WireFrame, EncodeError>;
}

impl Direction for ClientFrame {
    const NAME: &'static str = "client";
    const LIMIT: usize = MAX_CLIENT_FRAME_BYTES;
    fn decode(codec: Codec, frame: &WireFrame) -> Result<Self, DecodeError> {
        codec.decode_client(frame)
    }
    fn encode(codec: Codec, frame: &Self) -> Result<WireFrame, EncodeError> {
        codec.encode_client(frame)
    }
}

impl Direction for ServerFrame {
    const NAME: &'static str = "server";
    const LIMIT: usize = MAX_SERVER_FRAME_BYTES;
    fn decode(codec: Codec, frame: &WireFrame) -> Result<Self, DecodeError> {
        codec.decode_server(frame)
    }
    fn encode(codec: Codec, frame: &Self) -> Result<WireFrame, EncodeError> {
        codec.encode_server(frame)
    }
}

/// Decodes `frame` (of the kind `codec` carries) as a `F` and checks the properties of the module.
fn check<F: Direction>(codec: Codec, frame: &WireFrame) {
    let decoded = match F::decode(codec, frame) {
        Ok(decoded) => decoded,
        Err(DecodeError::TooLarge { len, max }) => {
            assert!(
                len == frame.len() && max == F::LIMIT && len > max,
                "{codec:?} {} decoder: TooLarge {{ len: {len}, max: {max} }} for a frame of {} bytes",
                F::NAME,
                frame.len()
            );
            return;
        }
        Err(DecodeError::Malformed { .. }) => {
            assert!(
                frame.len() <= F::LIMIT,
                "{codec:?} {} decoder parsed a frame of {} bytes, over the limit",
                F::NAME,
                frame.len()
            );
            return;
        }
        Err(error @ DecodeError::WrongFrameKind { .. }) => {
            panic!("{codec:?} {} decoder: {error} for its own kind", F::NAME)
        }
    };
    assert!(frame.len() <= F::LIMIT, "accepted over the limit");
    for into in [codec, other(codec)] {
        let encoded = match F::encode(into, &decoded) {
            Ok(encoded) => encoded,
            // JSON is the larger encoding, and a JSON frame may omit the null fields its encoder writes:
            // near the limit, encoding in JSON may be refused as too large. Bincode never is.
            Err(EncodeError::TooLarge { .. }) if into == Codec::Json => continue,
            Err(error) => panic!(
                "a {} frame the {codec:?} decoder accepted does not encode in {into:?}: {error}\n{decoded:?}",
                F::NAME
            ),
        };
        match F::decode(into, &encoded) {
            Ok(again) => assert_eq!(
                again,
                decoded,
                "a {} frame decoded by {codec:?} changes through {into:?}",
                F::NAME
            ),
            Err(error) => panic!(
                "a {} frame decoded by {codec:?}, encoded by {into:?}, does not decode again: {error}\n{decoded:?}\n{encoded:?}",
                F::NAME
            ),
        }
    }
}

const fn other(codec: Codec) -> Codec {
    match codec {
        Codec::Bincode => Codec::Json,
        Codec::Json => Codec::Bincode,
    }
}
