//! Feeds arbitrary bytes to every decoder: binary frames to the bincode codec and, when the bytes are
//! UTF-8, text frames to the JSON codec, in both directions. A panic or a crash is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::{Codec, WireFrame};

fuzz_target!(|data: &[u8]| {
    let binary = WireFrame::Binary(data.to_vec());
    let _ = Codec::Bincode.decode_client(&binary);
    let _ = Codec::Bincode.decode_server(&binary);
    if let Ok(text) = std::str::from_utf8(data) {
        let text = WireFrame::Text(text.to_owned());
        let _ = Codec::Json.decode_client(&text);
        let _ = Codec::Json.decode_server(&text);
    }
    // A decoded frame must encode again (the decoder accepts nothing the encoder cannot write).
    if let Ok(frame) = Codec::Bincode.decode_client(&binary) {
        let _ = Codec::Bincode.encode_client(&frame).expect("a decoded frame re-encodes");
    }
});
