//! The JSON codec alone: text frames to its client and server decoders, with the checks of the `decode`
//! target. Its mutator edits the JSON value of an input (`protocol_fuzz::json_mutator`) so most inputs
//! get past the syntax to the messages' own rules; libFuzzer's byte mutations take the other turns.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target};

fuzz_target!(|data: &[u8]| {
    // A text frame is UTF-8 by construction (the WebSocket layer refuses other text).
    if let Ok(text) = std::str::from_utf8(data) {
        protocol::fuzzing::json(text);
        protocol_fuzz::allocations::check_json(text);
    }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    protocol_fuzz::json_mutator::mutate(data, size, max_size, seed)
});
