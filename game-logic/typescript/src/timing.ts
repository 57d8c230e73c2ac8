/**
 * The timing model and the input bounds (Rust: `timing.rs`, `RULES.md` sections 5 and 8).
 *
 * A jump is, in order: the dwell (standing still after the previous landing settled), the press, the flight,
 * and the settle time while the figure lands and the camera moves on. A person cannot release a jump sooner
 * than `flight(previous) + settle + dwell + press` after releasing the previous one; the server refuses
 * inputs faster than that, so a client that predicts locally must respect the same least times.
 *
 * @module
 */

import { flightMs } from "./physics.js";
import type { Params } from "./ruleset.js";

/**
 * One input: how long the player waited after the last landing settled, then how long they pressed. Both
 * are u32 milliseconds; field names are the wire protocol's.
 */
export interface Jump {
  /** Press duration in ms; decides the distance flown. */
  readonly press_ms: number;
  /** Ms standing still before the press started; earns special-platform bonuses. */
  readonly dwell_ms: number;
}

/**
 * Why a jump's values are impossible under the ruleset's bounds (Rust: `InvalidJump`). The `kind` is the
 * Rust variant in snake case; {@link describeInvalidJump} gives Rust's exact message.
 */
export type InvalidJump =
  | { readonly kind: "press_too_short"; readonly press_ms: number; readonly min_ms: number }
  | { readonly kind: "press_too_long"; readonly press_ms: number; readonly max_ms: number }
  | { readonly kind: "dwell_too_short"; readonly dwell_ms: number; readonly min_ms: number }
  | { readonly kind: "dwell_too_long"; readonly dwell_ms: number; readonly max_ms: number };

const U32_MAX = 0xffff_ffff;

function assertU32(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw new RangeError(`${field} must be an integer number of ms in 0..=${U32_MAX}, got ${value}`);
  }
}

/**
 * Checks a jump's values against the ruleset's bounds, in the order of `RULES.md` section 5, and returns
 * the first failure or `null`.
 *
 * @throws RangeError when a field is not a u32 at all (a fraction, a negative number, `NaN`): such a value
 *   cannot be sent to the server, and the Rust types cannot even hold it, so it is a programming error rather
 *   than a refusal.
 */
export function checkJump(params: Params, jump: Jump): InvalidJump | null {
  assertU32(jump.press_ms, "press_ms");
  assertU32(jump.dwell_ms, "dwell_ms");
  if (jump.press_ms < params.minPressMs) {
    return { kind: "press_too_short", press_ms: jump.press_ms, min_ms: params.minPressMs };
  }
  if (jump.press_ms > params.maxPressMs) {
    return { kind: "press_too_long", press_ms: jump.press_ms, max_ms: params.maxPressMs };
  }
  if (jump.dwell_ms < params.minDwellMs) {
    return { kind: "dwell_too_short", dwell_ms: jump.dwell_ms, min_ms: params.minDwellMs };
  }
  if (jump.dwell_ms > params.maxDwellMs) {
    return { kind: "dwell_too_long", dwell_ms: jump.dwell_ms, max_ms: params.maxDwellMs };
  }
  return null;
}

/** Rust's `Display` text of an {@link InvalidJump}, byte for byte, so both sides report the same words. */
export function describeInvalidJump(reason: InvalidJump): string {
  switch (reason.kind) {
    case "press_too_short":
      return `press of ${reason.press_ms} ms is shorter than the minimum ${reason.min_ms} ms`;
    case "press_too_long":
      return `press of ${reason.press_ms} ms is longer than the maximum ${reason.max_ms} ms`;
    case "dwell_too_short":
      return `dwell of ${reason.dwell_ms} ms is shorter than the minimum ${reason.min_ms} ms`;
    case "dwell_too_long":
      return `dwell of ${reason.dwell_ms} ms is longer than the maximum ${reason.max_ms} ms`;
  }
}

/**
 * The least time between releasing the previous jump (whose press was `previousPressMs`, `null` for the
 * first jump of a run, timed from the run's start) and releasing `jump`. At most about 2^33 ms for u32
 * inputs, so exact.
 */
export function minIntervalMs(params: Params, previousPressMs: number | null, jump: Jump): number {
  const sincePrevious = previousPressMs === null ? 0 : flightMs(params, previousPressMs) + params.settleMs;
  return sincePrevious + jump.dwell_ms + jump.press_ms;
}

/** The least time a whole jump takes: dwell, press, flight and settle. */
export function jumpDurationMs(params: Params, jump: Jump): number {
  return jump.dwell_ms + jump.press_ms + flightMs(params, jump.press_ms) + params.settleMs;
}
