//! HS256 JSON Web Tokens: verifying the login service's player tokens, and issuing tokens for
//! `--dev-auth`. Implemented on `hmac` and `sha2` directly: one algorithm, no algorithm negotiation to get
//! wrong (`alg: none` and public-key confusion cannot happen), constant-time signature comparison.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use protocol::PlayerId;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

/// Clock skew tolerated on `exp`, in seconds.
const LEEWAY_SECONDS: u64 = 30;
/// Longest token accepted, in bytes.
pub(crate) const MAX_TOKEN_BYTES: usize = 2048;

/// Why a token was refused. Each message is safe to show the client.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    /// No token was presented.
    #[error("no token: send `Authorization: Bearer <token>`, `?token=`, or a token in hello")]
    Missing,
    /// Not three base64url parts of JSON, or too long.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// Signed with another algorithm than HS256.
    #[error("token algorithm must be HS256")]
    WrongAlgorithm,
    /// The signature does not match: forged, or signed with another secret.
    #[error("token signature is invalid")]
    BadSignature,
    /// Past its `exp`.
    #[error("token expired")]
    Expired,
    /// `sub` is not a valid player id.
    #[error("token subject is not a valid player id")]
    BadSubject,
}

/// The claims Leapfrog reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The player.
    pub sub: PlayerId,
    /// Expiry, unix seconds.
    pub exp: u64,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

/// Verifies `token` with `secret` at unix time `now_seconds`.
pub fn verify(token: &str, secret: &[u8], now_seconds: u64) -> Result<Claims, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed("longer than 2048 bytes"));
    }
    let mut parts = token.split('.');
    let (Some(header_part), Some(payload_part), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed("not three dot-separated parts"));
    };
    let header: Header =
        decode_json(header_part).ok_or(TokenError::Malformed("header is not base64url JSON"))?;
    if header.alg != "HS256" {
        return Err(TokenError::WrongAlgorithm);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenError::Malformed("signature is not base64url"))?;
    let signed = &token[..header_part.len() + 1 + payload_part.len()];
    mac(secret, signed)
        .and_then(|mac| mac.verify_slice(&signature).ok())
        .ok_or(TokenError::BadSignature)?;
    let payload: serde_json::Value =
        decode_json(payload_part).ok_or(TokenError::Malformed("payload is not base64url JSON"))?;
    let exp = payload
        .get("exp")
        .and_then(serde_json::Value::as_u64)
        .ok_or(TokenError::Malformed("missing numeric exp"))?;
    let sub = payload
        .get("sub")
        .and_then(serde_json::Value::as_str)
        .ok_or(TokenError::Malformed("missing sub"))?;
    let sub = PlayerId::new(sub).map_err(|_| TokenError::BadSubject)?;
    if exp.saturating_add(LEEWAY_SECONDS) < now_seconds {
        return Err(TokenError::Expired);
    }
    Ok(Claims { sub, exp })
}

/// Issues an HS256 token for `claims` (dev auth and tests; production tokens come from the login service).
pub fn issue(claims: &Claims, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signed = format!("{header}.{payload}");
    let signature = mac(secret, &signed)
        .map(|mac| mac.finalize().into_bytes().to_vec())
        .unwrap_or_default();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The HMAC of `signed`; `None` only if the key were refused, which HMAC never does for any length.
fn mac(secret: &[u8], signed: &str) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).ok()?;
    mac.update(signed.as_bytes());
    Some(mac)
}

fn decode_json<T: for<'de> Deserialize<'de>>(part: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: u64 = 1_800_000_000;

    fn claims(exp: u64) -> Claims {
        Claims {
            sub: PlayerId::new("alice").unwrap(),
            exp,
        }
    }

    #[test]
    fn a_valid_token_verifies() {
        let token = issue(&claims(NOW + 60), SECRET);
        assert_eq!(verify(&token, SECRET, NOW), Ok(claims(NOW + 60)));
    }

    #[test]
    fn forged_expired_and_malformed_tokens_are_refused() {
        let token = issue(&claims(NOW + 60), SECRET);
        assert_eq!(
            verify(&token, b"another secret of enough length!", NOW),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify(&issue(&claims(NOW - 31), SECRET), SECRET, NOW),
            Err(TokenError::Expired)
        );
        assert!(
            verify(&issue(&claims(NOW - 30), SECRET), SECRET, NOW).is_ok(),
            "within leeway"
        );
        assert!(matches!(
            verify("a.b", SECRET, NOW),
            Err(TokenError::Malformed(_))
        ));
        assert!(matches!(
            verify("a.b.c.d", SECRET, NOW),
            Err(TokenError::Malformed(_))
        ));
        assert!(matches!(
            verify(&"x".repeat(3000), SECRET, NOW),
            Err(TokenError::Malformed(_))
        ));
        // The payload swapped for another player's, keeping the signature: forged.
        let mut parts: Vec<&str> = token.split('.').collect();
        let bob = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"bob","exp":{}}}"#, NOW + 60));
        parts[1] = &bob;
        assert_eq!(
            verify(&parts.join("."), SECRET, NOW),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn other_algorithms_are_refused() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"alice","exp":9999999999}"#);
        assert_eq!(
            verify(&format!("{header}.{payload}."), SECRET, NOW),
            Err(TokenError::WrongAlgorithm)
        );
    }

    #[test]
    fn a_bad_subject_is_refused() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#);
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"not a valid id","exp":9999999999}"#);
        let signed = format!("{header}.{payload}");
        let signature =
            URL_SAFE_NO_PAD.encode(mac(SECRET, &signed).unwrap().finalize().into_bytes());
        assert_eq!(
            verify(&format!("{signed}.{signature}"), SECRET, NOW),
            Err(TokenError::BadSubject)
        );
    }
}
