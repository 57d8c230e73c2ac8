//! Golden vectors: recorded runs that the engine must reproduce bit for bit, on every machine and in every
//! future version. A failure here means determinism changed: a stored run would no longer verify.

#[path = "support/vector.rs"]
mod vector;

use std::path::Path;

use game_logic::generate::Difficulty;
use game_logic::{GameSession, JumpOutcome, Landing, Ruleset, World};
use vector::{Vector, record, rejected_draws};

fn load_vectors() -> Vec<(String, Vector)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/vectors exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable vector");
            let vector = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
            (path.display().to_string(), vector)
        })
        .collect()
}

#[test]
fn every_vector_replays_exactly() {
    let vectors = load_vectors();
    assert!(vectors.len() >= 42, "only {} vectors", vectors.len());
    for (path, stored) in vectors {
        let fresh = record(
            &stored.description,
            stored.seed,
            stored.ruleset,
            stored.inputs.clone(),
        );
        for (index, (want, got)) in stored.outcomes.iter().zip(&fresh.outcomes).enumerate() {
            assert_eq!(want, got, "{path}: jump {index} differs");
        }
        assert_eq!(stored, fresh, "{path} differs");
    }
}

#[test]
fn the_vectors_cover_every_landing_and_refusal() {
    use game_logic::Landing::*;
    let vectors = load_vectors();
    let landings: Vec<_> = vectors
        .iter()
        .flat_map(|(_, v)| v.outcomes.iter().map(|o| o.landing))
        .collect();
    for kind in [
        Centre,
        Landed,
        Stayed,
        TippedForward,
        TippedBack,
        Overhang,
        Fell,
    ] {
        assert!(landings.contains(&kind), "no vector lands {kind:?}");
    }
    assert!(
        vectors
            .iter()
            .any(|(_, v)| v.outcomes.iter().any(|o| o.bonus > 0))
    );
    assert!(
        vectors
            .iter()
            .any(|(_, v)| v.outcomes.iter().any(|o| o.points == 32))
    );
    assert!(
        vectors
            .iter()
            .any(|(_, v)| v.outcomes.iter().any(|o| o.bonus > 0 && o.game_over)),
        "no vector earns a bonus on the jump that ends the run"
    );
    assert!(
        vectors.iter().any(|(_, v)| v
            .outcomes
            .iter()
            .any(|o| o.bonus > 0 && o.landing == Stayed)),
        "no vector earns a bonus with a hop"
    );
    let refusals: Vec<&str> = vectors
        .iter()
        .filter_map(|(_, v)| v.refused.as_deref())
        .collect();
    for words in [
        "the run is over",
        "press of 3 ms is shorter",
        "press of 10001 ms is longer",
        "dwell of 10 ms is shorter",
        "dwell of 600001 ms is longer",
    ] {
        assert!(
            refusals.iter().any(|r| r.contains(words)),
            "no vector is refused with \"{words}\""
        );
    }
}

/// Each outcome with the world its jump was made in.
fn jumps_with_world_before(vector: &Vector) -> impl Iterator<Item = (World, &JumpOutcome)> {
    let start = *GameSession::new(vector.seed, vector.ruleset).world();
    let before = std::iter::once(start).chain(vector.outcomes.iter().map(|o| o.world));
    before.zip(&vector.outcomes)
}

#[test]
fn the_vectors_cover_rejected_draws_the_difficulty_caps_and_exact_edges() {
    let vectors = load_vectors();
    let rejecting = vectors
        .iter()
        .filter(|(_, v)| rejected_draws(v) > 0)
        .count();
    assert!(rejecting >= 4, "only {rejecting} vectors reject a draw");

    let params = Ruleset::V1.params();
    assert!(
        vectors
            .iter()
            .any(|(_, v)| v.replay.as_ref().is_ok_and(|s| {
                let last = Difficulty::after(params, s.landings);
                last.gap_max == params.gap_max_cap && last.scale_min == params.scale_min_floor
            })),
        "no vector generates a platform at the gap cap and the scale floors"
    );

    // Every jump's touch-down, as (landing, offset past the next centre along the jump, next radius).
    let mut touchdowns = Vec::new();
    for (_, vector) in &vectors {
        for (before, outcome) in jumps_with_world_before(vector) {
            let offset = before
                .next
                .centre
                .ahead(outcome.touchdown, before.direction);
            touchdowns.push((outcome.landing, offset, before.next.radius));
        }
    }
    let lands = |landing: Landing, at: &dyn Fn(i64, i64) -> bool| {
        touchdowns
            .iter()
            .any(|&(l, offset, r)| l == landing && at(offset, r))
    };
    let body = params.body_half_width;
    use Landing::*;
    assert!(lands(Landed, &|o, r| o == r), "none on a far edge");
    assert!(lands(Landed, &|o, r| o == -r), "none on a near edge");
    assert!(lands(TippedForward, &|o, r| o == r + body));
    assert!(lands(Fell, &|o, r| o == r + body + 1));
    assert!(lands(TippedBack, &|o, r| o == -r - body));
    assert!(lands(Fell, &|o, r| o == -r - body - 1));
}
