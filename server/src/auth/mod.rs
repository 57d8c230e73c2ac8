//! Player authentication: which player a connection acts as, from a token the game's login service
//! issued. A player id only ever comes from a verified token, never from a message.

pub mod jwt;

use protocol::PlayerId;

pub use jwt::{Claims, TokenError};

use crate::clock::unix_seconds;

/// Verifies tokens (and issues them under `--dev-auth`).
#[derive(Clone)]
pub struct Authenticator {
    secret: Vec<u8>,
}

impl Authenticator {
    /// An authenticator for tokens signed with `secret`.
    pub fn new(secret: Vec<u8>) -> Authenticator {
        Authenticator { secret }
    }

    /// The player a token names, if it verifies now.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        jwt::verify(token, &self.secret, unix_seconds())
    }

    /// A token for `player`, valid for `ttl_seconds`.
    pub fn issue(&self, player: PlayerId, ttl_seconds: u64) -> String {
        jwt::issue(
            &Claims {
                sub: player,
                exp: unix_seconds() + ttl_seconds,
            },
            &self.secret,
        )
    }
}
