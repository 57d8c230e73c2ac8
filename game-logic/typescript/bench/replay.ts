/**
 * `npm run bench`: what replaying a whole 1,000-jump run costs in Node, the figure a client or a Node
 * verifier pays to check or rebuild a run. Not a test: it prints timings and asserts nothing about them.
 *
 * The run is the one `cargo bench -p game-logic --bench engine` replays in `replay_1000_jump_aimed_run`:
 * seed 0x1eaff00d, every jump aimed at the next centre (`pressForDistance`) after a 300 ms dwell, so every
 * jump is a centre hit and the run never ends early. Both benches check its final score, so they time the
 * same work. Also compares the PCG32 draw on 32-bit halves (what the rules use) with a `bigint` one.
 */

import { GameSession, type Jump, Pcg32, Ruleset, V1, distanceToNext, pressForDistance, replay } from "../src/index.js";
import { Pcg32BigInt } from "../test/support/pcg32-bigint.js";

const SEED = 0x1eaff00dn;
const RUN_LENGTH = 1_000;
/** The final score of the run, as the Rust bench checks it too. */
const EXPECTED_SCORE = 31_760;

function aimedRun(): Jump[] {
  const session = new GameSession(SEED, Ruleset.V1);
  const inputs: Jump[] = [];
  for (let i = 0; i < RUN_LENGTH; i++) {
    const jump = { press_ms: pressForDistance(V1, distanceToNext(session.world)), dwell_ms: 300 };
    session.apply(jump);
    inputs.push(jump);
  }
  return inputs;
}

/** Times `body` once per sample after `warmup` untimed calls; returns the per-call times in microseconds. */
function sample(samples: number, warmup: number, body: () => unknown): number[] {
  for (let i = 0; i < warmup; i++) body();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    body();
    times.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  return times.sort((a, b) => a - b);
}

function describe(times: readonly number[]): string {
  const at = (q: number) => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN).toFixed(1);
  return `median ${at(0.5)} µs, min ${at(0)} µs, p90 ${at(0.9)} µs (${times.length} samples)`;
}

const inputs = aimedRun();
const summary = replay(SEED, Ruleset.V1, inputs);
if (summary.score !== EXPECTED_SCORE || summary.landings !== RUN_LENGTH) {
  throw new Error(`the benchmark run changed: score ${summary.score}, ${summary.landings} landings`);
}

console.log(`node ${process.version}, ${process.platform} ${process.arch}; npm run bench (node dist/bench/replay.js)`);
console.log(`run: seed ${SEED}, ${RUN_LENGTH} aimed jumps, score ${summary.score}`);

const replays = sample(2_000, 300, () => replay(SEED, Ruleset.V1, inputs));
console.log(`replay of the ${RUN_LENGTH}-jump run: ${describe(replays)}`);

const draws = 100_000;
const halves = sample(50, 10, () => {
  const rng = new Pcg32(SEED, 54n);
  for (let i = 0; i < draws; i++) rng.nextU32();
});
const bigints = sample(20, 3, () => {
  const rng = new Pcg32BigInt(SEED, 54n);
  for (let i = 0; i < draws; i++) rng.nextU32();
});
const perDraw = (times: readonly number[]) => (((times[Math.floor(times.length / 2)] ?? 0) * 1_000) / draws).toFixed(1);
console.log(`PCG32 draw: 32-bit halves ${perDraw(halves)} ns, bigint ${perDraw(bigints)} ns (medians of ${draws} draws)`);
