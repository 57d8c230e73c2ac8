//! What the targets share beyond `protocol::fuzzing` (whose checks `tests/fuzz_corpus.rs` also replays
//! on stable): the allocation bound, which needs this crate's counting allocator, and the `json`
//! target's structure-aware mutator.

pub mod allocations;
pub mod json_mutator;
