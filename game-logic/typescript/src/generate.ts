/**
 * Making the next platform: difficulty, the draws from the game stream, and placement (Rust:
 * `generate.rs`, `RULES.md` section 6).
 *
 * Draw order for every generated platform (the first included) is fixed: direction, shape, scale, gap, then,
 * only on a special slot, the special kind.
 *
 * @module
 */

import { divFloor } from "./int.js";
import type { Pcg32 } from "./rng.js";
import type { Params } from "./ruleset.js";
import {
  type Direction,
  type Platform,
  type Point,
  type Shape,
  type SpecialKind,
  SPECIAL_KINDS,
  specialShape,
} from "./world.js";

const U32_MAX = 0xffff_ffff;

/** The size and gap ranges after some successful landings: platforms shrink and gaps widen. */
export interface Difficulty {
  /** Lower end of the scale range, permille of `baseRadius`. */
  readonly scaleMin: number;
  /** Upper end of the scale range, permille. */
  readonly scaleMax: number;
  /** Upper end of the edge-to-edge gap range, mu (the lower end is `gapMin`). */
  readonly gapMax: number;
}

/**
 * The ranges after `landings` (a u32) successful landings. Rust's u32 saturating arithmetic is reproduced:
 * products of a u32 and a ruleset step stay below 2^53, so they are exact before being clamped.
 */
export function difficultyAfter(params: Params, landings: number): Difficulty {
  const shrink = Math.min(landings * params.scaleStep, U32_MAX);
  const widen = Math.min(landings * params.gapStep, U32_MAX);
  return {
    scaleMin: Math.max(params.scaleMinStart - shrink, 0, params.scaleMinFloor),
    scaleMax: Math.max(params.scaleMaxStart - shrink, 0, params.scaleMaxFloor),
    gapMax: Math.min(params.gapMaxStart + widen, U32_MAX, params.gapMaxCap),
  };
}

/** What the generator needs to know about the run so far. */
export interface GenerationContext {
  /** 1 for the first next platform, then counting up. */
  readonly index: number;
  /** Successful landings so far. */
  readonly landings: number;
  /** Score so far. */
  readonly score: number;
  /** The most recent special kind generated in this run, which the next special may not repeat. */
  readonly lastSpecial: SpecialKind | null;
}

/** A generated platform and the direction from the figure towards it. */
export interface Generated {
  /** The new next platform. */
  readonly platform: Platform;
  /** The direction of the next jump. */
  readonly direction: Direction;
}

interface Draws {
  readonly direction: Direction;
  readonly shape: Shape;
  readonly radius: number;
  readonly gap: number;
}

function draw(params: Params, rng: Pcg32, landings: number): Draws {
  const difficulty = difficultyAfter(params, landings);
  const direction: Direction = rng.nextBelow(2) === 0 ? "right" : "left";
  const shape: Shape = rng.nextBelow(params.cylinderOneIn) === 0 ? "cylinder" : "cube";
  const scale = rng.nextIn(difficulty.scaleMin, difficulty.scaleMax);
  const gap = rng.nextIn(params.gapMin, difficulty.gapMax);
  return { direction, shape, radius: divFloor(params.baseRadius * scale, 1000), gap };
}

/** Whether platform number `index` is special, given the score when it is generated. */
export function isSpecialSlot(params: Params, index: number, score: number): boolean {
  const period = score > params.specialScoreSwitch ? params.specialPeriodLate : params.specialPeriod;
  return index % period === 0;
}

function drawSpecial(rng: Pcg32, last: SpecialKind | null): SpecialKind {
  // Out-of-range indices are unreachable (`nextBelow(4)` is below 4; the other kinds are the table without
  // `last`, so index `pick` skips over it); the fallbacks only satisfy the index types.
  if (last === null) return SPECIAL_KINDS[rng.nextBelow(4)] ?? "music_box";
  const pick = rng.nextBelow(3);
  return SPECIAL_KINDS[pick < SPECIAL_KINDS.indexOf(last) ? pick : pick + 1] ?? last;
}

/** The start platform: a cube of `startRadius` at the origin, not special. */
export function startPlatform(params: Params): Platform {
  return { centre: { x: 0, z: 0 }, shape: "cube", radius: params.startRadius, special: null };
}

/**
 * The first next platform: drawn like every other, but always to the right, `firstCentreDistance` from the
 * origin, and never special (its direction and gap draws are made and ignored, so the stream stays aligned).
 */
export function firstPlatform(params: Params, rng: Pcg32): Generated {
  const draws = draw(params, rng, 0);
  return {
    platform: {
      centre: { x: params.firstCentreDistance, z: 0 },
      shape: draws.shape,
      radius: draws.radius,
      special: null,
    },
    direction: "right",
  };
}

/**
 * The platform after `current`, for a figure standing at `figure`. Its centre lies on the line through the
 * figure in the drawn direction, `current.radius + gap + radius` beyond `current`'s centre along it.
 */
export function nextPlatform(
  params: Params,
  rng: Pcg32,
  context: GenerationContext,
  current: Platform,
  figure: Point,
): Generated {
  const draws = draw(params, rng, context.landings);
  const special = isSpecialSlot(params, context.index, context.score)
    ? drawSpecial(rng, context.lastSpecial)
    : null;
  const offset = current.radius + draws.gap + draws.radius;
  const centre: Point =
    draws.direction === "right"
      ? { x: current.centre.x + offset, z: figure.z }
      : { x: figure.x, z: current.centre.z - offset };
  return {
    platform: {
      centre,
      shape: special === null ? draws.shape : specialShape(special),
      radius: draws.radius,
      special,
    },
    direction: draws.direction,
  };
}
