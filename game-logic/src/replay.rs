//! Verifying a whole run from its seed and inputs: how the server checks runs played offline and how a
//! run is resumed on another node.

use thiserror::Error;

use crate::ruleset::Ruleset;
use crate::session::{GameSession, RunSummary, SessionError};
use crate::timing::{InvalidJump, Jump};

/// Why a run's inputs do not make a valid run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ReplayError {
    /// An input follows the jump that ended the run.
    #[error("input {index} comes after the run ended")]
    InputAfterRunOver {
        /// Zero-based index of the first surplus input.
        index: usize,
    },
    /// An input holds impossible values.
    #[error("input {index} is impossible: {reason}")]
    InvalidInput {
        /// Zero-based index of the input.
        index: usize,
        /// What is wrong with it.
        reason: InvalidJump,
    },
    /// More inputs than the ruleset allows in one run.
    #[error("{count} inputs exceed the ruleset's maximum of {max} jumps")]
    TooManyInputs {
        /// Inputs received.
        count: usize,
        /// The ruleset's maximum.
        max: u32,
    },
    /// The inputs cannot have been played in the time that passed.
    #[error("the run needs at least {min_ms} ms but only {elapsed_ms} ms passed")]
    TooFast {
        /// The least time the inputs take under the timing model.
        min_ms: u64,
        /// The time that actually passed.
        elapsed_ms: u64,
    },
}

/// Replays `inputs` from `seed` under `ruleset` and returns the session as it stands after them, ready to
/// take further jumps. This is how a run interrupted on one node continues on another.
pub fn replay_session(
    seed: u64,
    ruleset: Ruleset,
    inputs: &[Jump],
) -> Result<GameSession, ReplayError> {
    let max = ruleset.params().max_jumps;
    if inputs.len() > max as usize {
        return Err(ReplayError::TooManyInputs {
            count: inputs.len(),
            max,
        });
    }
    let mut session = GameSession::new(seed, ruleset);
    for (index, jump) in inputs.iter().enumerate() {
        session.apply(*jump).map_err(|error| match error {
            SessionError::RunOver => ReplayError::InputAfterRunOver { index },
            SessionError::InvalidJump(reason) => ReplayError::InvalidInput { index, reason },
            SessionError::TooManyJumps { max } => ReplayError::TooManyInputs {
                count: inputs.len(),
                max,
            },
        })?;
    }
    Ok(session)
}

/// Checks a whole run: every input possible, none after the end, within the ruleset's size.
pub fn replay(seed: u64, ruleset: Ruleset, inputs: &[Jump]) -> Result<RunSummary, ReplayError> {
    replay_session(seed, ruleset, inputs).map(|session| session.summary())
}

/// Like [`replay`], and also refuses a run whose inputs take longer under the timing model than the
/// `elapsed_ms` that really passed (the server measures it from handing out the seed; it adds its own
/// tolerance for clock and network jitter before calling).
pub fn replay_within(
    seed: u64,
    ruleset: Ruleset,
    inputs: &[Jump],
    elapsed_ms: u64,
) -> Result<RunSummary, ReplayError> {
    let summary = replay(seed, ruleset, inputs)?;
    if summary.min_duration_ms > elapsed_ms {
        return Err(ReplayError::TooFast {
            min_ms: summary.min_duration_ms,
            elapsed_ms,
        });
    }
    Ok(summary)
}
