//! What a challenge needs to know of the run it shares: whose it is, whether it is over, its course and
//! final score (by replay), and whether it is already a challenge.

use game_logic::Ruleset;
use protocol::{ChallengeId, PlayerId, RunId};

use super::checkpoint::{self, RunState};
use super::finished::EndReason;
use super::{RunError, replay};
use crate::store::Store;

/// A run that may be shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shareable {
    /// The challenge it already is: the one it was played on, or shared as before.
    pub(crate) challenge: Option<ChallengeId>,
    /// Its final score.
    pub(crate) score: u32,
    /// Its course.
    pub(crate) seed: u64,
    /// Its rules.
    pub(crate) ruleset: Ruleset,
    /// Unix ms when it ended.
    pub(crate) ended_at_ms: u64,
}

/// `player`'s run `run_id` if it may be shared as a challenge, else why not.
pub(crate) async fn shareable(
    store: &Store,
    player: &PlayerId,
    run_id: RunId,
) -> Result<Result<Shareable, &'static str>, RunError> {
    let Some(stored) = checkpoint::load(store, run_id, None)
        .await?
        .filter(|stored| &stored.meta.player == player)
    else {
        return Ok(Err("no such run of yours (it may have expired)"));
    };
    let ended_at_ms = match stored.state {
        RunState::Active => return Ok(Err("it is not over yet")),
        RunState::Ended {
            reason: EndReason::Rejected,
            ..
        } => return Ok(Err("it failed verification")),
        RunState::Ended { at_ms, .. } => at_ms,
    };
    let (session, _) = replay(run_id, &stored)?;
    Ok(Ok(Shareable {
        challenge: stored.meta.challenge.or(stored.shared_as),
        score: session.score(),
        seed: stored.meta.seed,
        ruleset: stored.meta.ruleset,
        ended_at_ms,
    }))
}
