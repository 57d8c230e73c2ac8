//! Presence: which node holds a player's connection, in one key per player (`lf:{p:<id>}:presence`) with
//! a TTL. The transport calls [`Presence::mark`] when a connection authenticates, [`Presence::refresh`]
//! while it lives, and [`Presence::clear`] when the player's last connection on this node closes; live
//! delivery reads it with `Presence::node_of`. A node that dies leaves keys that expire by themselves.

use crate::error_chain::ErrorChain;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use protocol::PlayerId;
use redis::Script;

use crate::store::{Op, Store, StoreError, keys};

static CLEAR_PRESENCE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("clear_presence.lua")));

/// How long a presence key lives without a refresh.
pub(crate) const PRESENCE_TTL: Duration = Duration::from_secs(120);
/// How often a live connection refreshes its presence (well inside the TTL).
pub const PRESENCE_REFRESH: Duration = Duration::from_secs(40);

/// This node's presence records.
#[derive(Clone)]
pub struct Presence {
    store: Store,
    node_id: Arc<str>,
}

impl Presence {
    /// Presence of the players connected to node `node_id`.
    pub fn new(store: Store, node_id: &str) -> Presence {
        Presence {
            store,
            node_id: node_id.into(),
        }
    }

    /// This node's id, as presence keys name it.
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// Records that `player` is connected to this node (a newer login elsewhere overwrites it).
    pub async fn mark(&self, player: &PlayerId) {
        let command = crate::store::cmd("SET")
            .arg(keys::presence(player))
            .arg(&*self.node_id)
            .arg("EX")
            .arg(PRESENCE_TTL.as_secs())
            .to_owned();
        if let Err(error) = self.store.query::<()>(Op::PresenceSet, &command).await {
            tracing::warn!(error = %ErrorChain(&error), %player, "presence not recorded; live pushes from other nodes may miss this player");
        }
    }

    /// Keeps `player`'s presence alive: the same write as [`Presence::mark`], every
    /// [`PRESENCE_REFRESH`].
    pub async fn refresh(&self, player: &PlayerId) {
        self.mark(player).await;
    }

    /// Removes `player`'s presence if it still names this node, once their last connection here closed.
    pub async fn clear(&self, player: &PlayerId) {
        let mut invocation = CLEAR_PRESENCE.prepare_invoke();
        invocation.key(keys::presence(player)).arg(&*self.node_id);
        if let Err(error) = self
            .store
            .run_script::<i64>(Op::PresenceClear, &invocation)
            .await
        {
            tracing::debug!(error = %ErrorChain(&error), %player, "presence not cleared; it expires by itself");
        }
    }

    /// The node holding `player`'s connection, if any.
    pub(crate) async fn node_of(&self, player: &PlayerId) -> Result<Option<String>, StoreError> {
        self.store
            .query(
                Op::PresenceGet,
                crate::store::cmd("GET").arg(keys::presence(player)),
            )
            .await
    }
}
