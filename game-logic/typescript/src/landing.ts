/**
 * Where a jump comes down, and what that means (Rust: `landing.rs`, `RULES.md` section 7).
 *
 * @module
 */

import type { Params } from "./ruleset.js";
import { type Direction, type Platform, type Point, contains, moved } from "./world.js";

/**
 * How a jump ended. `centre`, `landed` and `stayed` keep the run going; the rest end it:
 * - `centre`: on the next platform, within `centreRadius` of its centre;
 * - `landed`: on the next platform, away from its centre;
 * - `stayed`: fell short of the next platform but is still on the current one (a hop, no points);
 * - `tipped_forward`: overshot, only the back half of the body is on the next platform's far edge;
 * - `tipped_back`: just short, only the front half of the body is on the next platform's near edge;
 * - `overhang`: just past the current platform, the body hangs over its edge;
 * - `fell`: touched nothing.
 */
export type Landing = "centre" | "landed" | "stayed" | "tipped_forward" | "tipped_back" | "overhang" | "fell";

/** True for the landings that end the run. */
export function isGameOver(landing: Landing): boolean {
  return landing !== "centre" && landing !== "landed" && landing !== "stayed";
}

/** True when the figure moved on to the next platform (a landing that scores and generates a platform). */
export function reachedNext(landing: Landing): boolean {
  return landing === "centre" || landing === "landed";
}

/**
 * Classifies a touch-down at `point`, reached by jumping along `direction` from `current` towards `next`.
 * The tests run in this order; the first that holds wins:
 * 1. `point` on `next` within `centreRadius` of its centre: `centre`; on `next`: `landed`.
 * 2. `point` on `current`: `stayed`.
 * 3. The point half a body behind `point` on `next`: `tipped_forward`.
 * 4. The point half a body ahead of `point` on `next`: `tipped_back`.
 * 5. The point half a body behind `point` on `current`: `overhang`.
 * 6. Otherwise `fell`.
 */
export function classify(
  params: Params,
  current: Platform,
  next: Platform,
  direction: Direction,
  point: Point,
): Landing {
  if (contains(next, point)) {
    // On the platform, so both offsets are within its radius and their squares are exact.
    const dx = point.x - next.centre.x;
    const dz = point.z - next.centre.z;
    const r = params.centreRadius;
    return dx * dx + dz * dz <= r * r ? "centre" : "landed";
  }
  if (contains(current, point)) return "stayed";
  const behind = moved(point, direction, -params.bodyHalfWidth);
  if (contains(next, behind)) return "tipped_forward";
  if (contains(next, moved(point, direction, params.bodyHalfWidth))) return "tipped_back";
  if (contains(current, behind)) return "overhang";
  return "fell";
}
