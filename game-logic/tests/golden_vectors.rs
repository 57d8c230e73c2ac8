//! Golden vectors: recorded runs that the engine must reproduce bit for bit, on every machine and in every
//! future version. A failure here means determinism changed: a stored run would no longer verify.

#[path = "support/vector.rs"]
mod vector;

use std::path::Path;

use vector::{Vector, record};

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
    assert!(vectors.len() >= 30, "only {} vectors", vectors.len());
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
    let refusals = vectors.iter().filter(|(_, v)| v.refused.is_some()).count();
    assert!(refusals >= 3);
}
