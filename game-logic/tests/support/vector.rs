//! The golden-vector file format, shared by the generator (`examples/generate_vectors.rs`) and the test
//! (`tests/golden_vectors.rs`): a run's seed and inputs, and every outcome the engine gave them.

use game_logic::{GameSession, Jump, JumpOutcome, ReplayError, Ruleset, RunSummary, replay};
use serde::{Deserialize, Serialize};

/// One recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Vector {
    /// What the run exercises.
    pub description: String,
    /// The run's seed.
    pub seed: u64,
    /// The ruleset version.
    pub ruleset: Ruleset,
    /// The inputs, in order.
    pub inputs: Vec<Jump>,
    /// The outcome of every input the session accepted, in order.
    pub outcomes: Vec<JumpOutcome>,
    /// The refusal of the first input the session did not accept, as its `Display` text.
    pub refused: Option<String>,
    /// What `replay` says of the whole input list.
    pub replay: Result<RunSummary, String>,
}

/// Plays `inputs` from `seed` step by step, stopping at the first refused input, and replays them whole.
pub(crate) fn record(description: &str, seed: u64, ruleset: Ruleset, inputs: Vec<Jump>) -> Vector {
    let mut session = GameSession::new(seed, ruleset);
    let mut outcomes = Vec::new();
    let mut refused = None;
    for jump in &inputs {
        match session.apply(*jump) {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => {
                refused = Some(error.to_string());
                break;
            }
        }
    }
    Vector {
        description: description.to_owned(),
        seed,
        ruleset,
        replay: replay(seed, ruleset, &inputs).map_err(|e: ReplayError| e.to_string()),
        inputs,
        outcomes,
        refused,
    }
}
