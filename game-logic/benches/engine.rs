//! Engine speed: simulated jumps per second, and replaying a whole 1,000-jump run.
//!
//! `cargo bench -p game-logic --bench engine`. Targets (one core): 10 million jumps per second, a
//! 1,000-jump replay under 100 microseconds. Results go in BENCHMARKS.md.

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use game_logic::physics::press_for_distance;
use game_logic::{Bot, GameSession, Jump, Ruleset, Skill, replay};

const SEED: u64 = 0x1eaf_f00d;
const RUN_LENGTH: usize = 1_000;

fn main() {
    divan::main();
}

/// A 1,000-jump run by a perfect bot: every jump a centre hit, so the run never ends early.
fn long_run() -> Vec<Jump> {
    let mut session = GameSession::new(SEED, Ruleset::V1);
    let mut bot = Bot::new(Skill::PERFECT, Ruleset::V1, SEED);
    (0..RUN_LENGTH)
        .map(|_| {
            let jump = bot.next_jump(session.world());
            session.apply(jump).expect("a perfect bot never misses");
            jump
        })
        .collect()
}

/// `GameSession::apply` alone: the per-jump cost of the server's authoritative simulation.
#[divan::bench]
fn apply_jumps(bencher: Bencher) {
    let inputs = long_run();
    bencher
        .counter(ItemsCount::new(inputs.len()))
        .with_inputs(|| GameSession::new(SEED, Ruleset::V1))
        .bench_local_values(|mut session| {
            for jump in &inputs {
                black_box(session.apply(*jump).ok());
            }
            session
        });
}

/// `replay` of the whole run: what verifying an offline run or resuming a run on another node costs.
#[divan::bench]
fn replay_1000_jump_run(bencher: Bencher) {
    let inputs = long_run();
    bencher
        .counter(ItemsCount::new(inputs.len()))
        .bench_local(|| black_box(replay(SEED, Ruleset::V1, black_box(&inputs))));
}

/// The run the TypeScript port's `npm run bench` replays, for a like-for-like figure: every jump aimed at
/// the next centre with `press_for_distance` after a 300 ms dwell (the bot above adds a small error). Both
/// benches check its final score.
#[divan::bench]
fn replay_1000_jump_aimed_run(bencher: Bencher) {
    let params = Ruleset::V1.params();
    let mut session = GameSession::new(SEED, Ruleset::V1);
    let inputs: Vec<Jump> = (0..RUN_LENGTH)
        .map(|_| {
            let jump = Jump {
                press_ms: press_for_distance(params, session.world().distance_to_next()),
                dwell_ms: 300,
            };
            session.apply(jump).expect("an aimed jump is accepted");
            jump
        })
        .collect();
    let summary = session.summary();
    assert_eq!((summary.score, summary.landings), (31_760, 1_000));
    bencher
        .counter(ItemsCount::new(inputs.len()))
        .bench_local(|| black_box(replay(SEED, Ruleset::V1, black_box(&inputs))));
}

/// Baseline in the same run: only drawing the random numbers a run of this length consumes (four to
/// five draws a platform), the floor under any engine built on this stream.
#[divan::bench]
fn baseline_rng_draws(bencher: Bencher) {
    bencher
        .counter(ItemsCount::new(RUN_LENGTH))
        .bench_local(|| {
            let mut rng = game_logic::Pcg32::new(SEED, 54);
            for _ in 0..RUN_LENGTH {
                black_box(
                    rng.next_below(2)
                        + rng.next_below(4)
                        + rng.next_in(250, 1_000)
                        + rng.next_in(1_000, 22_000),
                );
            }
        });
}
