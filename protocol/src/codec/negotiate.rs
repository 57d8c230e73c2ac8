//! Choosing the codec in the WebSocket handshake (`Sec-WebSocket-Protocol`). The protocol version is
//! part of the subprotocol name, so a client of another version is refused before the upgrade.

use thiserror::Error;

use super::Codec;

/// The version of the protocol this crate speaks.
pub const PROTOCOL_VERSION: u16 = 1;

/// Why no subprotocol could be agreed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NegotiationError {
    /// The client offered no subprotocol at all.
    #[error(
        "no Sec-WebSocket-Protocol offered: this server speaks {}",
        Codec::SUPPORTED
    )]
    NoneOffered,
    /// The client offered Leapfrog subprotocols of other versions only.
    #[error(
        "unsupported protocol version (offered: {offered}): this server speaks {}",
        Codec::SUPPORTED
    )]
    UnsupportedVersion {
        /// What the client offered.
        offered: String,
    },
    /// The client offered only subprotocols that are not Leapfrog's.
    #[error(
        "unknown subprotocol (offered: {offered}): this server speaks {}",
        Codec::SUPPORTED
    )]
    Unknown {
        /// What the client offered.
        offered: String,
    },
}

/// Picks the first codec this server speaks among the comma-separated subprotocols of every
/// `Sec-WebSocket-Protocol` header value, in the client's order of preference.
pub fn negotiate<'a>(
    header_values: impl IntoIterator<Item = &'a str>,
) -> Result<Codec, NegotiationError> {
    let offered: Vec<&str> = header_values
        .into_iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    if offered.is_empty() {
        return Err(NegotiationError::NoneOffered);
    }
    if let Some(codec) = offered
        .iter()
        .find_map(|name| Codec::from_subprotocol(name))
    {
        return Ok(codec);
    }
    let list = offered.join(", ");
    if offered.iter().any(|name| name.starts_with("leapfrog.")) {
        Err(NegotiationError::UnsupportedVersion { offered: list })
    } else {
        Err(NegotiationError::Unknown { offered: list })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_clients_first_supported_choice() {
        assert_eq!(negotiate(["leapfrog.v1.json"]), Ok(Codec::Json));
        assert_eq!(
            negotiate([
                "leapfrog.v2.bincode, leapfrog.v1.bincode",
                "leapfrog.v1.json"
            ]),
            Ok(Codec::Bincode)
        );
    }

    #[test]
    fn refuses_other_versions_and_strangers_with_the_supported_list() {
        let error = negotiate(["leapfrog.v2.json"]).unwrap_err();
        assert!(matches!(error, NegotiationError::UnsupportedVersion { .. }));
        assert!(
            error
                .to_string()
                .contains("leapfrog.v1.bincode, leapfrog.v1.json")
        );
        assert!(matches!(
            negotiate(["chat"]),
            Err(NegotiationError::Unknown { .. })
        ));
        assert_eq!(negotiate([" , "]), Err(NegotiationError::NoneOffered));
        assert_eq!(negotiate([]), Err(NegotiationError::NoneOffered));
    }
}
