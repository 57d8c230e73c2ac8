//! Writes the golden vectors in `tests/vectors/`.
//!
//! Run `cargo run -p game-logic --example generate_vectors` only when adding vectors or a new ruleset: the
//! vectors of a released ruleset must never change, and `tests/golden_vectors.rs` fails when they would.

#[path = "../tests/support/vector.rs"]
mod vector;

use std::path::Path;

use game_logic::physics::press_for_distance;
use game_logic::{Bot, GameSession, Jump, Ruleset, Skill, World};
use vector::record;

const DWELL: u32 = 300;

/// Inputs of a bot of `skill` playing from `seed` until the run ends or `max` jumps.
fn bot_inputs(seed: u64, skill: Skill, max: usize) -> Vec<Jump> {
    scripted(seed, max, |world, bot| bot.next_jump(world), skill)
}

/// Inputs chosen by `pick` from what the player sees, until the run ends or `max` jumps.
fn scripted(
    seed: u64,
    max: usize,
    mut pick: impl FnMut(&World, &mut Bot) -> Jump,
    skill: Skill,
) -> Vec<Jump> {
    let mut session = GameSession::new(seed, Ruleset::V1);
    let mut bot = Bot::new(skill, Ruleset::V1, seed.rotate_left(17));
    let mut inputs = Vec::new();
    while !session.is_over() && inputs.len() < max {
        let jump = pick(session.world(), &mut bot);
        if session.apply(jump).is_err() {
            inputs.push(jump);
            break;
        }
        inputs.push(jump);
    }
    inputs
}

/// The press that touches down `offset` mu beyond the next platform's centre.
fn aim(world: &World, offset: i64) -> Jump {
    let press_ms = press_for_distance(Ruleset::V1.params(), world.distance_to_next() + offset);
    Jump {
        press_ms,
        dwell_ms: DWELL,
    }
}

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    std::fs::create_dir_all(&dir)?;
    let mut vectors = Vec::new();

    let skills = [
        ("novice", Skill::NOVICE, 200),
        ("casual", Skill::CASUAL, 200),
        ("expert", Skill::EXPERT, 120),
        ("perfect", Skill::PERFECT, 60),
    ];
    for (name, skill, max) in skills {
        for seed in [1u64, 42, 0x5eed_cafe, 20_180_128, u64::MAX - 1] {
            let description = format!("{name} bot, seed {seed}, at most {max} jumps");
            vectors.push(record(
                &description,
                seed,
                Ruleset::V1,
                bot_inputs(seed, skill, max),
            ));
        }
    }
    vectors.push(record(
        "perfect play past the combo cap and two special platforms, waiting for every bonus",
        7,
        Ruleset::V1,
        scripted(
            7,
            24,
            |w, _| Jump {
                dwell_ms: 2_000,
                ..aim(w, 0)
            },
            Skill::PERFECT,
        ),
    ));
    vectors.push(record(
        "alternating centre hits, off-centre landings and short hops",
        99,
        Ruleset::V1,
        {
            let mut step = 0;
            scripted(
                99,
                30,
                |w, _| {
                    step += 1;
                    match step % 3 {
                        0 => aim(w, 0),
                        1 => aim(w, w.next.radius / 2),
                        _ => Jump {
                            press_ms: 20,
                            dwell_ms: DWELL,
                        },
                    }
                },
                Skill::PERFECT,
            )
        },
    ));
    let endings = [
        ("tipped forward: overshoot onto the far edge", 1_i64),
        ("tipped back: just short of the near edge", -1_i64),
    ];
    for (description, side) in endings {
        vectors.push(record(description, 3, Ruleset::V1, {
            let mut jumps = 0;
            scripted(
                3,
                10,
                |w, _| {
                    jumps += 1;
                    if jumps < 4 {
                        aim(w, 0)
                    } else {
                        // 600 mu past the edge: within half a body (1 170 mu).
                        aim(w, side * (w.next.radius + 600))
                    }
                },
                Skill::PERFECT,
            )
        }));
    }
    let press_for = |mu| press_for_distance(Ruleset::V1.params(), mu);
    vectors.push(record(
        "overhang: the first jump lands just past the start platform's edge",
        11,
        Ruleset::V1,
        vec![Jump {
            press_ms: press_for(5_500),
            dwell_ms: DWELL,
        }],
    ));
    vectors.push(record(
        "fell: the longest press flies past everything",
        12,
        Ruleset::V1,
        vec![Jump {
            press_ms: 10_000,
            dwell_ms: DWELL,
        }],
    ));
    vectors.push(record(
        "refused: an input after the run ended",
        13,
        Ruleset::V1,
        vec![
            Jump {
                press_ms: 10_000,
                dwell_ms: DWELL,
            },
            Jump {
                press_ms: 600,
                dwell_ms: DWELL,
            },
        ],
    ));
    vectors.push(record(
        "refused: a press shorter than a person can make, after two good jumps",
        14,
        Ruleset::V1,
        {
            let mut inputs = scripted(14, 2, |w, _| aim(w, 0), Skill::PERFECT);
            inputs.push(Jump {
                press_ms: 3,
                dwell_ms: DWELL,
            });
            inputs
        },
    ));
    vectors.push(record(
        "refused: a dwell shorter than a person's reaction",
        15,
        Ruleset::V1,
        vec![Jump {
            press_ms: 700,
            dwell_ms: 10,
        }],
    ));
    vectors.push(record(
        "no inputs: the world as a run starts",
        0,
        Ruleset::V1,
        Vec::new(),
    ));

    for (index, vector) in vectors.iter().enumerate() {
        let path = dir.join(format!("v1-{:02}.json", index + 1));
        let json = serde_json::to_string_pretty(vector).map_err(std::io::Error::other)?;
        std::fs::write(&path, json + "\n")?;
    }
    println!("wrote {} vectors to {}", vectors.len(), dir.display());
    Ok(())
}
