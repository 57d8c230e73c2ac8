//! An upgrade request head to the gateway's handshake parsing (`gateway::handshake::parse`), the token
//! lookup (`Authorization: Bearer`, `?token=`) and token verification; the input's format and the
//! properties checked are `leapfrog_server::fuzzing`'s. A panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    leapfrog_server::fuzzing::handshake(data);
});
