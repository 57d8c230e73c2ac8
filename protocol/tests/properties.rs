//! Property tests: every message round-trips in both codecs; arbitrary bytes never panic a decoder and
//! never decode past the limits.

#[path = "support/strategies.rs"]
mod strategies;

use proptest::prelude::*;
use protocol::limits::{MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES};
use protocol::{Codec, DecodeError, JumpResult, RequestId, Response, ServerFrame, WireFrame};

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

    /// The binary answer to a jump is written without serde (`codec::jump_result`): every frame's
    /// bytes are still serde's, byte for byte.
    #[test]
    fn bincode_server_frames_are_the_bytes_serde_writes(
        frame in strategies::server_frame(),
        id in any::<u32>(),
        outcome in strategies::outcome(),
    ) {
        let jump = ServerFrame::Reply {
            id: RequestId(id),
            response: Response::JumpResult(JumpResult { outcome, ended: None }),
        };
        for frame in [frame, jump] {
            let serde = bincode::serde::encode_to_vec(
                &frame,
                protocol::codec::bincode_config::<MAX_SERVER_FRAME_BYTES>(),
            )
            .expect("serde encodes every server frame");
            prop_assert_eq!(Codec::Bincode.encode_server(&frame), Ok(WireFrame::Binary(serde)));
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
    fn a_display_name_with_a_bidi_control_or_invisible_character_is_refused(
        before in "[a-zA-Z跳 ]{0,15}",
        after in "[a-zA-Z跳 ]{0,15}",
        hidden in prop::sample::select(vec![
            '\u{202E}', '\u{202D}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200E}',
            '\u{200F}', '\u{061C}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}',
            '\u{00AD}', '\u{E0020}', '\u{3164}', '\u{2800}', '\u{2028}', '\u{0000}', '\u{009B}',
        ]),
    ) {
        let name = format!("{before}{hidden}{after}");
        prop_assert!(protocol::DisplayName::new(name.clone()).is_err());
        let json = serde_json::to_string(&name).unwrap();
        prop_assert!(serde_json::from_str::<protocol::DisplayName>(&json).is_err());
    }

    #[test]
    fn a_display_name_of_visible_characters_is_accepted(name in "[a-zA-Z0-9é跳😀][a-zA-Z0-9é跳😀 ]{0,30}[a-z]") {
        prop_assert!(protocol::DisplayName::new(name).is_ok());
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

#[test]
fn a_submit_run_chunk_of_512_jumps_decodes_in_bincode() {
    use protocol::{BoundedVec, ClientFrame, Request, RequestId, RunId, SubmitRun};
    let jumps = vec![
        game_logic::Jump {
            press_ms: 65_535,
            dwell_ms: 65_535,
        };
        protocol::limits::MAX_JUMPS_PER_SUBMIT
    ];
    let frame = ClientFrame {
        id: RequestId(u32::MAX),
        request: Request::SubmitRun(SubmitRun {
            run_id: RunId::from_bytes([0xff; 16]),
            first_seq: u32::MAX,
            jumps: BoundedVec::try_from(jumps).expect("512 is the bound"),
            last: true,
        }),
    };
    let wire = Codec::Bincode.encode_client(&frame).expect("fits 4 KiB");
    assert!(wire.len() <= MAX_CLIENT_FRAME_BYTES, "{}", wire.len());
    assert_eq!(Codec::Bincode.decode_client(&wire), Ok(frame));
}
