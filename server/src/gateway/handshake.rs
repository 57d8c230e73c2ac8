//! The WebSocket upgrade request: checks it is one, negotiates the codec, and finds the token.

use hyper::HeaderMap;
use hyper::header::{
    CONNECTION, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL, SEC_WEBSOCKET_VERSION, UPGRADE,
};
use protocol::{Codec, NegotiationError};
use thiserror::Error;

/// What a valid upgrade request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upgrade {
    /// The `Sec-WebSocket-Key` to answer.
    pub key: String,
    /// The negotiated codec.
    pub codec: Codec,
    /// The token from `Authorization: Bearer` or `?token=`, if any.
    pub token: Option<String>,
}

/// Why an upgrade request is refused (answered with 400 or 426 and this text).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub(crate) enum HandshakeError {
    /// Not a WebSocket upgrade.
    #[error(
        "expected a WebSocket upgrade (Upgrade: websocket, Sec-WebSocket-Key, Sec-WebSocket-Version: 13)"
    )]
    NotWebSocket,
    /// No subprotocol this server speaks.
    #[error(transparent)]
    Subprotocol(#[from] NegotiationError),
}

/// Reads an upgrade request's headers and query string.
pub(crate) fn parse(headers: &HeaderMap, query: Option<&str>) -> Result<Upgrade, HandshakeError> {
    let has = |name, value: &str| {
        headers.get_all(name).iter().any(|header| {
            header.to_str().is_ok_and(|text| {
                text.split(',')
                    .any(|part| part.trim().eq_ignore_ascii_case(value))
            })
        })
    };
    if !has(UPGRADE, "websocket")
        || !has(CONNECTION, "upgrade")
        || !has(SEC_WEBSOCKET_VERSION, "13")
    {
        return Err(HandshakeError::NotWebSocket);
    }
    let key = headers
        .get(SEC_WEBSOCKET_KEY)
        .and_then(|value| value.to_str().ok())
        .ok_or(HandshakeError::NotWebSocket)?
        .to_owned();
    let offered = headers
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok());
    let codec = protocol::negotiate(offered)?;
    Ok(Upgrade {
        key,
        codec,
        token: crate::auth::presented_token(headers, query),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::{AUTHORIZATION, HeaderValue};

    fn headers(protocols: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(CONNECTION, HeaderValue::from_static("keep-alive, Upgrade"));
        headers.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
        headers.insert(
            SEC_WEBSOCKET_KEY,
            HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
        );
        headers.insert(
            SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_str(protocols).unwrap(),
        );
        headers
    }

    #[test]
    fn finds_codec_and_token_in_header_or_query() {
        let mut with_bearer = headers("leapfrog.v1.json");
        with_bearer.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Bearer abc.def.ghi"),
        );
        let upgrade = parse(&with_bearer, None).unwrap();
        assert_eq!(upgrade.codec, Codec::Json);
        assert_eq!(upgrade.token.as_deref(), Some("abc.def.ghi"));
        let upgrade = parse(&headers("leapfrog.v1.bincode"), Some("x=1&token=t.o.k")).unwrap();
        assert_eq!(
            (upgrade.codec, upgrade.token.as_deref()),
            (Codec::Bincode, Some("t.o.k"))
        );
        assert_eq!(
            parse(&headers("leapfrog.v1.json"), None).unwrap().token,
            None
        );
    }

    #[test]
    fn refuses_other_versions_and_plain_requests() {
        let error = parse(&headers("leapfrog.v9.json"), None).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("this server speaks leapfrog.v1.bincode, leapfrog.v1.json")
        );
        assert_eq!(
            parse(&HeaderMap::new(), None),
            Err(HandshakeError::NotWebSocket)
        );
    }
}
