//! Writes a few thousand runs with their full results for another implementation of the rules to replay
//! and compare: `cargo run -q -p game-logic --example cross_check -- FILE`.
//!
//! The file is JSON Lines: one run per line, each line exactly what `serde_json::to_string` writes for a
//! golden vector (`tests/support/vector.rs`; `RULES.md` section 13). The runs are chosen to reach what the
//! golden vectors only sample: bots of every skill, touch-downs within a few mu of every edge, hops and
//! long dwells on special platforms, runs past the gap cap, `next_below` rejections (natural seeds found by
//! search and seeds solved for a chosen draw), every kind of refused input, and more inputs than a run may
//! hold. Every choice is drawn from a fixed PCG32 stream, so the file is the same on every run and machine.
//! The TypeScript port's `npm run cross-check` runs this and checks every line.

#[path = "../tests/support/streams.rs"]
mod streams;
#[path = "../tests/support/vector.rs"]
mod vector;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use game_logic::generate::Difficulty;
use game_logic::physics::{distance, press_for_distance};
use game_logic::{Bot, GameSession, Jump, Pcg32, Ruleset, Skill, World};
use streams::seed_drawing;
use vector::{Vector, outputs_drawn, record, rejected_draws};

/// The stream every choice of this example is drawn from.
const CHOICES: (u64, u64) = (0x1eaf_c0de, 0xc4ec);
/// How many seeds the search for natural rejections on platform 1 tries.
const SEARCHED_SEEDS: u64 = 3_000_000;
/// Seeds known to reject platform 1's gap draw; the search must find them.
const KNOWN_REJECTING: [u64; 3] = [296_008, 350_749, 826_845];

/// Random choices for building runs (not the game's stream).
struct Choices(Pcg32);

impl Choices {
    fn below(&mut self, bound: u32) -> u32 {
        self.0.next_below(bound)
    }

    fn between(&mut self, low: i64, high: i64) -> i64 {
        let span = u32::try_from(high - low + 1).expect("a small range");
        low + i64::from(self.below(span))
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u32) as usize]
    }

    fn seed(&mut self) -> u64 {
        (u64::from(self.0.next_u32()) << 32) | u64::from(self.0.next_u32())
    }
}

/// The output file and what went into it.
struct Cases {
    out: BufWriter<File>,
    runs: usize,
    rejecting: usize,
    past_gap_cap: usize,
    landings: BTreeMap<String, usize>,
    refusals: BTreeMap<String, usize>,
}

impl Cases {
    fn add(&mut self, description: &str, seed: u64, inputs: Vec<Jump>) -> std::io::Result<()> {
        let vector = record(description, seed, Ruleset::V1, inputs);
        self.count(&vector);
        serde_json::to_writer(&mut self.out, &vector)?;
        self.out.write_all(b"\n")
    }

    fn count(&mut self, vector: &Vector) {
        self.runs += 1;
        if rejected_draws(vector) > 0 {
            self.rejecting += 1;
        }
        let params = Ruleset::V1.params();
        let landed = vector
            .outcomes
            .iter()
            .filter(|o| o.landing.reached_next())
            .count();
        if Difficulty::after(params, landed as u32).gap_max == params.gap_max_cap {
            self.past_gap_cap += 1;
        }
        for outcome in &vector.outcomes {
            *self
                .landings
                .entry(format!("{:?}", outcome.landing))
                .or_default() += 1;
        }
        if let Some(refused) = &vector.refused {
            // The message without its numbers names the kind of refusal.
            let kind = refused.chars().filter(|c| !c.is_ascii_digit()).collect();
            *self.refusals.entry(kind).or_default() += 1;
        }
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: cargo run -p game-logic --example cross_check -- FILE");
        return ExitCode::from(2);
    };
    let path = PathBuf::from(path);
    match write_cases(&path) {
        Ok(cases) => {
            eprintln!(
                "wrote {} runs to {}: {} reject a draw, {} generate past the gap cap; landings {:?}; refusals {:?}",
                cases.runs,
                path.display(),
                cases.rejecting,
                cases.past_gap_cap,
                cases.landings,
                cases.refusals
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("cannot write {}: {error}", path.display());
            ExitCode::FAILURE
        }
    }
}

fn write_cases(path: &PathBuf) -> std::io::Result<Cases> {
    let mut cases = Cases {
        out: BufWriter::new(File::create(path)?),
        runs: 0,
        rejecting: 0,
        past_gap_cap: 0,
        landings: BTreeMap::new(),
        refusals: BTreeMap::new(),
    };
    let mut choices = Choices(Pcg32::new(CHOICES.0, CHOICES.1));
    bot_runs(&mut cases, &mut choices)?;
    edge_runs(&mut cases, &mut choices)?;
    long_runs(&mut cases, &mut choices)?;
    natural_rejections(&mut cases, &mut choices)?;
    solved_rejections(&mut cases)?;
    refused_runs(&mut cases, &mut choices)?;
    cases.out.flush()?;

    assert!(cases.rejecting >= 40, "{} rejecting runs", cases.rejecting);
    assert!(
        cases.past_gap_cap >= 10,
        "{} runs past the cap",
        cases.past_gap_cap
    );
    assert_eq!(
        cases.landings.len(),
        7,
        "every landing: {:?}",
        cases.landings
    );
    assert_eq!(
        cases.refusals.len(),
        5,
        "every refusal: {:?}",
        cases.refusals
    );
    Ok(cases)
}

/// Plays from `seed` with `pick` until the run ends, `max` inputs, or an input is refused (kept as the
/// last input).
fn play(seed: u64, max: usize, mut pick: impl FnMut(&GameSession) -> Jump) -> Vec<Jump> {
    let mut session = GameSession::new(seed, Ruleset::V1);
    let mut inputs = Vec::new();
    while !session.is_over() && inputs.len() < max {
        let jump = pick(&session);
        inputs.push(jump);
        if session.apply(jump).is_err() {
            break;
        }
    }
    inputs
}

/// The press whose distance is closest to `target` mu.
fn press_for(target: i64) -> u32 {
    press_for_distance(Ruleset::V1.params(), target)
}

/// The press that touches down as near as a whole ms allows to `offset` mu past the next centre.
fn aim(world: &World, offset: i64) -> u32 {
    press_for(world.distance_to_next() + offset)
}

/// Seeds where 64-bit arithmetic and the 2^53 limit of doubles would show mistakes.
const EDGE_SEEDS: [u64; 9] = [
    0,
    1,
    u32::MAX as u64,
    1 << 32,
    (1 << 53) - 1,
    (1 << 53) + 1,
    1 << 63,
    u64::MAX - 1,
    u64::MAX,
];

/// Bots of every skill on random and edge seeds.
fn bot_runs(cases: &mut Cases, choices: &mut Choices) -> std::io::Result<()> {
    for run in 0..1_500 {
        let seed = match EDGE_SEEDS.get(run / 20) {
            Some(&edge) if run % 20 == 0 => edge,
            _ if choices.chance(20) => u64::from(choices.below(1_000_000)),
            _ => choices.seed(),
        };
        let permille = choices.below(1_001) as u16;
        let skill = Skill::new(permille).expect("at most 1000 permille");
        let max = choices.between(1, 150) as usize;
        let mut bot = Bot::new(skill, Ruleset::V1, choices.seed());
        let inputs = play(seed, max, |s| bot.next_jump(s.world()));
        cases.add(
            &format!("bot of skill {permille}, at most {max} jumps"),
            seed,
            inputs,
        )?;
    }
    Ok(())
}

/// A dwell: mostly a person's, often around the bonus threshold, sometimes at the bounds or very long.
fn dwell(choices: &mut Choices) -> u32 {
    let params = Ruleset::V1.params();
    match choices.below(20) {
        0..=11 => choices.between(100, 700) as u32,
        12..=16 => (i64::from(params.bonus_dwell_ms) + choices.between(-3, 3)) as u32,
        17 => choices.pick(&[
            params.min_dwell_ms,
            params.max_dwell_ms,
            params.bonus_dwell_ms,
        ]),
        _ => choices.between(700, 600_000) as u32,
    }
}

/// A jump aimed near something that decides the landing: a centre, an edge of either platform, the end of
/// a tipping zone; or a hop, or any press.
fn edge_jump(world: &World, choices: &mut Choices) -> Jump {
    let params = Ruleset::V1.params();
    let r = world.next.radius;
    let body = params.body_half_width;
    let near = choices.between(-3, 3);
    let side = if choices.chance(50) { 1 } else { -1 };
    let press_ms = match choices.below(20) {
        0..=5 => aim(
            world,
            choices.between(-params.centre_radius - 3, params.centre_radius + 3),
        ),
        6..=10 => aim(world, side * (r + near)),
        11..=13 => aim(world, side * (r + body + near)),
        14..=15 => choices.between(20, 300) as u32,
        16..=17 => {
            // Just short of or past the current platform's edge along the jump.
            let edge =
                world.figure.ahead(world.current.centre, world.direction) + world.current.radius;
            press_for(edge + choices.pick(&[0, body]) + near)
        }
        _ => choices.between(20, 10_000) as u32,
    };
    Jump {
        press_ms,
        dwell_ms: dwell(choices),
    }
}

/// Touch-downs within a few mu of every edge, hops and long dwells.
fn edge_runs(cases: &mut Cases, choices: &mut Choices) -> std::io::Result<()> {
    for _ in 0..700 {
        let seed = choices.seed();
        let max = choices.between(1, 60) as usize;
        let inputs = play(seed, max, |s| edge_jump(s.world(), choices));
        cases.add(
            &format!("near-edge play, at most {max} jumps"),
            seed,
            inputs,
        )?;
    }
    Ok(())
}

/// Runs of 168 to 400 jumps that never end early: past the scale floors (110 landings), the gap cap (167)
/// and the late special period, with hops, off-centre landings and bonus waits along the way.
fn long_runs(cases: &mut Cases, choices: &mut Choices) -> std::io::Result<()> {
    let params = Ruleset::V1.params();
    for _ in 0..14 {
        let seed = choices.seed();
        let max = choices.between(168, 400) as usize;
        let inputs = play(seed, max, |s| {
            let world = s.world();
            let wanted = match choices.below(20) {
                0..=14 => aim(world, choices.between(-700, 700)),
                15..=17 => aim(world, world.next.radius / 2),
                _ => 20,
            };
            let dwell_ms = if world.bonus_available && choices.chance(50) {
                params.bonus_dwell_ms
            } else {
                300
            };
            let jump = Jump {
                press_ms: wanted,
                dwell_ms,
            };
            // Keep the run going: a jump that would end it becomes a centre hit.
            let mut trial = s.clone();
            match trial.apply(jump) {
                Ok(outcome) if !outcome.game_over => jump,
                _ => Jump {
                    press_ms: aim(world, 0),
                    dwell_ms,
                },
            }
        });
        cases.add(
            &format!("long run of {max} jumps that never misses"),
            seed,
            inputs,
        )?;
    }
    Ok(())
}

/// The `next_below` rejection threshold (`2^32 mod bound`) of a draw in `low..=high`.
fn threshold(low: u32, high: u32) -> u32 {
    let bound = high - low + 1;
    bound.wrapping_neg() % bound
}

/// Seeds whose platform 1 rejects its scale or gap draw: the two bounded draws whose bound is not a power
/// of two. A quick look at the raw outputs, confirmed by counting what the engine drew.
fn seeds_rejecting_on_platform_1() -> Vec<u64> {
    let params = Ruleset::V1.params();
    let start = Difficulty::after(params, 0);
    let scale = threshold(start.scale_min, start.scale_max);
    let gap = threshold(params.gap_min, start.gap_max);
    (0..SEARCHED_SEEDS)
        .filter(|&seed| {
            let mut rng = Pcg32::new(seed, params.game_stream);
            rng.next_u32();
            rng.next_u32();
            rng.next_u32() < scale || rng.next_u32() < gap
        })
        .filter(|&seed| outputs_drawn(&GameSession::new(seed, Ruleset::V1)) > 4)
        .collect()
}

/// Natural rejections: every seed below `SEARCHED_SEEDS` whose first platform rejects a draw, played by a
/// perfect aim and by a casual bot.
fn natural_rejections(cases: &mut Cases, choices: &mut Choices) -> std::io::Result<()> {
    let seeds = seeds_rejecting_on_platform_1();
    for known in KNOWN_REJECTING {
        assert!(
            seeds.contains(&known),
            "seed {known} should reject: {seeds:?}"
        );
    }
    eprintln!("seeds below {SEARCHED_SEEDS} rejecting a draw of platform 1: {seeds:?}");
    for seed in seeds {
        let perfect = play(seed, 30, |s| Jump {
            press_ms: aim(s.world(), 0),
            dwell_ms: 300,
        });
        cases.add(
            &format!("seed {seed} rejects a draw of platform 1; centre hits"),
            seed,
            perfect,
        )?;
        let mut bot = Bot::new(Skill::CASUAL, Ruleset::V1, choices.seed());
        let casual = play(seed, 100, |s| bot.next_jump(s.world()));
        cases.add(
            &format!("seed {seed} rejects a draw of platform 1; casual bot"),
            seed,
            casual,
        )?;
    }
    Ok(())
}

/// The first game-stream draw of each platform in a run of centre hits with dwells of 300 ms (the same for
/// every seed without rejections: the score, and so the special slots, do not depend on the seed), and
/// whether it is special.
fn perfect_run_layout(platforms: usize) -> Vec<(usize, bool)> {
    let mut session = GameSession::new(1, Ruleset::V1);
    let mut layout = vec![(0, false), (0, false)];
    while layout.len() <= platforms {
        let before = outputs_drawn(&session);
        let jump = Jump {
            press_ms: aim(session.world(), 0),
            dwell_ms: 300,
        };
        let outcome = session.apply(jump).expect("centre hits are accepted");
        layout.push((before, outcome.world.next.special.is_some()));
    }
    assert_eq!(
        outputs_drawn(&session),
        layout
            .iter()
            .skip(2)
            .map(|&(_, s)| 4 + usize::from(s))
            .sum::<usize>()
            + 4,
        "the layout run rejected a draw"
    );
    layout
}

/// Rejections solved for: for platforms 2 to 60 and a few past the gap cap, a seed whose scale, gap or
/// special-kind draw (when the platform is special and not the first) is rejected, played by centre hits
/// past that platform.
fn solved_rejections(cases: &mut Cases) -> std::io::Result<()> {
    let params = Ruleset::V1.params();
    let platforms: Vec<usize> = (2..=60).chain([110, 168, 200, 250]).collect();
    let layout = perfect_run_layout(250);
    for platform in platforms {
        let (first_draw, special) = layout[platform];
        // Platform n is generated after n - 1 landings.
        let difficulty = Difficulty::after(params, platform as u32 - 1);
        let mut draws = vec![
            (
                "scale",
                2,
                threshold(difficulty.scale_min, difficulty.scale_max),
            ),
            ("gap", 3, threshold(params.gap_min, difficulty.gap_max)),
        ];
        if special && platform != 5 {
            draws.push(("special kind", 4, threshold(0, 2)));
        }
        for (name, position, below) in draws {
            if below == 0 {
                continue;
            }
            let seed = seed_drawing(
                params.game_stream,
                first_draw + position,
                below - 1,
                platform as u32,
            );
            let inputs = play(seed, platform + 2, |s| Jump {
                press_ms: aim(s.world(), 0),
                dwell_ms: 300,
            });
            cases.add(
                &format!("platform {platform}'s {name} draw is rejected; centre hits"),
                seed,
                inputs,
            )?;
        }
    }
    Ok(())
}

/// A press or dwell at or just beyond a bound, or no u32 at all but the largest.
fn bound_jump(choices: &mut Choices) -> Jump {
    let params = Ruleset::V1.params();
    let press = [
        0,
        params.min_press_ms - 1,
        params.min_press_ms,
        params.max_press_ms,
        params.max_press_ms + 1,
        u32::MAX,
    ];
    let dwell = [
        0,
        params.min_dwell_ms - 1,
        params.min_dwell_ms,
        params.max_dwell_ms,
        params.max_dwell_ms + 1,
        u32::MAX,
    ];
    Jump {
        press_ms: choices.pick(&press),
        dwell_ms: choices.pick(&dwell),
    }
}

/// Refused inputs of every kind at any point of a run, inputs after its end, and more inputs than a run may
/// hold.
fn refused_runs(cases: &mut Cases, choices: &mut Choices) -> std::io::Result<()> {
    for _ in 0..300 {
        let seed = choices.seed();
        let mut bot = Bot::new(Skill::CASUAL, Ruleset::V1, choices.seed());
        let mut inputs = play(seed, 40, |s| bot.next_jump(s.world()));
        let at = choices.below(inputs.len() as u32 + 1) as usize;
        let odd = bound_jump(choices);
        inputs.insert(at, odd);
        for _ in 0..choices.below(3) {
            inputs.push(bound_jump(choices));
        }
        cases.add(
            &format!(
                "input {at} is press {} dwell {}",
                odd.press_ms, odd.dwell_ms
            ),
            seed,
            inputs,
        )?;
    }
    let params = Ruleset::V1.params();
    let fall = Jump {
        press_ms: params.max_press_ms,
        dwell_ms: 300,
    };
    let too_many = vec![fall; params.max_jumps as usize + 1];
    assert!(
        distance(params, fall.press_ms) > 30_000,
        "the first jump falls"
    );
    cases.add(
        "one input more than a run may hold: replay refuses the list before playing it",
        5,
        too_many,
    )?;
    for seed in EDGE_SEEDS {
        cases.add("no inputs on an edge seed", seed, Vec::new())?;
    }
    Ok(())
}
