/**
 * The course as drawn: the platforms of a run in the order they appeared (numbered from the start platform,
 * 0), each with its colours and the moment it dropped into place. Only the last few are kept: the ones
 * behind the camera are off screen.
 *
 * @module
 */

import type { Platform, World } from "leapfrog-rules";

import { easeOutBack, progress } from "../anim/easing.js";
import type { PlatformLook, PlatformState } from "../render/platforms.js";
import { facesOf } from "../render/palette.js";

/** Platforms kept behind the current one. */
const KEPT_BEHIND = 5;
/** How long a new platform takes to drop into place, ms. */
export const DROP_MS = 380;
/** Height a new platform drops from, units. */
const DROP_FROM = 14;

/** A platform of the course. */
export interface CoursePlatform {
  /** Its place in the run: 0 is the start platform. */
  readonly index: number;
  readonly look: PlatformLook;
  /** When it started dropping into place (ms; 0 or earlier: already in place). */
  readonly bornMs: number;
}

/** Two platforms are the same when they have the same centre. */
export function samePlatform(a: Platform, b: Platform): boolean {
  return a.centre.x === b.centre.x && a.centre.z === b.centre.z;
}

/** The platforms of one run, as the figure moves along. */
export class Course {
  #platforms: CoursePlatform[];

  /** The course of `world` (the start of a run, or where a resumed run stands: its platform numbered `index`). */
  constructor(world: World, index = 0) {
    this.#platforms = [
      { index, look: look(world.current), bornMs: 0 },
      { index: index + 1, look: look(world.next), bornMs: 0 },
    ];
  }

  /** Every platform kept, the oldest first. */
  get platforms(): readonly CoursePlatform[] {
    return this.#platforms;
  }

  /** The number of the newest platform. */
  get lastIndex(): number {
    return this.#platforms[this.#platforms.length - 1]?.index ?? 0;
  }

  /** The platform numbered `index`, if kept. */
  at(index: number): CoursePlatform | undefined {
    return this.#platforms.find((platform) => platform.index === index);
  }

  /** The figure moved on to the platform that was next, and `world.next` drops in from `bornMs`. */
  advance(world: World, bornMs: number): void {
    const last = this.#platforms[this.#platforms.length - 1];
    if (last !== undefined && samePlatform(last.look.platform, world.next)) return;
    this.#platforms.push({ index: this.lastIndex + 1, look: look(world.next), bornMs });
    if (this.#platforms.length > KEPT_BEHIND + 2) this.#platforms = this.#platforms.slice(-(KEPT_BEHIND + 2));
  }

  /** Every platform as drawn at `now`; `sink(index)` says how far a platform's top is pressed down. */
  states(now: number, sink: (index: number) => number, height: number): PlatformState[] {
    return this.#platforms.map((platform) => {
      const t = progress(platform.bornMs, DROP_MS, now);
      return {
        look: platform.look,
        top: height * (1 - sink(platform.index)),
        lift: Math.max(-0.35, DROP_FROM * (1 - easeOutBack(t))),
        alpha: Math.min(1, t * 3),
      };
    });
  }
}

function look(platform: Platform): PlatformLook {
  return { platform, faces: facesOf(platform) };
}
