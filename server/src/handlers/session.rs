//! A connection's session state: who it is, its codec, the run it plays.

use std::time::Instant;

use protocol::{Codec, PlayerId, ServerFrame};

use crate::app::App;
use crate::auth::Claims;
use crate::gateway::registry::ConnectionHandle;
use leapfrog_core::runs::ActiveRun;

/// Everything a connection knows about its client.
pub(crate) struct Session {
    /// The negotiated codec.
    pub codec: Codec,
    /// The authenticated player, once known. Never taken from a message, only from a verified token.
    pub player: Option<PlayerId>,
    /// When the token expires, unix seconds.
    pub token_expires_at: u64,
    /// The run this connection plays, if any.
    pub run: Option<ActiveRun>,
    /// Pushes a handler wants sent right after its answer (unacknowledged notifications after hello).
    pub pushes: Vec<ServerFrame>,
    /// When this connection last refreshed its presence key.
    pub presence_refreshed: Instant,
    handle: ConnectionHandle,
}

impl Session {
    /// A session not yet authenticated.
    pub(crate) fn new(codec: Codec, handle: ConnectionHandle) -> Session {
        Session {
            codec,
            player: None,
            token_expires_at: u64::MAX,
            run: None,
            pushes: Vec::new(),
            presence_refreshed: Instant::now(),
            handle,
        }
    }

    /// Binds the session to the token's player and registers the connection under it.
    pub(crate) fn authenticate(&mut self, app: &App, claims: Claims) {
        app.registry.register(
            &claims.sub,
            self.handle.clone(),
            app.config.connections.max_per_player,
        );
        self.token_expires_at = claims.exp;
        self.presence_refreshed = Instant::now();
        let presence = app.presence.clone();
        let player = claims.sub.clone();
        tokio::spawn(async move { presence.mark(&player).await });
        self.player = Some(claims.sub);
    }

    /// True (once) if live notifications did not fit in this connection's queue since the last call.
    pub(crate) fn take_missed_notifications(&self) -> bool {
        self.handle.take_missed()
    }

    /// This connection's id in the registry.
    pub(crate) fn connection_id(&self) -> u64 {
        self.handle.id()
    }
}
