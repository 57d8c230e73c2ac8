//! The server fuzz targets' seeds and crash reproducers (`fuzz/seeds/<target>/`,
//! `fuzz/regressions/<target>/`), replayed through the same checks (`leapfrog_server::fuzzing`) without
//! libFuzzer, so every `cargo test` runs them; and the seeds' reach: an accepted upgrade, tokens of each
//! algorithm accepted, a dev token accepted. `BLESS=1 cargo test -p leapfrog-server --test it
//! fuzz_corpus` makes new key pairs (`fuzz/keys/` keeps the public halves, compiled into the `fuzzing`
//! module) and writes the seeds again; review the diff and run it once more without `BLESS`.

use std::path::{Path, PathBuf};
use std::sync::Once;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use leapfrog_server::fuzzing::{self, AUDIENCE, HS256_SECRET, ISSUER, NOW_SECONDS, Reached};
use serde_json::{Value, json};

use crate::support::keys::{KeyKind, KeyPair};

fn fuzz_dir(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(relative)
}

/// The files of `relative` (under `fuzz/`) and their bytes, sorted; none when it does not exist.
fn files(relative: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir(relative)) else {
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

/// Under `BLESS`, writes the keys and seeds once, before either test reads them, and says so: the
/// seeds are then checked by the next build, the one with the new public keys compiled in.
fn bless() -> bool {
    static BLESS: Once = Once::new();
    let blessing = std::env::var_os("BLESS").is_some();
    if blessing {
        BLESS.call_once(write_seeds);
    }
    blessing
}

/// Replays `target`'s seeds and reproducers through `check`; what the seeds reached together.
fn replay(target: &str, check: fn(&[u8]) -> Reached) -> Reached {
    let seeds = files(&format!("seeds/{target}"));
    assert!(seeds.len() > 10, "the {target} seed corpus is missing");
    let mut reached = Reached::default();
    for (path, bytes) in &seeds {
        println!("{}", path.display());
        let seed = check(bytes);
        reached.upgrade |= seed.upgrade;
        reached.lenient.extend(seed.lenient);
        reached.strict.extend(seed.strict);
        reached.dev |= seed.dev;
    }
    for (path, bytes) in files(&format!("regressions/{target}")) {
        println!("{}", path.display());
        check(&bytes);
    }
    reached
}

/// The seeds still reach tokens of every algorithm and the strict verifier (else the keys changed).
fn assert_tokens_reached(reached: &Reached) {
    for algorithm in [Algorithm::HS256, Algorithm::RS256, Algorithm::ES256] {
        assert!(
            reached.lenient.contains(&algorithm),
            "no seed has a valid {algorithm:?} token: BLESS=1 writes the seeds and keys again"
        );
    }
    assert!(
        !reached.strict.is_empty(),
        "no seed has a token with the issuer and audience"
    );
}

#[test]
fn the_seeds_and_reproducers_pass_the_handshake_target() {
    if bless() {
        return;
    }
    let reached = replay("handshake", fuzzing::handshake);
    assert!(reached.upgrade, "no seed is an accepted upgrade");
    assert_tokens_reached(&reached);
}

#[test]
fn the_seeds_and_reproducers_pass_the_token_target() {
    if bless() {
        return;
    }
    let reached = replay("token", fuzzing::token);
    assert_tokens_reached(&reached);
    assert!(reached.dev, "no seed is a dev token the node accepts");
}

/// A few upgrade requests: tokens of each kind, in the header and the query, valid or refused for each
/// reason, and tokens made from `#jwt-` lines.
fn write_seeds() {
    let rsa = KeyPair::generate(KeyKind::Rsa2048);
    let p256 = KeyPair::generate(KeyKind::P256);
    std::fs::write(fuzz_dir("keys/rs256.pub.pem"), &rsa.public_pem).expect("written");
    std::fs::write(fuzz_dir("keys/es256.pub.pem"), &p256.public_pem).expect("written");
    let secret = EncodingKey::from_secret(HS256_SECRET).expect("a secret");
    let rs256 = EncodingKey::from_rsa_pem(&rsa.private_pem).expect("an RSA key");
    let es256 = EncodingKey::from_ec_pem(&p256.private_pem).expect("a P-256 key");
    let sign = |algorithm, key: &EncodingKey, claims: &Value| {
        jsonwebtoken::encode(&Header::new(algorithm), claims, key).expect("signs")
    };
    let now = NOW_SECONDS;
    let valid = json!({"sub": "alice", "exp": now + 3600, "iat": now - 60});
    let strict = json!({
        "sub": "bob", "exp": now + 60, "nbf": now - 1, "iss": ISSUER, "aud": [AUDIENCE, "shop"],
    });
    let hs = sign(Algorithm::HS256, &secret, &valid);
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(valid.to_string())
    );
    let mut dev_header = Header::new(Algorithm::HS256);
    dev_header.kid = Some("leapfrog-dev-auth".into());
    let dev = jsonwebtoken::encode(&dev_header, &valid, &secret).expect("signs");
    // An HS256 token whose secret is the RS256 public key: key confusion.
    let confused_key = EncodingKey::from_secret(&rsa.public_pem).expect("a secret");
    let bearer = |token: &str| format!("Authorization: Bearer {token}");
    let seeds = [
        (
            "upgrade-json-bearer-hs256",
            upgrade("/ws", &["leapfrog.v1.json"], &bearer(&hs)),
        ),
        (
            "upgrade-bincode-query-rs256",
            upgrade(
                &format!("/ws?v=1&token={}", sign(Algorithm::RS256, &rs256, &valid)),
                &["leapfrog.v1.bincode"],
                "",
            ),
        ),
        (
            "upgrade-preference-bearer-es256",
            upgrade(
                "/ws",
                &["leapfrog.v2.json, leapfrog.v1.bincode", "leapfrog.v1.json"],
                &bearer(&sign(Algorithm::ES256, &es256, &valid)),
            ),
        ),
        (
            "upgrade-issuer-audience-hs256",
            upgrade(
                "/ws",
                &["leapfrog.v1.json"],
                &bearer(&sign(Algorithm::HS256, &secret, &strict)),
            ),
        ),
        (
            "upgrade-no-token",
            upgrade("/ws?token=", &["leapfrog.v1.json"], ""),
        ),
        (
            "upgrade-other-version",
            upgrade("/ws", &["leapfrog.v9.json"], &bearer(&hs)),
        ),
        (
            "upgrade-alg-none",
            upgrade("/ws", &["leapfrog.v1.json"], &bearer(&none)),
        ),
        (
            "upgrade-expired",
            upgrade(
                "/ws",
                &["leapfrog.v1.json"],
                &bearer(&sign(
                    Algorithm::HS256,
                    &secret,
                    &json!({"sub": "alice", "exp": now - 3600}),
                )),
            ),
        ),
        (
            "upgrade-forged",
            upgrade(
                "/ws",
                &["leapfrog.v1.json"],
                &bearer(&sign(
                    Algorithm::HS256,
                    &EncodingKey::from_secret(b"another secret").expect("a secret"),
                    &valid,
                )),
            ),
        ),
        (
            "upgrade-key-confusion",
            upgrade(
                "/ws",
                &["leapfrog.v1.json"],
                &bearer(&sign(Algorithm::HS256, &confused_key, &valid)),
            ),
        ),
        (
            "http-api-query-dev-token",
            format!("GET /api/v1/boards?period=weekly&token={dev} HTTP/1.1\nHost: localhost\n"),
        ),
        (
            "made-issuer-audience",
            format!(
                "GET /ws HTTP/1.1\n#jwt-header {}\n#jwt-claims {}\n",
                json!({"alg": "HS256", "typ": "JWT"}),
                strict
            ),
        ),
        (
            "made-rs256-with-hmac",
            format!(
                "GET /ws HTTP/1.1\n#jwt-header {}\n#jwt-claims {}\n",
                json!({"alg": "RS256"}),
                valid
            ),
        ),
    ];
    write_target_seeds("handshake", &seeds);
    // The token target: tokens as sent, and `header\nclaims` made into tokens with the secret.
    let made = |header: Value, claims: &Value| format!("{header}\n{claims}");
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    let token_seeds = [
        ("raw-hs256", hs.clone()),
        ("raw-rs256", sign(Algorithm::RS256, &rs256, &valid)),
        ("raw-es256", sign(Algorithm::ES256, &es256, &valid)),
        (
            "raw-issuer-audience",
            sign(Algorithm::HS256, &secret, &strict),
        ),
        ("raw-alg-none", none),
        (
            "raw-key-confusion",
            sign(Algorithm::HS256, &confused_key, &valid),
        ),
        // Valid for ten years from now: the node's authenticator reads the real clock.
        ("raw-dev", fuzzing::dev_token("carol", 10 * 365 * 24 * 3600)),
        ("raw-dev-kid-production-key", dev),
        ("made-valid", made(hs256.clone(), &valid)),
        ("made-issuer-audience", made(hs256.clone(), &strict)),
        (
            "made-dev-kid",
            made(json!({"alg": "HS256", "kid": "leapfrog-dev-auth"}), &valid),
        ),
        ("made-rs256", made(json!({"alg": "RS256"}), &valid)),
        (
            "made-crit",
            made(json!({"alg": "HS256", "crit": ["exp"]}), &valid),
        ),
        (
            "made-not-yet-valid",
            made(
                hs256.clone(),
                &json!({"sub": "alice", "exp": now + 60, "nbf": now + 600}),
            ),
        ),
        (
            "made-issued-in-future",
            made(
                hs256.clone(),
                &json!({"sub": "alice", "exp": now + 60, "iat": now + 600}),
            ),
        ),
        (
            "made-audience-string",
            made(
                hs256.clone(),
                &json!({"sub": "alice", "exp": now + 60, "aud": AUDIENCE}),
            ),
        ),
        (
            "made-bad-subject",
            made(hs256.clone(), &json!({"sub": "", "exp": now + 60})),
        ),
        (
            "made-float-exp",
            made(hs256, &json!({"sub": "alice", "exp": 1.8e9, "iss": ISSUER})),
        ),
    ];
    write_target_seeds("token", &token_seeds);
}

/// Writes `seeds/<target>/` again with `seeds`, named files of text.
fn write_target_seeds<T: AsRef<[u8]>>(target: &str, seeds: &[(&str, T)]) {
    let directory = format!("seeds/{target}");
    let _ = std::fs::remove_dir_all(fuzz_dir(&directory));
    std::fs::create_dir_all(fuzz_dir(&directory)).expect("writable seeds directory");
    for (name, text) in seeds {
        std::fs::write(fuzz_dir(&format!("{directory}/{name}")), text).expect("written");
    }
}

/// An upgrade request for `target` offering `protocols` (one header each), with `extra` headers.
fn upgrade(target: &str, protocols: &[&str], extra: &str) -> String {
    let mut request = format!(
        "GET {target} HTTP/1.1\nHost: localhost:7000\nUpgrade: websocket\nConnection: keep-alive, Upgrade\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nSec-WebSocket-Version: 13\n"
    );
    for protocol in protocols {
        request.push_str(&format!("Sec-WebSocket-Protocol: {protocol}\n"));
    }
    if !extra.is_empty() {
        request.push_str(extra);
        request.push('\n');
    }
    request
}
