//! The golden-vector file format, shared by the generator (`examples/generate_vectors.rs`) and the test
//! (`tests/golden_vectors.rs`): a run's seed and inputs, and every outcome the engine gave them.

use game_logic::{
    GameSession, Jump, JumpOutcome, Pcg32, ReplayError, Ruleset, RunSummary, replay, replay_session,
};
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

/// How many outputs the session has drawn from its game stream so far. Read from the session's serialized
/// state (its `rng` field), which is the only place the engine exposes its generator.
pub(crate) fn outputs_drawn(session: &GameSession) -> usize {
    let state = serde_json::to_value(session).expect("a session serializes");
    let drawn_to: Pcg32 =
        serde_json::from_value(state["rng"].clone()).expect("a session's `rng` is a Pcg32");
    let mut fresh = Pcg32::new(session.seed(), session.ruleset().params().game_stream);
    let mut outputs = 0;
    while fresh != drawn_to {
        fresh.next_u32();
        outputs += 1;
        assert!(
            outputs < 10_000_000,
            "the session's stream is not its seed's"
        );
    }
    outputs
}

/// How many outputs of the game stream the vector's run rejected in `next_below` and drew again: the
/// outputs drawn beyond the one per draw the rules make (four per platform, one more per special one).
pub(crate) fn rejected_draws(vector: &Vector) -> usize {
    let accepted = &vector.inputs[..vector.outcomes.len()];
    let session = replay_session(vector.seed, vector.ruleset, accepted)
        .expect("the inputs a session accepted replay");
    let generated: Vec<_> = vector
        .outcomes
        .iter()
        .filter(|o| o.landing.reached_next())
        .collect();
    let specials = generated
        .iter()
        .filter(|o| o.world.next.special.is_some())
        .count();
    outputs_drawn(&session) - (4 * (1 + generated.len()) + specials)
}
