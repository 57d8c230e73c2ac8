//! The generator of the TypeScript client's `messages.ts`: trace the serde formats, read the docs, write
//! TypeScript.

pub(crate) mod docs;
pub(crate) mod emit;
pub(crate) mod trace;
