/**
 * The rules piece by piece: the Rust crate's unit tests for physics, landing and generation, and the worked
 * example of `RULES.md` section 10, number by number.
 */

import assert from "node:assert/strict";
import { test } from "node:test";

import { nextPlatform, startPlatform } from "../src/generate.js";
import {
  GameSession,
  type Platform,
  type Point,
  Ruleset,
  V1,
  ahead,
  classify,
  contains,
  difficultyAfter,
  distance,
  distanceToNext,
  flightMs,
  isSpecialSlot,
  pressForDistance,
} from "../src/index.js";
import { Pcg32 } from "../src/rng.js";

test("distance and flight follow the original formula, with both speed caps", () => {
  // d = 70 T (135 + 15 T) / 360 units for T in seconds, below both caps.
  assert.equal(distance(V1, 1_000), 29_166);
  assert.equal(distance(V1, 500), 13_854);
  assert.equal(distance(V1, 100), 2_654);
  assert.equal(distance(V1, 3_000), 75_000);
  assert.equal(distance(V1, 10_000), 75_000);
  assert.equal(distance(V1, 0xffff_ffff), 75_000);
  assert.equal(flightMs(V1, 3_000), 500);
  assert.equal(flightMs(V1, 0), 375);
});

test("distance never decreases with the press, and pressForDistance inverts it", () => {
  let last = 0;
  for (let press = 0; press <= V1.maxPressMs; press++) {
    const d = distance(V1, press);
    assert.ok(d >= last, `press ${press}`);
    last = d;
  }
  for (const target of [3_000, 14_000, 20_000, 29_166, 40_000]) {
    const press = pressForDistance(V1, target);
    const error = Math.abs(distance(V1, press) - target);
    assert.ok(error <= Math.abs(distance(V1, press - 1) - target), `target ${target}`);
    assert.ok(error <= Math.abs(distance(V1, press + 1) - target), `target ${target}`);
  }
  assert.equal(pressForDistance(V1, 0), V1.minPressMs);
  assert.equal(pressForDistance(V1, Number.MAX_SAFE_INTEGER), V1.maxPressMs);
});

const cubeAt = (x: number, radius: number): Platform => ({
  centre: { x, z: 0 },
  shape: "cube",
  radius,
  special: null,
});

test("each landing at its place along a jump", () => {
  const land = (x: number) => classify(V1, cubeAt(0, 5_000), cubeAt(20_000, 4_000), "right", { x, z: 0 });
  const expected: [number, string][] = [
    [20_000, "centre"], [20_710, "centre"], [19_290, "centre"], [20_711, "landed"], [24_000, "landed"],
    [16_000, "landed"], [24_001, "tipped_forward"], [25_170, "tipped_forward"], [25_171, "fell"],
    [15_999, "tipped_back"], [14_830, "tipped_back"], [14_829, "fell"], [5_000, "stayed"], [1_000, "stayed"],
    [5_001, "overhang"], [6_170, "overhang"], [6_171, "fell"], [10_000, "fell"],
  ];
  for (const [x, landing] of expected) assert.equal(land(x), landing, `x = ${x}`);
});

test("a cylinder's edges use the disc; a cube's contain its corners", () => {
  const next: Platform = { centre: { x: 20_000, z: -3_000 }, shape: "cylinder", radius: 5_000, special: null };
  // 4 000 ahead and 3 000 across is exactly on the rim (3-4-5).
  assert.equal(classify(V1, cubeAt(0, 5_000), next, "right", { x: 24_000, z: 0 }), "landed");
  assert.equal(classify(V1, cubeAt(0, 5_000), next, "right", { x: 24_001, z: 0 }), "tipped_forward");
  const cube: Platform = { ...next, shape: "cube" };
  assert.ok(contains(cube, { x: 25_000, z: 2_000 }));
  assert.ok(!contains(next, { x: 25_000, z: 2_000 }));
  // Far away on one axis: the disc test must not square huge offsets (they would lose exactness).
  assert.ok(!contains(next, { x: 20_000 + 2 ** 40, z: -3_000 }));
});

test("difficulty starts at the original ranges and stops at the floors, even for any u32", () => {
  assert.deepEqual(difficultyAfter(V1, 0), { scaleMin: 800, scaleMax: 1_000, gapMax: 17_000 });
  assert.deepEqual(difficultyAfter(V1, 10), { scaleMin: 750, scaleMax: 950, gapMax: 17_300 });
  assert.deepEqual(difficultyAfter(V1, 166), { scaleMin: 250, scaleMax: 600, gapMax: 21_980 });
  assert.deepEqual(difficultyAfter(V1, 167), { scaleMin: 250, scaleMax: 600, gapMax: 22_000 });
  assert.deepEqual(difficultyAfter(V1, 0xffff_ffff), { scaleMin: 250, scaleMax: 600, gapMax: 22_000 });
});

test("special slots every five, then every six once the score is above 1 000", () => {
  const slots = (score: number) => [...Array(20).keys()].map((i) => i + 1).filter((i) => isSpecialSlot(V1, i, score));
  assert.deepEqual(slots(0), [5, 10, 15, 20]);
  assert.deepEqual(slots(1_001), [6, 12, 18]);
  assert.ok(isSpecialSlot(V1, 10, 1_000));
});

test("the next platform lies on the figure's line beyond the gap; specials take their own shape", () => {
  const current = startPlatform(V1);
  const figure: Point = { x: 1_200, z: -300 };
  for (let seed = 0n; seed < 200n; seed++) {
    const context = { index: 3, landings: 4, score: 9, lastSpecial: null };
    const { platform, direction } = nextPlatform(V1, new Pcg32(seed, V1.gameStream), context, current, figure);
    const gap = ahead(current.centre, platform.centre, direction) - current.radius - platform.radius;
    assert.ok(gap >= 1_000 && gap <= 17_120, `gap ${gap}`);
    if (direction === "right") assert.equal(platform.centre.z, figure.z);
    else assert.equal(platform.centre.x, figure.x);
    assert.ok(platform.radius >= 3_900 && platform.radius <= 4_900);
    assert.equal(platform.special, null);

    const special = nextPlatform(V1, new Pcg32(seed, V1.gameStream), { ...context, index: 5 }, current, figure);
    assert.notEqual(special.platform.special, null);
    assert.equal(special.platform.shape, special.platform.special === "manhole_cover" ? "cylinder" : "cube");
  }
});

test("a special never repeats the previous one", () => {
  let last: Platform["special"] = null;
  const rng = new Pcg32(1n, 2n);
  for (let i = 0; i < 1_000; i++) {
    const { platform } = nextPlatform(V1, rng, { index: 5, landings: 0, score: 0, lastSpecial: last }, startPlatform(V1), { x: 0, z: 0 });
    assert.notEqual(platform.special, last);
    last = platform.special;
  }
});

test("the worked example of RULES.md section 10, number by number", () => {
  const run = new GameSession(42n, Ruleset.V1);
  assert.deepEqual(run.world.next, cubeAt(20_000, 4_595));
  assert.equal(distanceToNext(run.world), 20_000);
  assert.deepEqual([distance(V1, 706), flightMs(V1, 706)], [19_986, 404]);

  const first = run.apply({ press_ms: 706, dwell_ms: 400 });
  assert.deepEqual(first.touchdown, { x: 19_986, z: 0 });
  assert.deepEqual([first.landing, first.combo, first.points, first.score], ["centre", 1, 2, 2]);
  assert.equal(first.world.direction, "left");
  assert.deepEqual(first.world.next, { centre: { x: 19_986, z: -25_770 }, shape: "cube", radius: 4_930, special: null });

  const second = run.apply({ press_ms: 956, dwell_ms: 250 });
  assert.equal(distance(V1, 956), 27_760);
  assert.deepEqual(second.touchdown, { x: 19_986, z: -27_760 });
  assert.deepEqual([second.landing, second.combo, second.points, second.score], ["landed", 0, 1, 3]);
  assert.equal(second.world.direction, "right");
  assert.deepEqual(second.world.next, {
    centre: { x: 38_807, z: -27_760 },
    shape: "cylinder",
    radius: 4_595,
    special: null,
  });

  const third = run.apply({ press_ms: 60, dwell_ms: 300 });
  assert.equal(distance(V1, 60), 1_585);
  assert.deepEqual([third.landing, third.score], ["stayed", 3]);
  assert.deepEqual(third.touchdown, { x: 21_571, z: -27_760 });
  assert.equal(distanceToNext(run.world), 17_236);

  const fourth = run.apply({ press_ms: 863, dwell_ms: 300 });
  assert.equal(distance(V1, 863), 24_825);
  assert.deepEqual(fourth.touchdown, { x: 46_396, z: -27_760 });
  assert.deepEqual([fourth.landing, fourth.game_over, fourth.score], ["fell", true, 3]);
  const summary = run.summary();
  assert.deepEqual([summary.jumps, summary.landings, summary.min_duration_ms], [4, 2, 6_240]);
});

test("the world of a new run equals the one the server sends in run_started (PROTOCOL.md, seed 42)", () => {
  // `s1-run-started`'s world, as the JSON wire protocol carries it: the same field names and values.
  const wire = JSON.parse(
    '{"figure":{"x":0,"z":0},"current":{"centre":{"x":0,"z":0},"shape":"cube","radius":5000,"special":null},' +
      '"next":{"centre":{"x":20000,"z":0},"shape":"cube","radius":4595,"special":null},"direction":"right",' +
      '"bonus_available":false}',
  );
  assert.deepStrictEqual(new GameSession("42", Ruleset.fromVersion(1)).world, wire);
});
