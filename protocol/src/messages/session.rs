//! Session messages: hello (authentication in the first message, session renewal, resume) and
//! ping/pong.

use game_logic::{Ruleset, World};
use serde::{Deserialize, Serialize};

use crate::bounded::BoundedVec;
use crate::ids::{NotificationId, PlayerId, RunId, u64_text};
use crate::limits::MAX_TOKEN_BYTES;

/// The first message of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// The client's name and version, for logs and compatibility decisions, e.g. `"ios/3.2.1"`.
    pub client_version: String,
    /// A JWT, for clients that cannot send it in the handshake (browsers). At most 2 KiB.
    pub token: Option<String>,
    /// The run to resume after an interruption: the `run_id` of `RunStarted`.
    pub resume: Option<RunId>,
    /// The newest notification this client has shown; newer unacknowledged ones are delivered again.
    pub last_notification: Option<NotificationId>,
}

impl Hello {
    /// Whether the free-text fields are within their limits (checked by the server before use).
    pub fn within_limits(&self) -> bool {
        self.client_version.len() <= 64
            && self
                .token
                .as_ref()
                .is_none_or(|t| t.len() <= MAX_TOKEN_BYTES)
    }
}

/// The answer to `Hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    /// The authenticated player.
    pub player: PlayerId,
    /// The node that holds this connection (for support and logs).
    pub node: String,
    /// The server's clock, unix ms, so clients can show times consistently.
    pub server_time_ms: u64,
    /// The resumed run, when `Hello::resume` named a run that is still going.
    pub resumed: Option<ResumedRun>,
    /// The ruleset versions this server can play and verify.
    pub rulesets: BoundedVec<Ruleset, 8>,
}

/// A run continued after an interruption, exactly where it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumedRun {
    /// The run.
    pub run_id: RunId,
    /// Its seed (text in JSON).
    #[serde(with = "u64_text")]
    pub seed: u64,
    /// Its rules.
    pub ruleset: Ruleset,
    /// Jumps applied so far: the `seq` of the next jump.
    pub next_seq: u32,
    /// Score so far.
    pub score: u32,
    /// Current combo.
    pub combo: u32,
    /// What the player sees now.
    pub world: World,
}

/// Ping: the server answers `Pong` with its own clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ping {
    /// The client's clock, echoed back for round-trip measurement.
    pub client_time_ms: u64,
}

/// The answer to `Ping`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pong {
    /// Echo of `Ping::client_time_ms`.
    pub client_time_ms: u64,
    /// The server's clock, unix ms.
    pub server_time_ms: u64,
}
