//! JSON Web Tokens, on the `jsonwebtoken` crate: verifying the login service's player tokens (HS256 with a
//! shared secret, RS256 or ES256 with its public key) and issuing HS256 tokens (`--dev-auth`, tests, the
//! load tool).
//!
//! A token names a player only if, in this order:
//! - it is at most [`MAX_TOKEN_BYTES`] long;
//! - its header's `alg` is the one of a key the verifier holds: `none` and every other algorithm are
//!   refused before any signature is looked at, and a key verifies only its own algorithm (an RSA public
//!   key is never taken as an HMAC secret); a `crit` header is refused (the crate);
//! - the signature verifies;
//! - `sub` is a valid player id and `exp` is present; when configured, `iss` is the issuer and `aud` holds
//!   the audience; a token carrying an `aud` is refused when no audience is configured (RFC 7519 4.1.3:
//!   whoever it is for, it is not for a server that names none);
//! - its times hold against this node's clock, within the leeway: `exp` not passed, `nbf` reached, `iat`
//!   not in the future. Times are whole seconds (a JSON integer), checked here rather than by the crate
//!   so one clock, which tests can set, decides them all, `iat` included.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use protocol::PlayerId;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Longest token accepted, in bytes (the protocol's limit on `Hello.token`).
pub const MAX_TOKEN_BYTES: usize = protocol::limits::MAX_TOKEN_BYTES;

/// Clock skew tolerated on `exp`, `nbf` and `iat` unless configured, in seconds.
pub const DEFAULT_LEEWAY_SECONDS: u64 = 30;

/// Why a token was refused. Each message is safe to show the client.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    /// No token was presented.
    #[error("no token: send `Authorization: Bearer <token>`, `?token=`, or a token in hello")]
    Missing,
    /// Longer than [`MAX_TOKEN_BYTES`].
    #[error("token is {len} bytes long; at most {MAX_TOKEN_BYTES} are accepted")]
    TooLong {
        /// Its length.
        len: usize,
    },
    /// Not three base64url parts of JSON with the claims' types.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// Signed with an algorithm no configured key takes (`none` included).
    #[error("token algorithm {found} is not accepted (this server takes {accepted})")]
    WrongAlgorithm {
        /// The header's `alg`.
        found: String,
        /// What the verifier takes.
        accepted: String,
    },
    /// The signature does not match: forged, or signed with another key.
    #[error("token signature is invalid")]
    BadSignature,
    /// Past its `exp`.
    #[error("token expired")]
    Expired,
    /// Before its `nbf`.
    #[error("token not valid yet (nbf is in the future)")]
    NotYetValid,
    /// Its `iat` is in the future.
    #[error("token issued in the future (iat is ahead of the server's clock)")]
    IssuedInFuture,
    /// `iss` missing or not the configured issuer.
    #[error("token issuer (iss) is missing or not the one this server accepts")]
    WrongIssuer,
    /// `aud` missing or not naming the configured audience, or present when none is configured.
    #[error("token audience (aud) does not name this server")]
    WrongAudience,
    /// `sub` is not a valid player id.
    #[error("token subject is not a valid player id")]
    BadSubject,
}

/// A key that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    /// An empty HMAC secret.
    #[error("the HS256 secret is empty")]
    EmptySecret,
    /// A PEM file that is not an RSA or P-256 public key.
    #[error(
        "not a PEM public key for RS256 (RSA) or ES256 (EC P-256): {0}; export one with `openssl pkey -pubout`"
    )]
    PublicKey(&'static str),
    /// The build has no crypto backend for `jsonwebtoken` (see the workspace's Cargo.toml).
    #[error(
        "jsonwebtoken has no crypto provider: enable exactly one of its rust_crypto and aws_lc_rs features"
    )]
    NoCryptoProvider,
}

/// The claims Leapfrog reads from a token, and writes into the tokens it issues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The player.
    pub sub: PlayerId,
    /// Expiry, unix seconds.
    pub exp: u64,
    /// Issued at, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// Not valid before, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
}

impl Claims {
    /// Claims for `sub`, issued at `now_seconds` and valid for `ttl_seconds`.
    pub fn new(sub: PlayerId, now_seconds: u64, ttl_seconds: u64) -> Claims {
        Claims {
            sub,
            exp: now_seconds.saturating_add(ttl_seconds),
            iat: Some(now_seconds),
            nbf: None,
        }
    }
}

/// The claims as they arrive, before `sub` is checked as a player id.
#[derive(Deserialize)]
struct RawClaims {
    sub: String,
    exp: u64,
    #[serde(default)]
    iat: Option<u64>,
    #[serde(default)]
    nbf: Option<u64>,
}

/// A key that verifies one algorithm's tokens.
#[derive(Clone)]
pub struct VerifyingKey {
    algorithm: Algorithm,
    key: DecodingKey,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({:?})", self.algorithm)
    }
}

impl VerifyingKey {
    /// An HS256 secret.
    pub fn hs256(secret: &[u8]) -> Result<VerifyingKey, KeyError> {
        Ok(VerifyingKey {
            algorithm: Algorithm::HS256,
            key: DecodingKey::from_secret(secret).map_err(|_| KeyError::EmptySecret)?,
        })
    }

    /// A public key in PEM (`PUBLIC KEY`, or `RSA PUBLIC KEY`): RSA verifies RS256, EC P-256 ES256.
    pub fn from_public_key_pem(pem: &[u8]) -> Result<VerifyingKey, KeyError> {
        if String::from_utf8_lossy(pem).contains("PRIVATE KEY") {
            return Err(KeyError::PublicKey("it holds a private key"));
        }
        if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
            return Ok(VerifyingKey {
                algorithm: Algorithm::RS256,
                key,
            });
        }
        let key = DecodingKey::from_ec_pem(pem)
            .map_err(|_| KeyError::PublicKey("neither an RSA nor an EC public key"))?;
        // An uncompressed P-256 point is 65 bytes (0x04, x, y); P-384 would be 97.
        let is_p256 = matches!(
            key.kind(),
            jsonwebtoken::DecodingKeyKind::SecretOrDer(point) if point.len() == 65
        );
        if !is_p256 {
            return Err(KeyError::PublicKey("an EC key on another curve than P-256"));
        }
        Ok(VerifyingKey {
            algorithm: Algorithm::ES256,
            key,
        })
    }

    /// The algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

/// Verifies tokens against a set of keys (one per algorithm) and the claim rules of the module.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: Vec<VerifyingKey>,
    issuer: Option<String>,
    audience: Option<String>,
    leeway_seconds: u64,
}

impl Verifier {
    /// A verifier of tokens signed with any of `keys`, no `iss` or `aud` check, the default leeway.
    pub fn new(keys: Vec<VerifyingKey>) -> Verifier {
        Verifier {
            keys,
            issuer: None,
            audience: None,
            leeway_seconds: DEFAULT_LEEWAY_SECONDS,
        }
    }

    /// Requires `iss` to be `issuer`.
    pub fn with_issuer(mut self, issuer: Option<String>) -> Verifier {
        self.issuer = issuer;
        self
    }

    /// Requires `aud` to name `audience`.
    pub fn with_audience(mut self, audience: Option<String>) -> Verifier {
        self.audience = audience;
        self
    }

    /// Tolerates `seconds` of clock skew on the times.
    pub fn with_leeway(mut self, seconds: u64) -> Verifier {
        self.leeway_seconds = seconds;
        self
    }

    /// Whether any key is configured.
    pub fn has_keys(&self) -> bool {
        !self.keys.is_empty()
    }

    /// The claims of `token` if it verifies at unix time `now_seconds`.
    pub fn verify(&self, token: &str, now_seconds: u64) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLong { len: token.len() });
        }
        let algorithm = header_algorithm(token)?;
        let Some(key) = self
            .keys
            .iter()
            .find(|key| format!("{:?}", key.algorithm) == algorithm)
        else {
            return Err(TokenError::WrongAlgorithm {
                found: algorithm,
                accepted: self.accepted(),
            });
        };
        let mut validation = Validation::new(key.algorithm);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let mut required = vec!["exp", "sub"];
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        if let Some(audience) = &self.audience {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        let raw = jsonwebtoken::decode::<RawClaims>(token, &key.key, &validation)
            .map_err(|error| refusal(error.into_kind()))?
            .claims;
        let sub = PlayerId::new(raw.sub).map_err(|_| TokenError::BadSubject)?;
        let leeway = self.leeway_seconds;
        if raw.exp.saturating_add(leeway) < now_seconds {
            return Err(TokenError::Expired);
        }
        if raw
            .nbf
            .is_some_and(|nbf| nbf > now_seconds.saturating_add(leeway))
        {
            return Err(TokenError::NotYetValid);
        }
        if raw
            .iat
            .is_some_and(|iat| iat > now_seconds.saturating_add(leeway))
        {
            return Err(TokenError::IssuedInFuture);
        }
        Ok(Claims {
            sub,
            exp: raw.exp,
            iat: raw.iat,
            nbf: raw.nbf,
        })
    }

    fn accepted(&self) -> String {
        let names: Vec<String> = self
            .keys
            .iter()
            .map(|key| format!("{:?}", key.algorithm))
            .collect();
        if names.is_empty() {
            "no token at all".into()
        } else {
            names.join(", ")
        }
    }
}

/// The header's `alg` as written, read before anything else so an unknown one (`none`) is named in the
/// refusal instead of failing the crate's parse of the header.
fn header_algorithm(token: &str) -> Result<String, TokenError> {
    #[derive(Deserialize)]
    struct AlgorithmOnly {
        alg: String,
    }
    let header = token
        .split('.')
        .next()
        .filter(|_| token.split('.').count() == 3)
        .ok_or_else(|| TokenError::Malformed("not three dot-separated parts".into()))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| TokenError::Malformed("header is not base64url".into()))?;
    serde_json::from_slice::<AlgorithmOnly>(&bytes)
        .map(|header| header.alg)
        .map_err(|_| TokenError::Malformed("header is not JSON with an alg".into()))
}

/// The refusal for one of the crate's errors.
fn refusal(kind: ErrorKind) -> TokenError {
    match kind {
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => TokenError::WrongIssuer,
        ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => TokenError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) => {
            TokenError::Malformed(format!("missing claim {claim}"))
        }
        ErrorKind::InvalidClaimFormat(claim) => {
            TokenError::Malformed(format!("claim {claim} has the wrong type"))
        }
        ErrorKind::InvalidAlgorithm => TokenError::Malformed("algorithm and key disagree".into()),
        ErrorKind::Json(error) => TokenError::Malformed(format!("not the expected JSON: {error}")),
        ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
            TokenError::Malformed("a part is not base64url".into())
        }
        other => TokenError::Malformed(format!("{other:?}")),
    }
}

/// Verifies an HS256 `token` with `secret` at unix time `now_seconds` (default leeway, no `iss`/`aud`).
pub fn verify(token: &str, secret: &[u8], now_seconds: u64) -> Result<Claims, TokenError> {
    let key = VerifyingKey::hs256(secret).map_err(|_| TokenError::BadSignature)?;
    Verifier::new(vec![key]).verify(token, now_seconds)
}

/// Issues an HS256 token for `claims` signed with `secret` (dev auth, tests and the load tool; production
/// tokens come from the login service).
pub fn issue(claims: &Claims, secret: &[u8]) -> Result<String, KeyError> {
    issue_with_key_id(claims, secret, None)
}

/// [`issue`] with a `kid` header naming the key.
pub(crate) fn issue_with_key_id(
    claims: &Claims,
    secret: &[u8],
    key_id: Option<&str>,
) -> Result<String, KeyError> {
    let key = EncodingKey::from_secret(secret).map_err(|_| KeyError::EmptySecret)?;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = key_id.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &key).map_err(|_| KeyError::EmptySecret)
}

/// The `kid` of a token's header, if it has one and parses.
pub(crate) fn key_id(token: &str) -> Option<String> {
    jsonwebtoken::decode_header(token).ok()?.kid
}

#[cfg(test)]
mod tests;
