//! Token verification alone: the input as a token (as `hello` carries it), through the verifiers and the
//! node's `Authenticator`, and its first line and the rest as the header and claims of a token signed with
//! the fuzzing secret, so the claim rules are reached; see `leapfrog_server::fuzzing::token`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    leapfrog_server::fuzzing::token(data);
});
