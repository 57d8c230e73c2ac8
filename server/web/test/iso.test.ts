/** The isometric projection and the framing. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { ISO_X, ISO_Y, depth, framing, groundEllipse, project, units } from "../src/render/iso.js";

const camera = { x: 10, z: -4, scale: 10, anchorX: 200, anchorY: 300 };

test("the camera's point is drawn at the anchor, height goes straight up", () => {
  assert.deepEqual(project(camera, 10, 0, -4), { x: 200, y: 300 });
  assert.deepEqual(project(camera, 10, 5.5, -4), { x: 200, y: 245 });
});

test("+x goes up-right, -z up-left, as the two jump directions of the original", () => {
  const right = project(camera, 11, 0, -4);
  assert.ok(Math.abs(right.x - (200 + ISO_X * 10)) < 1e-9 && Math.abs(right.y - (300 - ISO_Y * 10)) < 1e-9);
  const left = project(camera, 10, 0, -5);
  assert.ok(left.x < 200 && left.y < 300, JSON.stringify(left));
});

test("nearer the viewer means a larger depth: towards +z and -x", () => {
  assert.ok(depth(0, 1) > depth(0, 0));
  assert.ok(depth(-1, 0) > depth(0, 0));
  // The next platform (+x or -z) is always farther than the current one.
  assert.ok(depth(20, 0) < depth(0, 0) && depth(0, -20) < depth(0, 0));
});

test("a ground circle is an ellipse twice as wide as high, √2 cos 30° per unit", () => {
  const { rx, ry } = groundEllipse(5, 2);
  assert.ok(Math.abs(rx - 5 * Math.SQRT2 * ISO_X * 2) < 1e-9);
  assert.ok(Math.abs(rx / ry - Math.sqrt(3)) < 1e-9);
});

test("a phone frames two platforms at the widest early gap; larger views draw larger", () => {
  const phone = framing(375, 667);
  // Centres 27 units apart (a 17-unit gap between radius-5 platforms), camera between them.
  const halfSpan = (27 / 2) * ISO_X * phone.scale + 2 * 5 * ISO_X * phone.scale;
  assert.ok(halfSpan <= 375 / 2, `${halfSpan} px from the middle`);
  assert.ok(framing(1280, 800).scale > phone.scale);
  assert.equal(units(1500), 1.5);
});
