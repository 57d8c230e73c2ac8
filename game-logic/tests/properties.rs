//! Property tests of the engine's invariants over generated seeds and inputs.

use game_logic::{
    Bot, GameSession, Jump, Landing, ReplayError, Ruleset, SessionError, Skill, replay,
    replay_session,
};
use proptest::prelude::*;

/// Any value at all, including impossible ones.
fn any_jump() -> impl Strategy<Value = Jump> {
    (any::<u32>(), any::<u32>()).prop_map(|(press_ms, dwell_ms)| Jump { press_ms, dwell_ms })
}

/// Values inside the ruleset's bounds, so runs go on for a while.
fn plausible_jump() -> impl Strategy<Value = Jump> {
    (20u32..=2_000, 100u32..=3_000).prop_map(|(press_ms, dwell_ms)| Jump { press_ms, dwell_ms })
}

/// A whole run played by a bot of a random skill: realistic inputs that reach far into a run.
fn bot_run() -> impl Strategy<Value = (u64, Vec<Jump>)> {
    (any::<u64>(), 0u16..=1000, 1usize..300).prop_map(|(seed, skill, max)| {
        let mut session = GameSession::new(seed, Ruleset::V1);
        let mut bot = Bot::new(
            Skill::new(skill).unwrap_or(Skill::PERFECT),
            Ruleset::V1,
            !seed,
        );
        let mut inputs = Vec::new();
        while !session.is_over() && inputs.len() < max {
            let jump = bot.next_jump(session.world());
            session.apply(jump).expect("bot inputs are valid");
            inputs.push(jump);
        }
        (seed, inputs)
    })
}

fn play(
    seed: u64,
    inputs: &[Jump],
) -> (
    GameSession,
    Vec<Result<game_logic::JumpOutcome, SessionError>>,
) {
    let mut session = GameSession::new(seed, Ruleset::V1);
    let results = inputs.iter().map(|jump| session.apply(*jump)).collect();
    (session, results)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_same_seed_gives_the_same_world(seed in any::<u64>(), inputs in prop::collection::vec(plausible_jump(), 0..60)) {
        let (a, results_a) = play(seed, &inputs);
        let (b, results_b) = play(seed, &inputs);
        prop_assert_eq!(results_a, results_b);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn replay_equals_the_run_played_step_by_step((seed, inputs) in bot_run()) {
        let (session, results) = play(seed, &inputs);
        prop_assert!(results.iter().all(Result::is_ok));
        let replayed = replay_session(seed, Ruleset::V1, &inputs).expect("a played run replays");
        prop_assert_eq!(&replayed, &session);
        prop_assert_eq!(replay(seed, Ruleset::V1, &inputs), Ok(session.summary()));
    }

    #[test]
    fn the_score_never_decreases((seed, inputs) in bot_run()) {
        let (_, results) = play(seed, &inputs);
        let mut last = 0;
        for outcome in results.into_iter().flatten() {
            prop_assert!(outcome.score >= last);
            prop_assert_eq!(outcome.score, last + outcome.points + outcome.bonus);
            last = outcome.score;
        }
    }

    #[test]
    fn the_combo_counts_centre_hits_and_resets_on_anything_else((seed, inputs) in bot_run()) {
        let (_, results) = play(seed, &inputs);
        let mut combo = 0;
        for outcome in results.into_iter().flatten() {
            combo = if outcome.landing == Landing::Centre { combo + 1 } else { 0 };
            prop_assert_eq!(outcome.combo, combo);
        }
    }

    #[test]
    fn nothing_is_accepted_after_the_run_ended(seed in any::<u64>(), extra in plausible_jump()) {
        let mut session = GameSession::new(seed, Ruleset::V1);
        let end = session.apply(Jump { press_ms: 10_000, dwell_ms: 100 }).expect("valid values");
        prop_assert!(end.game_over);
        let before = session.clone();
        prop_assert_eq!(session.apply(extra), Err(SessionError::RunOver));
        prop_assert_eq!(&session, &before);
        let inputs = [Jump { press_ms: 10_000, dwell_ms: 100 }, extra];
        prop_assert_eq!(
            replay(seed, Ruleset::V1, &inputs),
            Err(ReplayError::InputAfterRunOver { index: 1 })
        );
    }

    #[test]
    fn the_engine_never_panics_on_any_input(seed in any::<u64>(), inputs in prop::collection::vec(any_jump(), 0..40)) {
        let (session, results) = play(seed, &inputs);
        let accepted = results.iter().filter(|r| r.is_ok()).count();
        prop_assert_eq!(session.jumps() as usize, accepted);
        let _ = replay(seed, Ruleset::V1, &inputs);
    }

    #[test]
    fn a_refused_jump_leaves_the_session_unchanged(seed in any::<u64>(), prefix in prop::collection::vec(plausible_jump(), 0..10), bad in any_jump()) {
        let (mut session, _) = play(seed, &prefix);
        let before = session.clone();
        if session.apply(bad).is_err() {
            prop_assert_eq!(session, before);
        }
    }

    #[test]
    fn replay_within_refuses_runs_faster_than_the_timing_model((seed, inputs) in bot_run()) {
        let summary = replay(seed, Ruleset::V1, &inputs).expect("a played run replays");
        prop_assert!(game_logic::replay_within(seed, Ruleset::V1, &inputs, summary.min_duration_ms).is_ok());
        if summary.min_duration_ms > 0 {
            let too_soon = summary.min_duration_ms - 1;
            prop_assert_eq!(
                game_logic::replay_within(seed, Ruleset::V1, &inputs, too_soon),
                Err(ReplayError::TooFast { min_ms: summary.min_duration_ms, elapsed_ms: too_soon })
            );
        }
    }
}
