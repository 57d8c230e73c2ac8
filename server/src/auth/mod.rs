//! Player authentication: which player a connection acts as, from a token the game's login service
//! issued. A player id only ever comes from a verified token, never from a message.

pub mod jwt;

use hyper::HeaderMap;
use hyper::header::AUTHORIZATION;
use jsonwebtoken::{Algorithm, EncodingKey};
use protocol::PlayerId;

pub(crate) use jwt::{Claims, KeyError, TokenError};
use jwt::{Verifier, VerifyingKey};

use crate::config::AuthConfig;
use leapfrog_core::clock::unix_seconds;

/// The `kid` of the tokens `--dev-auth` issues: it routes them to the dev key, never to the login
/// service's keys.
pub(crate) const DEV_KEY_ID: &str = "leapfrog-dev-auth";

/// What the dev key is derived from with the production secret (HMAC-SHA256 of this text keyed by it).
const DEV_KEY_LABEL: &[u8] = b"leapfrog dev-auth token key, version 1";

/// Verifies tokens (and issues them under `--dev-auth`).
#[derive(Clone)]
pub(crate) struct Authenticator {
    /// The login service's keys, with the `iss`, `aud` and leeway rules.
    players: Verifier,
    /// Under `--dev-auth`: the dev key and its verifier.
    dev: Option<DevTokens>,
}

/// The tokens `--dev-auth` issues: HS256 with a key of their own, so a dev node never mints a token the
/// login service's key would accept.
#[derive(Clone)]
struct DevTokens {
    secret: Vec<u8>,
    verifier: Verifier,
}

impl Authenticator {
    /// An authenticator for `config`'s keys and rules.
    pub(crate) fn new(config: &AuthConfig) -> Result<Authenticator, KeyError> {
        if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
            return Err(KeyError::NoCryptoProvider);
        }
        let mut keys = Vec::new();
        if let Some(secret) = &config.jwt_secret {
            keys.push(VerifyingKey::hs256(secret)?);
        }
        keys.extend(config.public_key.iter().cloned());
        let players = Verifier::new(keys)
            .with_issuer(config.issuer.clone())
            .with_audience(config.audience.clone())
            .with_leeway(config.leeway_seconds);
        let dev = match config.dev_auth {
            false => None,
            true => {
                let secret = dev_secret(config.jwt_secret.as_deref())?;
                let verifier = Verifier::new(vec![VerifyingKey::hs256(&secret)?])
                    .with_leeway(config.leeway_seconds);
                Some(DevTokens { secret, verifier })
            }
        };
        Ok(Authenticator { players, dev })
    }

    /// The claims of a token, if it verifies now: a dev token (by its `kid`) with the dev key, any other
    /// with the login service's keys.
    pub(crate) fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let now = unix_seconds();
        match &self.dev {
            Some(dev) if jwt::key_id(token).as_deref() == Some(DEV_KEY_ID) => {
                dev.verifier.verify(token, now)
            }
            Some(dev) if !self.players.has_keys() => dev.verifier.verify(token, now),
            _ => self.players.verify(token, now),
        }
    }

    /// A dev token for `player`, valid for `ttl_seconds`; `None` without `--dev-auth`.
    pub(crate) fn issue_dev(
        &self,
        player: PlayerId,
        ttl_seconds: u64,
    ) -> Option<Result<String, KeyError>> {
        let dev = self.dev.as_ref()?;
        let claims = Claims::new(player, unix_seconds(), ttl_seconds);
        Some(jwt::issue_with_key_id(
            &claims,
            &dev.secret,
            Some(DEV_KEY_ID),
        ))
    }
}

/// The dev key: derived from the production secret when there is one (so nodes sharing `--jwt-secret`
/// accept each other's dev tokens, and a dev token is still not a production token), else random (this
/// node's dev tokens work only here).
fn dev_secret(production: Option<&[u8]>) -> Result<Vec<u8>, KeyError> {
    match production {
        None => Ok(rand::random::<[u8; 32]>().to_vec()),
        Some(secret) => {
            let key = EncodingKey::from_secret(secret).map_err(|_| KeyError::EmptySecret)?;
            jsonwebtoken::crypto::sign(DEV_KEY_LABEL, &key, Algorithm::HS256)
                .map(String::into_bytes)
                .map_err(|_| KeyError::EmptySecret)
        }
    }
}

/// The credential of an `Authorization: Bearer <credential>` header, as sent.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
}

/// The player token a request presents: `Authorization: Bearer`, else `?token=` (for browsers, which
/// cannot set headers on a WebSocket). An empty one counts as none.
pub(crate) fn presented_token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    let from_query = || {
        query.and_then(|query| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix("token="))
        })
    };
    bearer(headers)
        .map(str::trim)
        .or_else(from_query)
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn a_token_comes_from_the_header_before_the_query() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            presented_token(&headers, Some("a=1&token=q.u.e")),
            Some("q.u.e".into())
        );
        assert_eq!(presented_token(&headers, Some("token=")), None);
        assert_eq!(presented_token(&headers, None), None);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer h.e.a "));
        assert_eq!(bearer(&headers), Some("h.e.a "));
        assert_eq!(
            presented_token(&headers, Some("token=q.u.e")),
            Some("h.e.a".into())
        );
    }
}
