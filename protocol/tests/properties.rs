//! Property tests: every message round-trips in both codecs; arbitrary bytes never panic a decoder and
//! never decode past the limits.

#[path = "support/strategies.rs"]
mod strategies;

use proptest::prelude::*;
use protocol::limits::{MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES};
use protocol::{Codec, DecodeError, WireFrame};

const CODECS: [Codec; 2] = [Codec::Bincode, Codec::Json];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn client_frames_round_trip_in_both_codecs(frame in strategies::client_frame()) {
        for codec in CODECS {
            match codec.encode_client(&frame) {
                Ok(wire) => prop_assert_eq!(codec.decode_client(&wire), Ok(frame.clone())),
                // Only a frame over the client limit may refuse to encode (a big offline chunk in JSON).
                Err(protocol::EncodeError::TooLarge { .. }) => {}
                Err(other) => prop_assert!(false, "{codec:?}: {other}"),
            }
        }
    }

    #[test]
    fn server_frames_round_trip_in_both_codecs(frame in strategies::server_frame()) {
        for codec in CODECS {
            let wire = codec.encode_server(&frame).expect("server frames fit their limit");
            prop_assert_eq!(codec.decode_server(&wire), Ok(frame.clone()));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_bincode_decoders(bytes in prop::collection::vec(any::<u8>(), 0..6_000)) {
        let frame = WireFrame::Binary(bytes.clone());
        let client = Codec::Bincode.decode_client(&frame);
        if bytes.len() > MAX_CLIENT_FRAME_BYTES {
            let too_large = matches!(client, Err(DecodeError::TooLarge { .. }));
            prop_assert!(too_large);
        }
        let _ = Codec::Bincode.decode_server(&frame);
        let refused = match Codec::Json.decode_client(&frame) {
            Err(DecodeError::WrongFrameKind { .. }) => bytes.len() <= MAX_CLIENT_FRAME_BYTES,
            Err(DecodeError::TooLarge { .. }) => bytes.len() > MAX_CLIENT_FRAME_BYTES,
            _ => false,
        };
        prop_assert!(refused, "size is checked first, then the frame kind");
    }

    #[test]
    fn arbitrary_text_never_panics_the_json_decoders(text in ".{0,300}") {
        let frame = WireFrame::Text(text);
        let _ = Codec::Json.decode_client(&frame);
        let _ = Codec::Json.decode_server(&frame);
    }

    #[test]
    fn mutated_valid_frames_never_panic(frame in strategies::client_frame(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        if let Ok(WireFrame::Binary(mut bytes)) = Codec::Bincode.encode_client(&frame) {
            for (index, value) in flips {
                let at = index.index(bytes.len());
                bytes[at] = value;
            }
            let _ = Codec::Bincode.decode_client(&WireFrame::Binary(bytes));
        }
    }

    #[test]
    fn the_request_id_survives_a_malformed_body(id in any::<u32>(), junk in prop::collection::vec(any::<u8>(), 1..20)) {
        let mut bytes = bincode::serde::encode_to_vec(id, protocol::codec::bincode_config::<16>()).unwrap();
        bytes.push(200); // no request variant has this index
        bytes.extend(junk);
        let error = Codec::Bincode.decode_client(&WireFrame::Binary(bytes)).unwrap_err();
        prop_assert_eq!(error.request_id(), Some(protocol::RequestId(id)));
    }
}

#[test]
fn oversized_frames_are_refused_before_parsing() {
    let big = WireFrame::Text(" ".repeat(MAX_CLIENT_FRAME_BYTES + 1));
    assert_eq!(
        Codec::Json.decode_client(&big),
        Err(DecodeError::TooLarge {
            len: MAX_CLIENT_FRAME_BYTES + 1,
            max: MAX_CLIENT_FRAME_BYTES
        })
    );
    let big = WireFrame::Binary(vec![0; MAX_SERVER_FRAME_BYTES + 1]);
    assert!(matches!(
        Codec::Bincode.decode_server(&big),
        Err(DecodeError::TooLarge { .. })
    ));
}

#[test]
fn frames_of_the_other_codec_are_named_as_such() {
    let error = Codec::Bincode
        .decode_client(&WireFrame::Text("{}".into()))
        .unwrap_err();
    assert_eq!(error.code(), protocol::ErrorCode::UnsupportedCodec);
    assert!(
        error
            .to_string()
            .contains("text frame on the leapfrog.v1.bincode subprotocol")
    );
}
