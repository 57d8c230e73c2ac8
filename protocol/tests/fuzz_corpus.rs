//! The fuzz targets' seed corpus and crash reproducers (`fuzz/seeds/`, `fuzz/regressions/`), replayed on
//! stable through the same checks (`protocol::fuzzing`) without libFuzzer, so every `cargo test` runs
//! them. The seeds are the golden frames and one small sample of each message kind; after a wire change,
//! regenerate them with `BLESS=1 cargo test -p protocol --test fuzz_corpus` and review the diff.

#[path = "support/strategies.rs"]
mod strategies;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Once;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use protocol::{Codec, WireFrame};
use serde_json::Value;

/// Sampled seeds larger than this are skipped: small seeds mutate faster.
const MAX_SEED_BYTES: usize = 1024;

fn fuzz_dir(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(relative)
}

/// The files of `relative` (under `fuzz/`) and their bytes, sorted; none when it does not exist.
fn files(relative: &str) -> Vec<(PathBuf, Vec<u8>)> {
    files_in(&fuzz_dir(relative))
}

fn files_in(directory: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return Vec::new();
    };
    let mut files: Vec<(PathBuf, Vec<u8>)> = entries
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.is_file())
        .map(|path| {
            let bytes = std::fs::read(&path).expect("readable corpus file");
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Under `BLESS`, writes the seeds once, before either test reads them (the tests run in parallel).
fn bless() {
    static BLESS: Once = Once::new();
    if std::env::var_os("BLESS").is_some() {
        BLESS.call_once(write_seeds);
    }
}

#[test]
fn the_seeds_and_reproducers_pass_the_decode_target() {
    bless();
    let seeds = [files("seeds/bincode"), files("seeds/json")].concat();
    assert!(seeds.len() > 20, "the seed corpus is missing");
    for (path, bytes) in seeds.iter().chain(&files("regressions/decode")) {
        println!("{}", path.display());
        protocol::fuzzing::decode(bytes);
    }
    // A seed that no longer decodes in its direction means the wire changed: regenerate them (BLESS=1).
    for (path, bytes) in files("seeds/bincode") {
        assert!(
            decodes_as_named(Codec::Bincode, &path, WireFrame::Binary(bytes)),
            "{} is no frame any more",
            path.display()
        );
    }
}

#[test]
fn the_seeds_and_reproducers_pass_the_json_target() {
    bless();
    let seeds = files("seeds/json");
    for (path, bytes) in seeds.iter().chain(&files("regressions/json")) {
        // The target skips input that is not UTF-8, as a text frame cannot carry it.
        if let Ok(text) = std::str::from_utf8(bytes) {
            println!("{}", path.display());
            protocol::fuzzing::json(text);
        }
    }
    for (path, bytes) in seeds {
        let frame = WireFrame::Text(String::from_utf8(bytes).expect("a JSON seed is UTF-8"));
        assert!(
            decodes_as_named(Codec::Json, &path, frame),
            "{} is no frame any more",
            path.display()
        );
    }
}

/// Whether a seed decodes in the direction its name gives (`client-`, `golden-c`: client frames).
fn decodes_as_named(codec: Codec, path: &Path, frame: WireFrame) -> bool {
    let name = path.file_name().expect("a file name").to_string_lossy();
    if name.starts_with("client-") || name.starts_with("golden-c") {
        codec.decode_client(&frame).is_ok()
    } else {
        codec.decode_server(&frame).is_ok()
    }
}

/// Writes `seeds/bincode/` and `seeds/json/`: the golden frames, then the first sample of each message
/// kind (deterministic) that is at most [`MAX_SEED_BYTES`] in both codecs; and `seeds/json.dict`, every
/// field, variant and code name in the JSON seeds, for libFuzzer's `-dict` and the `json` target's
/// mutator.
fn write_seeds() {
    let mut seeds: BTreeMap<String, (Vec<u8>, String)> = BTreeMap::new();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for (path, _) in files_in(&golden) {
        if path.extension().is_some_and(|extension| extension == "hex") {
            let name = path.file_stem().expect("a name").to_string_lossy();
            let hex = std::fs::read_to_string(&path).expect("golden hex");
            let text =
                std::fs::read_to_string(golden.join(format!("{name}.json"))).expect("golden json");
            seeds.insert(format!("golden-{name}"), (unhex(hex.trim()), text));
        }
    }
    let mut runner = TestRunner::deterministic();
    let client = strategies::client_frame();
    let server = strategies::server_frame();
    for _ in 0..3000 {
        let frame = client.new_tree(&mut runner).expect("a sample").current();
        add_sample(&mut seeds, "client", |codec| {
            codec.encode_client(&frame).ok()
        });
        let frame = server.new_tree(&mut runner).expect("a sample").current();
        add_sample(&mut seeds, "server", |codec| {
            codec.encode_server(&frame).ok()
        });
    }
    let mut words = BTreeSet::new();
    for directory in ["seeds/bincode", "seeds/json"] {
        let _ = std::fs::remove_dir_all(fuzz_dir(directory));
        std::fs::create_dir_all(fuzz_dir(directory)).expect("writable seeds directory");
    }
    for (name, (binary, text)) in &seeds {
        std::fs::write(fuzz_dir(&format!("seeds/bincode/{name}.bin")), binary).expect("written");
        std::fs::write(fuzz_dir(&format!("seeds/json/{name}.json")), text).expect("written");
        collect_words(&serde_json::from_str(text).expect("JSON"), &mut words);
    }
    let dict: String = words
        .iter()
        .map(|word| format!("{}\n", serde_json::to_string(word).expect("a string")))
        .collect();
    std::fs::write(fuzz_dir("seeds/json.dict"), dict).expect("written");
}

/// Adds a sampled frame under its message kind if that kind has no seed yet and it is small.
fn add_sample(
    seeds: &mut BTreeMap<String, (Vec<u8>, String)>,
    direction: &str,
    encode: impl Fn(Codec) -> Option<WireFrame>,
) {
    let (Some(WireFrame::Binary(binary)), Some(WireFrame::Text(text))) =
        (encode(Codec::Bincode), encode(Codec::Json))
    else {
        return;
    };
    if binary.len().max(text.len()) > MAX_SEED_BYTES {
        return;
    }
    let kind = kind(&serde_json::from_str(&text).expect("JSON"));
    seeds
        .entry(format!("{direction}-{kind}"))
        .or_insert((binary, text));
}

/// A frame's message kind from its JSON: the request's name (client frames), `reply-` and the response's
/// name, `error-` and the code, or `push-` and the push's name.
fn kind(frame: &Value) -> String {
    // An enum's variant: the key of its object, or the string of a unit variant.
    let first_key = |value: &Value| match value {
        Value::String(unit) => unit.clone(),
        other => other
            .as_object()
            .and_then(|object| object.keys().next().cloned())
            .unwrap_or_default(),
    };
    if let Some(request) = frame.get("request") {
        return first_key(request);
    }
    match frame.as_object().and_then(|object| object.iter().next()) {
        Some((outer, inner)) if outer == "reply" => {
            format!("reply-{}", first_key(&inner["response"]))
        }
        Some((outer, inner)) if outer == "error" => {
            format!("error-{}", inner["code"].as_str().unwrap_or_default())
        }
        Some((outer, inner)) => format!("{outer}-{}", first_key(inner)),
        None => "unknown".into(),
    }
}

fn collect_words(value: &Value, words: &mut BTreeSet<String>) {
    match value {
        Value::String(text) if is_name(text) => {
            words.insert(text.clone());
        }
        Value::Array(items) => items.iter().for_each(|item| collect_words(item, words)),
        Value::Object(object) => {
            for (key, item) in object {
                if is_name(key) {
                    words.insert(key.clone());
                }
                collect_words(item, words);
            }
        }
        _ => {}
    }
}

/// A field, variant or code name (snake_case), not sampled data.
fn is_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_lowercase())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("golden hex"))
        .collect()
}
