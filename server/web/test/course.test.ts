/** The course as drawn, and the run a tab keeps for a reload. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { GameSession, Ruleset, V1, distanceToNext, pressForDistance } from "leapfrog-rules";

import { Course, DROP_MS } from "../src/game/course.js";
import { forgetRun, loadRun, saveRun } from "../src/game/saved.js";
import { facesOf } from "../src/render/palette.js";

test("landings add the next platform, dropping in; old ones are let go", () => {
  const session = new GameSession("3", Ruleset.V1);
  const course = new Course(session.world);
  assert.deepEqual(course.platforms.map((p) => p.index), [0, 1]);
  for (let i = 0; i < 10; i++) {
    const outcome = session.apply({ press_ms: pressForDistance(V1, distanceToNext(session.world)), dwell_ms: 300 });
    course.advance(outcome.world, 1_000 * i);
    course.advance(outcome.world, 1_000 * i); // the same landing twice adds nothing
  }
  assert.equal(course.lastIndex, 11);
  assert.equal(course.platforms.length, 7);
  const states = course.states(9_000, () => 0, 5.5);
  const newest = states[states.length - 1];
  assert.ok(newest !== undefined && newest.lift > 0 && newest.alpha === 0, "the newest is still up in the air");
  const settled = course.states(9_000 + DROP_MS, (index) => (index === 10 ? 0.5 : 0), 5.5);
  assert.equal(settled[settled.length - 1]?.lift, 0);
  assert.equal(settled[settled.length - 2]?.top, 2.75, "a pressed platform's top sinks");
});

test("a platform's colours come from its position: the same after a reload", () => {
  const world = new GameSession("3", Ruleset.V1).world;
  assert.deepEqual(facesOf(world.next), facesOf({ ...world.next }));
});

test("the kept run comes back only when well-formed", () => {
  const items = new Map<string, string>();
  const storage = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  } as Storage;
  assert.equal(loadRun(storage), null);
  const run = { runId: "0123456789abcdef0123456789abcdef", jumps: [{ press_ms: 700, dwell_ms: 300 }], challenge: null };
  saveRun(storage, run);
  assert.deepEqual(loadRun(storage), run);
  items.set("leapfrog.liveRun", JSON.stringify({ ...run, runId: "nope" }));
  assert.equal(loadRun(storage), null);
  items.set("leapfrog.liveRun", JSON.stringify({ ...run, jumps: [{ press_ms: "x" }] }));
  assert.equal(loadRun(storage), null);
  items.set("leapfrog.liveRun", "{");
  assert.equal(loadRun(storage), null);
  forgetRun(storage);
  assert.equal(loadRun(storage), null);
  assert.equal(loadRun(null), null);
});
