//! Player authentication: which player a connection acts as, from a token the game's login service
//! issued. A player id only ever comes from a verified token, never from a message.

pub mod jwt;

use hyper::HeaderMap;
use hyper::header::AUTHORIZATION;
use protocol::PlayerId;

pub(crate) use jwt::{Claims, TokenError};

use leapfrog_core::clock::unix_seconds;

/// Verifies tokens (and issues them under `--dev-auth`).
#[derive(Clone)]
pub(crate) struct Authenticator {
    secret: Vec<u8>,
}

impl Authenticator {
    /// An authenticator for tokens signed with `secret`.
    pub(crate) fn new(secret: Vec<u8>) -> Authenticator {
        Authenticator { secret }
    }

    /// The player a token names, if it verifies now.
    pub(crate) fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        jwt::verify(token, &self.secret, unix_seconds())
    }

    /// A token for `player`, valid for `ttl_seconds`.
    pub(crate) fn issue(&self, player: PlayerId, ttl_seconds: u64) -> String {
        jwt::issue(
            &Claims {
                sub: player,
                exp: unix_seconds() + ttl_seconds,
            },
            &self.secret,
        )
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
