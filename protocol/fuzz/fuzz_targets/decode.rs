//! Arbitrary bytes to every decoder, in both directions: as a binary frame to the bincode codec and,
//! when they are UTF-8, as a text frame to the JSON codec. A panic is a bug: a decoder panicked, a frame
//! it accepted does not survive a round trip (`protocol::fuzzing`), or it held more heap than the claim
//! limit allows (`protocol_fuzz::allocations`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    protocol::fuzzing::decode(data);
    protocol_fuzz::allocations::check(data);
});
