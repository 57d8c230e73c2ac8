//! The TypeScript client's message types and codec tables (`typescript/src/generated/messages.ts`) are
//! generated from this crate's serde formats, so they cannot drift from the Rust messages: this test
//! generates the file in memory and fails when the committed one differs. After a deliberate change to the
//! messages, regenerate with `BLESS=1 cargo test -p protocol --test typescript_messages` and commit the
//! result (the client's golden-frame tests then check the codecs against it).

#[path = "support/strategies.rs"]
#[allow(
    dead_code,
    reason = "the property tests use the strategies this test does not"
)]
mod strategies;

mod codegen;

use std::path::{Path, PathBuf};

use codegen::docs::Docs;
use codegen::emit::{REGENERATE, typescript};

fn generated_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("typescript/src/generated/messages.ts")
}

#[test]
fn the_committed_typescript_messages_are_up_to_date() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = Docs::read(&[&manifest.join("src"), &manifest.join("../game-logic/src")]);
    let generated = typescript(&codegen::trace::schema(), &docs);
    let path = generated_file();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: the Rust messages changed. Regenerate it with\n\n    {REGENERATE}\n\nand commit it.",
        path.display()
    );
}
