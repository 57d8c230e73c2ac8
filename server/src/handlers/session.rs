//! A connection's session state: who it is, its codec, the run it plays.

use std::time::{Duration, Instant};

use protocol::{Codec, PlayerId, ServerFrame};

use crate::app::App;
use crate::auth::Claims;
use crate::gateway::registry::ConnectionHandle;
use leapfrog_core::clock::unix_ms;
use leapfrog_core::runs::ActiveRun;
use leapfrog_core::shutdown::InFlightGuard;

/// Everything a connection knows about its client.
pub(crate) struct Session {
    /// The negotiated codec.
    pub codec: Codec,
    /// The authenticated player, once known. Never taken from a message, only from a verified token.
    pub player: Option<PlayerId>,
    /// When the token expires, unix seconds.
    pub token_expires_at: u64,
    /// The run this connection plays, if any. Boxed: most connections hold none most of the time, and
    /// the session is part of every connection's task.
    pub run: Option<Box<ActiveRun>>,
    /// Frames a handler wants sent right after its answer.
    pub pushes: Vec<ServerFrame>,
    /// When this connection last refreshed its presence key.
    pub presence_refreshed: Instant,
    catch_up: CatchUp,
    handle: ConnectionHandle,
    /// This connection's place among those not authenticated yet, given up on authentication.
    waiting: Option<InFlightGuard>,
}

/// Whether this connection still owes its client the unacknowledged notifications: due once it
/// authenticates (in the handshake or with `hello`) and whenever live pushes did not fit its queue, done
/// once sent. An attempt Redis cannot answer is retried, at most once a [`CATCH_UP_RETRY`], while Redis is
/// reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CatchUp {
    Done,
    Due,
    RetryAt(Instant),
}

/// The least time between two catch-up attempts Redis could not answer.
const CATCH_UP_RETRY: Duration = Duration::from_secs(1);

impl Session {
    /// A session not yet authenticated, holding its place `waiting` among unauthenticated connections.
    pub(crate) fn new(
        codec: Codec,
        handle: ConnectionHandle,
        waiting: Option<InFlightGuard>,
    ) -> Session {
        Session {
            codec,
            player: None,
            token_expires_at: u64::MAX,
            run: None,
            pushes: Vec::new(),
            presence_refreshed: Instant::now(),
            catch_up: CatchUp::Done,
            handle,
            waiting,
        }
    }

    /// Binds the session to the token's player, registers the connection under it, and records that
    /// the player exists (so others may send them friend requests).
    pub(crate) fn authenticate(&mut self, app: &App, claims: Claims) {
        self.waiting = None;
        app.registry.register(
            &claims.sub,
            self.handle.clone(),
            app.config.connections.max_per_player,
        );
        self.token_expires_at = claims.exp;
        self.presence_refreshed = Instant::now();
        let presence = app.presence.clone();
        let player = claims.sub.clone();
        let friends = app.friends.clone();
        tokio::spawn(async move {
            tokio::join!(
                presence.mark(&player),
                friends.mark_seen(&player, unix_ms())
            );
        });
        self.player = Some(claims.sub);
        self.catch_up = CatchUp::Due;
    }

    /// Lets a fresh token of the same player extend the session to its expiry.
    pub(crate) fn extend(&mut self, claims: &Claims) {
        self.token_expires_at = self.token_expires_at.max(claims.exp);
    }

    /// Whether the unacknowledged notifications should be sent now, given whether Redis is reachable.
    pub(crate) fn catch_up_due(&mut self, store_reachable: bool) -> bool {
        if self.handle.take_missed() && self.player.is_some() {
            self.catch_up = CatchUp::Due;
        }
        store_reachable
            && match self.catch_up {
                CatchUp::Done => false,
                CatchUp::Due => true,
                CatchUp::RetryAt(at) => Instant::now() >= at,
            }
    }

    /// Records a catch-up attempt: sent, or to be tried again.
    pub(crate) fn caught_up(&mut self, sent: bool) {
        self.catch_up = if sent {
            CatchUp::Done
        } else {
            CatchUp::RetryAt(Instant::now() + CATCH_UP_RETRY)
        };
    }

    /// This connection's id in the registry.
    pub(crate) fn connection_id(&self) -> u64 {
        self.handle.id()
    }
}
