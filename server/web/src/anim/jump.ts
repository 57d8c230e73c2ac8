/**
 * A jump as an animation, a pure function of time: the charge while the press is held, the flight along
 * the arc the rules compute (`leapfrog-rules` physics: the distance and the time in the air follow from the
 * press; the height from the vertical speed and gravity), and what the landing does (a squash on a platform,
 * a tip over an edge, a fall to the ground).
 *
 * Positions are world units; a platform's top is at {@link PLATFORM_HEIGHT}, the ground at 0.
 *
 * @module
 */

import { type Direction, type JumpOutcome, type Landing, type Params, type Point, flightMs } from "leapfrog-rules";

import { clamp, easeInOutSine, easeInQuad, easeOutElastic, lerp, progress } from "./easing.js";
import { units } from "../render/iso.js";

/** Height of every platform's top, units (the original's 5.5). */
export const PLATFORM_HEIGHT = 5.5;

/** A press this long shows the deepest crouch, ms: the horizontal speed stops growing about here. */
export const FULL_CHARGE_MS = 2_000;

/** How long a landing on a platform squashes the figure, ms. */
const LANDING_SQUASH_MS = 160;
/** How long a figure takes to tip over an edge, ms. */
const TIP_MS = 260;
/** How long a fall to the ground takes, ms. */
const FALL_MS = 280;
/** How long a released platform springs back, ms. */
const SPRING_MS = 450;

/** How deep the crouch is after holding `heldMs`, in [0, 1]. */
export function chargeOf(heldMs: number): number {
  const t = clamp(heldMs / FULL_CHARGE_MS, 0, 1);
  return 1 - (1 - t) * (1 - t);
}

/** How the figure is drawn at a moment. */
export interface Pose {
  /** Base of the figure (between its feet), units. */
  readonly x: number;
  readonly y: number;
  readonly z: number;
  /** Screen rotation in radians (clockwise), about the figure's middle, or its base when `aboutBase`. */
  readonly rotation: number;
  readonly aboutBase: boolean;
  /** Vertical and horizontal scale of the body (a crouch squashes and widens it). */
  readonly squashY: number;
  readonly squashX: number;
  /** True in the air: the shadow shrinks with the height. */
  readonly airborne: boolean;
}

/** The figure standing at `at` (mu) on a platform whose top is `top` units high, crouched by `charge`. */
export function standing(at: Point, top: number, charge = 0): Pose {
  return {
    x: units(at.x),
    y: top,
    z: units(at.z),
    rotation: 0,
    aboutBase: false,
    squashY: 1 - 0.42 * charge,
    squashX: 1 + 0.16 * charge,
    airborne: false,
  };
}

/** How far a platform's top sinks under a crouch of `charge`, as a share of its height. */
export function platformSink(charge: number): number {
  return 0.28 * charge;
}

/** One jump, planned at its release. */
export interface JumpPlan {
  /** When the press was released (the animation's start), ms on the page's clock. */
  readonly startMs: number;
  /** Where the figure left from and touched down, mu. */
  readonly from: Point;
  readonly to: Point;
  readonly direction: Direction;
  /** Time in the air, ms (the rules' flight time for the press). */
  readonly flightMs: number;
  /** Height of the arc above the platforms' tops, units. */
  readonly apex: number;
  readonly landing: Landing;
  /** The crouch at the release, which the platform springs back from. */
  readonly charge: number;
}

/** Plans the jump from `from` that the rules say came down as `outcome`, released at `startMs`. */
export function planJump(
  params: Params,
  from: Point,
  direction: Direction,
  outcome: Pick<JumpOutcome, "touchdown" | "landing">,
  pressMs: number,
  startMs: number,
): JumpPlan {
  const vy = Math.min(params.vyBase + params.vyPerMs * pressMs, params.vyMax);
  return {
    startMs,
    from,
    to: outcome.touchdown,
    direction,
    flightMs: flightMs(params, pressMs),
    apex: units((vy * vy) / (2 * params.gravity)),
    landing: outcome.landing,
    charge: chargeOf(pressMs),
  };
}

/** True when `landing` leaves the figure standing on a platform. */
export function lands(landing: Landing): boolean {
  return landing === "centre" || landing === "landed" || landing === "stayed";
}

/** How long the whole animation of `plan` lasts, flight and landing, ms. */
export function duration(plan: JumpPlan): number {
  switch (plan.landing) {
    case "centre":
    case "landed":
    case "stayed":
      return plan.flightMs + LANDING_SQUASH_MS;
    case "fell":
      return plan.flightMs + FALL_MS;
    case "tipped_forward":
    case "tipped_back":
    case "overhang":
      return plan.flightMs + TIP_MS + FALL_MS;
  }
}

/** The figure's pose at `now` (before the start: at the start; after the end: at rest). */
export function poseAt(plan: JumpPlan, now: number): Pose {
  const elapsed = Math.max(0, now - plan.startMs);
  const turn = plan.direction === "right" ? 1 : -1;
  const [fx, fz, tx, tz] = [units(plan.from.x), units(plan.from.z), units(plan.to.x), units(plan.to.z)];
  if (elapsed < plan.flightMs) {
    const t = elapsed / plan.flightMs;
    return {
      x: lerp(fx, tx, t),
      y: PLATFORM_HEIGHT + 4 * plan.apex * t * (1 - t),
      z: lerp(fz, tz, t),
      rotation: turn * 2 * Math.PI * easeInOutSine(t),
      aboutBase: false,
      squashY: 1,
      squashX: 1,
      airborne: true,
    };
  }
  const after = elapsed - plan.flightMs;
  const rest = { x: tx, z: tz, aboutBase: false, squashX: 1, airborne: false };
  switch (plan.landing) {
    case "centre":
    case "landed":
    case "stayed": {
      const squash = 0.2 * Math.sin(Math.PI * progress(0, LANDING_SQUASH_MS, after));
      return { ...rest, y: PLATFORM_HEIGHT, rotation: 0, squashY: 1 - squash, squashX: 1 + squash * 0.5 };
    }
    case "fell":
      return {
        ...rest,
        y: PLATFORM_HEIGHT * (1 - easeInQuad(progress(0, FALL_MS, after))),
        rotation: turn * 0.35 * progress(0, FALL_MS, after),
        squashY: 1,
      };
    case "tipped_forward":
    case "tipped_back":
    case "overhang": {
      const lean = plan.landing === "tipped_back" ? -turn : turn;
      const tipped = easeInQuad(progress(0, TIP_MS, after));
      const fallen = easeInQuad(progress(TIP_MS, FALL_MS, after));
      return {
        ...rest,
        y: PLATFORM_HEIGHT * (1 - fallen),
        rotation: lean * (Math.PI / 2) * tipped,
        aboutBase: true,
        squashY: 1,
      };
    }
  }
}

/** How far the platform the jump left from is still sunk at `now` (springing back from the crouch). */
export function springAt(plan: JumpPlan, now: number): number {
  const t = progress(plan.startMs, SPRING_MS, now);
  return platformSink(plan.charge) * (1 - easeOutElastic(t));
}
