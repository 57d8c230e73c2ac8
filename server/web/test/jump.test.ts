/** The jump animation: the arc the rules compute, and each landing's ending. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { V1, distance, flightMs } from "leapfrog-rules";

import { PLATFORM_HEIGHT, chargeOf, duration, planJump, poseAt, springAt } from "../src/anim/jump.js";
import { easeOutBack, easeOutElastic, progress } from "../src/anim/easing.js";

const from = { x: 0, z: 0 };
const press = 706;
const touchdown = { x: distance(V1, press), z: 0 };

test("the flight follows the rules: its length, its time, and the apex from the vertical speed", () => {
  const plan = planJump(V1, from, "right", { touchdown, landing: "centre" }, press, 1_000);
  assert.equal(plan.flightMs, flightMs(V1, press));
  const vy = V1.vyBase + V1.vyPerMs * press;
  assert.ok(Math.abs(plan.apex - (vy * vy) / (2 * V1.gravity) / 1000) < 1e-9);
  assert.deepEqual([poseAt(plan, 1_000).x, poseAt(plan, 1_000).y], [0, PLATFORM_HEIGHT]);
  const middle = poseAt(plan, 1_000 + plan.flightMs / 2);
  assert.ok(Math.abs(middle.y - (PLATFORM_HEIGHT + plan.apex)) < 1e-9, "the apex halfway");
  assert.ok(Math.abs(middle.x - touchdown.x / 2000) < 1e-9);
  assert.ok(middle.airborne);
  const landed = poseAt(plan, 1_000 + plan.flightMs);
  assert.deepEqual([landed.x, landed.y, landed.z, landed.airborne], [touchdown.x / 1000, PLATFORM_HEIGHT, 0, false]);
  // One somersault, clockwise for a jump to the right, back upright at the touchdown.
  assert.ok(middle.rotation > 0);
  assert.equal(poseAt(plan, 1_000 + duration(plan)).rotation, 0);
});

test("a jump to the left turns the other way", () => {
  const plan = planJump(V1, from, "left", { touchdown: { x: 0, z: -touchdown.x }, landing: "landed" }, press, 0);
  assert.ok(poseAt(plan, plan.flightMs / 2).rotation < 0);
});

test("a fall ends on the ground, a tip turns a quarter over the edge first", () => {
  const fell = planJump(V1, from, "right", { touchdown, landing: "fell" }, press, 0);
  assert.equal(poseAt(fell, duration(fell)).y, 0);
  const tipped = planJump(V1, from, "right", { touchdown, landing: "tipped_forward" }, press, 0);
  const end = poseAt(tipped, duration(tipped));
  assert.equal(end.y, 0);
  assert.ok(Math.abs(end.rotation - Math.PI / 2) < 1e-9 && end.aboutBase);
  const back = planJump(V1, from, "right", { touchdown, landing: "tipped_back" }, press, 0);
  assert.ok(poseAt(back, duration(back)).rotation < 0, "backwards");
  assert.ok(duration(tipped) > duration(fell) && duration(fell) > duration(planJump(V1, from, "right", { touchdown, landing: "centre" }, press, 0)));
});

test("the crouch deepens with the press up to a full charge; the platform springs back after the release", () => {
  assert.equal(chargeOf(0), 0);
  assert.ok(chargeOf(500) < chargeOf(1_000) && chargeOf(1_000) < 1);
  assert.equal(chargeOf(5_000), 1);
  const plan = planJump(V1, from, "right", { touchdown, landing: "centre" }, 1_500, 0);
  assert.ok(springAt(plan, 0) > 0);
  assert.equal(springAt(plan, 10_000), 0);
});

test("easing curves start at 0, end at 1, and progress clamps", () => {
  for (const curve of [easeOutBack, easeOutElastic]) {
    assert.equal(Math.round(curve(0) * 1e9), 0);
    assert.equal(Math.round(curve(1) * 1e9) / 1e9, 1);
  }
  assert.equal(progress(100, 200, 0), 0);
  assert.equal(progress(100, 200, 200), 0.5);
  assert.equal(progress(100, 200, 900), 1);
  assert.equal(progress(100, 0, 50), 1);
});
