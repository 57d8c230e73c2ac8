/**
 * The camera follows the run: it frames the platform the figure stands on and the next one, and glides to
 * the new pair after every landing.
 *
 * @module
 */

import type { World } from "leapfrog-rules";

import { type Camera, framing, units } from "../render/iso.js";
import { easeOutCubic, lerp, progress } from "./easing.js";

/** How long the camera glides to a new pair of platforms, ms. */
export const GLIDE_MS = 480;

/** The ground point (units) the camera looks at for `world`: between the current and the next platform. */
export function focusOf(world: World): { readonly x: number; readonly z: number } {
  return {
    x: units(world.current.centre.x + world.next.centre.x) / 2,
    z: units(world.current.centre.z + world.next.centre.z) / 2,
  };
}

/** A camera gliding between focus points. */
export class CameraRig {
  #from: { x: number; z: number };
  #to: { x: number; z: number };
  #startMs = 0;

  constructor(world: World) {
    this.#to = focusOf(world);
    this.#from = this.#to;
  }

  /** Glides from where the camera is at `now` to frame `world`. */
  follow(world: World, now: number): void {
    this.#from = this.#focusAt(now);
    this.#to = focusOf(world);
    this.#startMs = now;
  }

  /** Looks at `world` at once. */
  jumpTo(world: World): void {
    this.#to = focusOf(world);
    this.#from = this.#to;
  }

  /** True while gliding. */
  moving(now: number): boolean {
    return now < this.#startMs + GLIDE_MS;
  }

  /** The camera at `now` for a `width` x `height` view. */
  at(now: number, width: number, height: number): Camera {
    return { ...this.#focusAt(now), ...framing(width, height) };
  }

  #focusAt(now: number): { x: number; z: number } {
    const t = easeOutCubic(progress(this.#startMs, GLIDE_MS, now));
    return { x: lerp(this.#from.x, this.#to.x, t), z: lerp(this.#from.z, this.#to.z, t) };
  }
}
