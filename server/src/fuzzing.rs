//! The properties the `handshake` fuzz target checks (`fuzz/`, cargo-fuzz on nightly): the WebSocket
//! upgrade request's parsing, where the token is found, and token verification. Compiled only with the
//! `fuzzing` feature, so the target and the stable replay of its corpus (`tests/fuzz_corpus.rs`) run the
//! same code; the functions it reaches stay `pub(crate)`. It panics when a property breaks.
//!
//! Two targets: `handshake` reads an input as a request head; `token` as a token and as the parts of
//! one (see [`token`]).
//!
//! For `handshake`, an input is a request head as text, lines split at `\n` (a `\r` before it is dropped):
//! - the first line is the request line, `GET /ws?token=… HTTP/1.1`; its target (between the first and
//!   the last space, or the whole line) is parsed as a URI, as hyper does, for its query;
//! - each further `Name: value` line is a header, appended in order (a line hyper could not have
//!   delivered, with an invalid name or value, is skipped);
//! - `#jwt-header JSON` and `#jwt-claims JSON` lines are not headers: they make a token of those parts
//!   signed with [`HS256_SECRET`], verified besides the one the request presents, so the fuzzer reaches
//!   the claim rules behind the signature check (and tries other `alg`s on an HMAC signature).
//!
//! Tokens are verified at [`NOW_SECONDS`] by two verifiers holding an HS256 secret and RS256 and ES256
//! public keys (`fuzz/keys/`): one with no `iss` or `aud` rule and the default leeway, one requiring
//! [`ISSUER`] and [`AUDIENCE`] with no leeway. A token either accepts satisfies the rules of
//! [`crate::auth::jwt`] and is refused once its signature changes; an accepted HS256 token carries the
//! secret's own HMAC, and no token of another `alg` is accepted with it (key confusion). The node's own
//! [`Authenticator`] (that secret and the RS256 key, `--dev-auth` on) never panics either, and never
//! takes a token HMACed with the production secret as a dev token.

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::header::{HeaderName, HeaderValue, SEC_WEBSOCKET_KEY};
use hyper::{HeaderMap, Uri};
use jsonwebtoken::{Algorithm, EncodingKey};

use crate::auth::jwt::{
    self, Claims, DEFAULT_LEEWAY_SECONDS, MAX_TOKEN_BYTES, Verifier, VerifyingKey,
};
use crate::auth::{Authenticator, DEV_KEY_ID};
use crate::config::AuthConfig;

/// The verifiers' clock, unix seconds (2027-01-15).
pub const NOW_SECONDS: u64 = 1_800_000_000;
/// The HS256 secret of both verifiers.
pub const HS256_SECRET: &[u8] = b"leapfrog fuzzing secret: no deployment uses it";
/// The `iss` the strict verifier requires.
pub const ISSUER: &str = "https://login.leapfrog.test";
/// The `aud` the strict verifier requires.
pub const AUDIENCE: &str = "leapfrog-fuzz";
/// The RS256 public key of both verifiers (its private key signed the seeds, then was discarded).
pub const RS256_PUBLIC_PEM: &[u8] = include_bytes!("../fuzz/keys/rs256.pub.pem");
/// The ES256 public key of both verifiers (likewise).
pub const ES256_PUBLIC_PEM: &[u8] = include_bytes!("../fuzz/keys/es256.pub.pem");

/// The verifier with no `iss` or `aud` rule, and the one requiring both with no leeway.
static VERIFIERS: LazyLock<[(Verifier, u64); 2]> = LazyLock::new(|| {
    let keys = vec![
        VerifyingKey::hs256(HS256_SECRET).expect("a secret"),
        VerifyingKey::from_public_key_pem(RS256_PUBLIC_PEM).expect("fuzz/keys/rs256.pub.pem"),
        VerifyingKey::from_public_key_pem(ES256_PUBLIC_PEM).expect("fuzz/keys/es256.pub.pem"),
    ];
    [
        (Verifier::new(keys.clone()), DEFAULT_LEEWAY_SECONDS),
        (
            Verifier::new(keys)
                .with_issuer(Some(ISSUER.into()))
                .with_audience(Some(AUDIENCE.into()))
                .with_leeway(0),
            0,
        ),
    ]
});

/// The node's authenticator as `--jwt-secret`, `--public-key` (RS256) and `--dev-auth` make it; it reads
/// the real clock, so only what holds at any time is checked of it.
static AUTHENTICATOR: LazyLock<Authenticator> = LazyLock::new(|| {
    Authenticator::new(&AuthConfig {
        jwt_secret: Some(HS256_SECRET.to_vec()),
        public_key: Some(
            VerifyingKey::from_public_key_pem(RS256_PUBLIC_PEM).expect("fuzz/keys/rs256.pub.pem"),
        ),
        issuer: None,
        audience: None,
        leeway_seconds: DEFAULT_LEEWAY_SECONDS,
        dev_auth: true,
    })
    .expect("an authenticator")
});

/// How far an input got, so the replay can check that the seeds reach every path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reached {
    /// The upgrade request was accepted.
    pub upgrade: bool,
    /// The algorithms of the tokens the lenient verifier accepted (presented, then made).
    pub lenient: Vec<Algorithm>,
    /// Likewise for the strict verifier.
    pub strict: Vec<Algorithm>,
    /// The node's authenticator accepted a dev token (by its `kid`, with the dev key).
    pub dev: bool,
}

/// A dev token for `player` as the node's authenticator issues it (`POST /dev/token`), valid for
/// `ttl_seconds` from now (that authenticator reads the real clock): for the seeds.
pub fn dev_token(player: &str, ttl_seconds: u64) -> String {
    let player = protocol::PlayerId::new(player).expect("a player id");
    AUTHENTICATOR
        .issue_dev(player, ttl_seconds)
        .expect("--dev-auth is on")
        .expect("a dev token")
}

/// Parses the request in `input`, finds its token, verifies it and any token the input makes.
pub fn handshake(input: &[u8]) -> Reached {
    let request = Request::read(input);
    let query = request.target.as_ref().and_then(Uri::query);
    let presented = crate::auth::presented_token(&request.headers, query);
    assert!(
        presented.as_ref().is_none_or(|token| !token.is_empty()),
        "an empty token counts as none"
    );
    let mut reached = Reached::default();
    if let Ok(upgrade) = crate::gateway::handshake::parse(&request.headers, query) {
        assert_eq!(
            upgrade.token, presented,
            "the upgrade carries the presented token"
        );
        let key = request.headers.get(SEC_WEBSOCKET_KEY);
        assert_eq!(
            Some(upgrade.key.as_bytes()),
            key.map(HeaderValue::as_bytes),
            "the key answered is the request's"
        );
        reached.upgrade = true;
    }
    for token in presented.into_iter().chain(request.made_token()) {
        verify_all(&token, &mut reached);
    }
    reached
}

/// The `token` target: `input` (lossily UTF-8, as a `hello` token is text) as a token; then, when it has
/// a line break, its first line as a token's header JSON and the rest as its claims JSON, signed with
/// [`HS256_SECRET`] (past the signature, to the claim rules). Each goes through both verifiers and the
/// node's [`Authenticator`].
pub fn token(input: &[u8]) -> Reached {
    let mut reached = Reached::default();
    let raw = String::from_utf8_lossy(input);
    verify_all(&raw, &mut reached);
    if let Some(newline) = input.iter().position(|&byte| byte == b'\n') {
        let header = String::from_utf8_lossy(&input[..newline]);
        let claims = String::from_utf8_lossy(&input[newline + 1..]);
        verify_all(&made_token(&header, &claims), &mut reached);
    }
    reached
}

/// Verifies `token` with both verifiers, then with the node's authenticator; records what accepted it.
fn verify_all(token: &str, reached: &mut Reached) {
    for (index, (verifier, leeway)) in VERIFIERS.iter().enumerate() {
        if let Some(algorithm) = verify(verifier, *leeway, token) {
            match index {
                0 => reached.lenient.push(algorithm),
                _ => reached.strict.push(algorithm),
            }
        }
    }
    if AUTHENTICATOR.verify(token).is_ok() && jwt::key_id(token).as_deref() == Some(DEV_KEY_ID) {
        let (signing_input, signature) = token.rsplit_once('.').expect("three parts");
        assert_ne!(
            signature,
            hs256_signature(signing_input),
            "a token HMACed with the production secret passed as a dev token"
        );
        reached.dev = true;
    }
}

/// Verifies `token`, checks the properties of an accepted one, and returns its algorithm.
fn verify(verifier: &Verifier, leeway: u64, token: &str) -> Option<Algorithm> {
    let _ = jwt::key_id(token);
    let claims = verifier.verify(token, NOW_SECONDS).ok()?;
    let algorithm = accepted(token, &claims, leeway);
    let tampered = with_other_signature(token);
    assert!(
        verifier.verify(&tampered, NOW_SECONDS).is_err(),
        "a token was still accepted with its signature changed: {tampered}"
    );
    Some(algorithm)
}

/// The rules an accepted token satisfies; its algorithm.
fn accepted(token: &str, claims: &Claims, leeway: u64) -> Algorithm {
    assert!(token.len() <= MAX_TOKEN_BYTES, "accepted a token too long");
    let now = NOW_SECONDS;
    assert!(claims.exp.saturating_add(leeway) >= now, "accepted expired");
    assert!(
        claims.nbf.is_none_or(|nbf| nbf <= now + leeway),
        "accepted before nbf"
    );
    assert!(
        claims.iat.is_none_or(|iat| iat <= now + leeway),
        "accepted an iat in the future"
    );
    let algorithm = jsonwebtoken::decode_header(token)
        .expect("an accepted token's header parses")
        .alg;
    assert!(
        matches!(
            algorithm,
            Algorithm::HS256 | Algorithm::RS256 | Algorithm::ES256
        ),
        "accepted {algorithm:?}, which no key takes"
    );
    let (signing_input, signature) = token.rsplit_once('.').expect("three parts");
    let hmac = hs256_signature(signing_input);
    if algorithm == Algorithm::HS256 {
        assert_eq!(
            signature, hmac,
            "accepted an HS256 token not signed with the secret"
        );
    } else {
        assert_ne!(
            signature, hmac,
            "accepted {algorithm:?} with an HMAC signature"
        );
    }
    algorithm
}

/// The HS256 signature of `signing_input` with [`HS256_SECRET`], base64url.
fn hs256_signature(signing_input: &str) -> String {
    let key = EncodingKey::from_secret(HS256_SECRET).expect("a secret");
    jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, Algorithm::HS256)
        .expect("HMAC signs anything")
}

/// `token` with the first character of its signature replaced.
fn with_other_signature(token: &str) -> String {
    let (signing_input, signature) = token.rsplit_once('.').expect("three parts");
    let mut chars = signature.chars();
    let other = match chars.next() {
        Some('A') => 'B',
        _ => 'A',
    };
    format!("{signing_input}.{other}{}", chars.as_str())
}

/// A request head read from an input (see the module's documentation).
struct Request {
    target: Option<Uri>,
    headers: HeaderMap,
    jwt_header: Option<String>,
    jwt_claims: Option<String>,
}

impl Request {
    fn read(input: &[u8]) -> Request {
        let mut lines = input
            .split(|&byte| byte == b'\n')
            .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
        let request_line = lines.next().unwrap_or_default();
        let target = match (
            request_line.iter().position(|&byte| byte == b' '),
            request_line.iter().rposition(|&byte| byte == b' '),
        ) {
            (Some(first), Some(last)) if first < last => &request_line[first + 1..last],
            _ => request_line,
        };
        let mut request = Request {
            target: Uri::try_from(target).ok(),
            headers: HeaderMap::new(),
            jwt_header: None,
            jwt_claims: None,
        };
        for line in lines {
            if let Some(json) = line.strip_prefix(b"#jwt-header ") {
                request.jwt_header = Some(String::from_utf8_lossy(json).into_owned());
            } else if let Some(json) = line.strip_prefix(b"#jwt-claims ") {
                request.jwt_claims = Some(String::from_utf8_lossy(json).into_owned());
            } else if let Some(colon) = line.iter().position(|&byte| byte == b':') {
                let value = line[colon + 1..].trim_ascii();
                if let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(&line[..colon]),
                    HeaderValue::from_bytes(value),
                ) {
                    request.headers.append(name, value);
                }
            }
        }
        request
    }

    /// The token of the `#jwt-` lines, signed with [`HS256_SECRET`], if the input has one.
    fn made_token(&self) -> Option<String> {
        if self.jwt_header.is_none() && self.jwt_claims.is_none() {
            return None;
        }
        let header = self
            .jwt_header
            .as_deref()
            .unwrap_or(r#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = self.jwt_claims.as_deref().unwrap_or("{}");
        Some(made_token(header, claims))
    }
}

/// A token of `header` and `claims` (any text, base64url-encoded as is), HMACed with [`HS256_SECRET`].
fn made_token(header: &str, claims: &str) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let signature = hs256_signature(&signing_input);
    format!("{signing_input}.{signature}")
}
