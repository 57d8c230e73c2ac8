/** Ghost tracks: when each recorded jump happens, and where the ghost is. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { GameSession, type Jump, Ruleset, V1, distanceToNext, flightMs, pressForDistance } from "leapfrog-rules";

import { GhostTrack, releaseTimes } from "../src/game/ghost.js";

/** A run of `hits` centre hits, then a fall, on seed 7. */
function recorded(hits: number): Jump[] {
  const session = new GameSession("7", Ruleset.V1);
  const jumps: Jump[] = [];
  for (let i = 0; i < hits; i++) {
    const jump = { press_ms: pressForDistance(V1, distanceToNext(session.world)), dwell_ms: 400 + i };
    session.apply(jump);
    jumps.push(jump);
  }
  jumps.push({ press_ms: 3_000, dwell_ms: 300 });
  return jumps;
}

test("each jump is released after the previous flight, the settle time, its dwell and its press", () => {
  const jumps = [
    { press_ms: 700, dwell_ms: 300 },
    { press_ms: 500, dwell_ms: 1_000 },
  ];
  assert.deepEqual(releaseTimes(V1, jumps), [1_000, 1_000 + flightMs(V1, 700) + V1.settleMs + 1_500]);
});

test("the ghost charges, flies and lands on the recorded course, and its score follows the rules", () => {
  const jumps = recorded(3);
  const track = new GhostTrack("7", Ruleset.V1, jumps);
  const releases = releaseTimes(V1, jumps);
  const start = track.stateAt(0);
  assert.deepEqual([start.jumps, start.score, start.platform, start.over], [0, 0, 0, false]);
  const charging = track.stateAt((releases[0] ?? 0) - 100);
  assert.ok(charging.pose.squashY < 1, "crouched");
  const flying = track.stateAt((releases[0] ?? 0) + 50);
  assert.ok(flying.pose.airborne && flying.flight > 0 && flying.target === 1);
  const landed = track.stateAt((releases[0] ?? 0) + flightMs(V1, jumps[0]?.press_ms ?? 0) + 10);
  assert.deepEqual([landed.jumps, landed.score, landed.platform], [1, 2, 1]);
  const end = track.stateAt(track.endMs + 1);
  assert.deepEqual([end.jumps, end.score, end.over], [4, 2 + 4 + 6, true]);
  assert.equal(track.finalScore, 12);
  assert.equal(track.steps.length, 4);
  assert.deepEqual(track.platform(0).centre, { x: 0, z: 0 });
});

test("inputs after the jump that ended the run are ignored", () => {
  const track = new GhostTrack("7", Ruleset.V1, [...recorded(1), { press_ms: 700, dwell_ms: 300 }]);
  assert.equal(track.steps.length, 2);
});
