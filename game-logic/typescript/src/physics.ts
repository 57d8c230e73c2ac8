/**
 * Press duration to flight: the ballistic model of the original, in exact integer arithmetic (Rust:
 * `physics.rs`, `RULES.md` section 7).
 *
 * A press of `p` ms gives a horizontal speed `vx = min(vxPerMs * p, vxMax)` and a vertical speed
 * `vy = min(vyBase + vyPerMs * p, vyMax)` (mu/s). Launch and landing are at the same height, so the figure is
 * in the air for `2 * vy / gravity` seconds and flies `vx * 2 * vy / gravity` mu, both rounded down. With
 * ruleset 1 every intermediate is below 2^36 (`70 * (2^32 - 1)` before the cap, `150 000 * 2 * 180 000`
 * after it), so plain numbers compute them exactly.
 *
 * @module
 */

import { divFloor } from "./int.js";
import type { Params } from "./ruleset.js";

/** The horizontal distance flown by a press of `pressMs` (a u32), in mu. */
export function distance(params: Params, pressMs: number): number {
  const vx = Math.min(params.vxPerMs * pressMs, params.vxMax);
  const vy = Math.min(params.vyBase + params.vyPerMs * pressMs, params.vyMax);
  return divFloor(vx * 2 * vy, params.gravity);
}

/** The time in the air after a press of `pressMs` (a u32), in ms: what the timing model adds per jump. */
export function flightMs(params: Params, pressMs: number): number {
  const vy = Math.min(params.vyBase + params.vyPerMs * pressMs, params.vyMax);
  return divFloor(vy * 2 * 1000, params.gravity);
}

/**
 * The press, within the ruleset's accepted range, whose distance is closest to `target` mu (the shorter
 * press on a tie): how a bot or an aim assist turns a distance into an input. `distance` never decreases
 * with the press, so a binary search finds it.
 */
export function pressForDistance(params: Params, target: number): number {
  let low = params.minPressMs;
  let high = params.maxPressMs;
  while (low < high) {
    const mid = low + ((high - low) >>> 1);
    if (distance(params, mid) < target) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  if (low > params.minPressMs && target - distance(params, low - 1) <= distance(params, low) - target) {
    return low - 1;
  }
  return low;
}
