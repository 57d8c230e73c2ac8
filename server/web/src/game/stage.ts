/**
 * The stage: the course, the figure and its jumps, the camera, the effects and an optional ghost, drawn
 * every animation frame. It knows nothing of the network: it is told when a press starts and what a released
 * jump does (the outcome leapfrog-rules predicted), and animates that at once.
 *
 * @module
 */

import { type JumpOutcome, type Params, type Platform, type Point, type World, reachedNext, specialBonus } from "leapfrog-rules";

import { CameraRig, GLIDE_MS } from "../anim/camera.js";
import { lerp } from "../anim/easing.js";
import {
  PLATFORM_HEIGHT,
  type JumpPlan,
  type Pose,
  chargeOf,
  duration,
  planJump,
  platformSink,
  poseAt,
  springAt,
  standing,
} from "../anim/jump.js";
import { type Effect, alive } from "../render/effects.js";
import { MU_PER_UNIT, units } from "../render/iso.js";
import { facesOf } from "../render/palette.js";
import type { PlatformLook, PlatformState } from "../render/platforms.js";
import { type FigureState, Painter } from "../render/scene.js";
import { Course, DROP_MS } from "./course.js";
import type { GhostState, GhostTrack } from "./ghost.js";

/** What a landing told the stage's owner. */
export interface Landed {
  readonly outcome: JumpOutcome;
  /** When the figure touched down, ms. */
  readonly atMs: number;
}

/** Frame timings kept for measurement (the last this many). */
const FRAME_SAMPLES = 600;

/** The animated scene on one canvas. */
export class Stage {
  readonly #painter: Painter;
  readonly #params: Params;
  #course: Course;
  #camera: CameraRig;
  #effects: Effect[] = [];
  /** The course number of the platform the figure stands on (or left from). */
  #platform = 0;
  /** Where the figure stands when not jumping. */
  #rest: Point;
  #chargeStart: number | null = null;
  #jump: { plan: JumpPlan; outcome: JumpOutcome; landed: boolean; from: number } | null = null;
  #quietAt = 0;
  #ghost: { track: GhostTrack; startMs: number; looks: Map<number, PlatformLook>; shiftedFor: number } | null = null;
  #ghostState: GhostState | null = null;
  #dirty = true;
  #frame = 0;
  readonly #drawTimes: number[] = [];
  /** Called when a jump touches down. */
  onLanded: ((landed: Landed) => void) | null = null;
  /** Called every frame a ghost runs, with its state. */
  onGhost: ((state: GhostState) => void) | null = null;

  constructor(canvas: HTMLCanvasElement, params: Params, world: World) {
    this.#painter = new Painter(canvas);
    this.#params = params;
    this.#course = new Course(world);
    this.#camera = new CameraRig(world);
    this.#rest = world.figure;
  }

  /** Shows `world` at once (a new run, a resumed one, or a replay), its platform numbered `index`. */
  show(world: World, index = 0): void {
    this.#course = new Course(world, index);
    this.#camera = new CameraRig(world);
    this.#platform = index;
    this.#rest = world.figure;
    this.#jump = null;
    this.#chargeStart = null;
    this.#effects = [];
    this.#dirty = true;
  }

  /** Starts the crouch of a press at `now`. */
  charge(now: number): void {
    this.#chargeStart = now;
  }

  /** Ends a crouch without a jump. */
  cancelCharge(): void {
    this.#chargeStart = null;
    this.#dirty = true;
  }

  /** True while a press is held. */
  get charging(): boolean {
    return this.#chargeStart !== null;
  }

  /**
   * Releases the jump from `before` that came down as `outcome` after a press of `pressMs`, at `now`.
   * Returns when its animation ends (the landing squash, or the fall).
   */
  release(now: number, before: World, outcome: JumpOutcome, pressMs: number): number {
    const plan = planJump(this.#params, before.figure, before.direction, outcome, pressMs, now);
    this.#chargeStart = null;
    this.#jump = { plan, outcome, landed: false, from: this.#platform };
    const end = now + duration(plan);
    this.#quiet(end + GLIDE_MS + DROP_MS);
    return end;
  }

  /** Races `track` as a ghost from `startMs` (or stops the ghost: `null`). */
  setGhost(track: GhostTrack | null, startMs = 0): void {
    this.#ghost = track === null ? null : { track, startMs, looks: new Map(), shiftedFor: -1 };
    this.#ghostState = null;
    this.#dirty = true;
  }

  /** The draw times of the last frames, ms (for the frame-pacing benchmark). */
  get drawTimes(): readonly number[] {
    return this.#drawTimes;
  }

  /** Draws frames until `stop()`. */
  run(): () => void {
    const loop = (now: number) => {
      this.#frame = requestAnimationFrame(loop);
      this.#tick(now);
    };
    this.#frame = requestAnimationFrame(loop);
    return () => cancelAnimationFrame(this.#frame);
  }

  #quiet(until: number): void {
    this.#quietAt = Math.max(this.#quietAt, until);
  }

  #tick(now: number): void {
    const resized = this.#painter.fit();
    this.#land(now);
    const ghost = this.#ghostAt(now);
    const busy = resized || this.#dirty || this.#chargeStart !== null || now < this.#quietAt || ghost;
    if (!busy) return;
    this.#dirty = false;
    const started = performance.now();
    this.#painter.draw({
      camera: this.#camera.at(now, this.#painter.width, this.#painter.height),
      platforms: [...this.#course.states(now, (index) => this.#sink(index, now), PLATFORM_HEIGHT), ...this.#ghostPlatforms()],
      figures: this.#figures(now),
      effects: this.#effects,
      now,
    });
    this.#drawTimes.push(performance.now() - started);
    if (this.#drawTimes.length > FRAME_SAMPLES) this.#drawTimes.shift();
    this.#effects = this.#effects.filter((effect) => alive(effect, now));
  }

  /** At touchdown: the effects, the next platform, the camera, and the owner told. */
  #land(now: number): void {
    const jump = this.#jump;
    if (jump === null || jump.landed) return;
    const touchdown = jump.plan.startMs + jump.plan.flightMs;
    if (now < touchdown) return;
    jump.landed = true;
    const { outcome } = jump;
    const at = { x: units(outcome.touchdown.x), y: PLATFORM_HEIGHT, z: units(outcome.touchdown.z) };
    if (outcome.landing === "centre") this.#effects.push({ kind: "ripple", ...at, startMs: touchdown });
    const gained = outcome.points + outcome.bonus;
    if (gained > 0) {
      const text = outcome.bonus > 0 ? `+${gained} bonus` : `+${gained}`;
      const size = this.#painter.width < 500 ? 22 : 28;
      this.#effects.push({ kind: "popup", ...at, text, size: outcome.combo > 1 ? size * 1.25 : size, startMs: touchdown });
    }
    const special = outcome.world.current.special;
    if (reachedNext(outcome.landing) && special !== null && outcome.world.bonus_available) {
      // A special platform pays a bonus for waiting on it: say so, once, above the points.
      const size = this.#painter.width < 500 ? 15 : 18;
      this.#effects.push({ kind: "popup", ...at, y: at.y + 3, text: `wait 2 s: +${specialBonus(special)}`, size, startMs: touchdown + 250 });
    }
    if (reachedNext(outcome.landing)) {
      this.#platform = jump.from + 1;
      this.#course.advance(outcome.world, touchdown + 40);
      this.#camera.follow(outcome.world, touchdown + 60);
    }
    this.#rest = outcome.touchdown;
    this.#quiet(touchdown + 1_200);
    this.onLanded?.({ outcome, atMs: touchdown });
  }

  /** How far platform `index` is pressed down at `now`. */
  #sink(index: number, now: number): number {
    if (this.#chargeStart !== null && index === this.#platform) return platformSink(chargeOf(now - this.#chargeStart));
    if (this.#jump !== null && index === this.#jump.from) return springAt(this.#jump.plan, now);
    return 0;
  }

  #figures(now: number): FigureState[] {
    const figures: FigureState[] = [];
    const ghost = this.#ghostState;
    if (ghost !== null && this.#ghost !== null) {
      figures.push({ pose: this.#ghostPose(ghost), ghost: true, alpha: 0.5 });
    }
    figures.push({ pose: this.#pose(now), ghost: false, alpha: 1 });
    return figures;
  }

  #pose(now: number): Pose {
    const jump = this.#jump;
    // A jump that ended the run keeps its last pose: the figure lies where it fell.
    if (jump !== null && (jump.outcome.game_over || now < jump.plan.startMs + duration(jump.plan))) {
      return poseAt(jump.plan, now);
    }
    const charge = this.#chargeStart === null ? 0 : chargeOf(now - this.#chargeStart);
    return standing(this.#rest, PLATFORM_HEIGHT * (1 - platformSink(charge)), charge);
  }

  /** Advances the ghost; true while it still moves. */
  #ghostAt(now: number): boolean {
    const ghost = this.#ghost;
    if (ghost === null) return false;
    const state = ghost.track.stateAt(now - ghost.startMs);
    this.#ghostState = state;
    this.onGhost?.(state);
    return !state.over;
  }

  /**
   * The ghost's offset onto this course: the ghost's platform `index` is drawn where this course has its
   * platform `index` (the courses differ by where each landed), or past this course's end, shifted as its
   * newest platform is.
   */
  #offset(index: number): { x: number; z: number } {
    const ghost = this.#ghost;
    if (ghost === null) return { x: 0, z: 0 };
    const mine = this.#course.at(Math.min(index, this.#course.lastIndex));
    const known = mine?.index ?? this.#course.lastIndex;
    const theirs = ghost.track.platform(known);
    if (mine === undefined) return { x: 0, z: 0 };
    return { x: units(mine.look.platform.centre.x - theirs.centre.x), z: units(mine.look.platform.centre.z - theirs.centre.z) };
  }

  #ghostPose(state: GhostState): Pose {
    const from = this.#offset(state.platform);
    const to = this.#offset(state.target);
    const t = state.flight;
    return { ...state.pose, x: state.pose.x + lerp(from.x, to.x, t), z: state.pose.z + lerp(from.z, to.z, t) };
  }

  /** The ghost's platforms past this course's newest, faint. */
  #ghostPlatforms(): PlatformState[] {
    const ghost = this.#ghost;
    const state = this.#ghostState;
    if (ghost === null || state === null) return [];
    const shift = this.#offset(this.#course.lastIndex);
    if (ghost.shiftedFor !== this.#course.lastIndex) {
      ghost.looks.clear();
      ghost.shiftedFor = this.#course.lastIndex;
    }
    const platforms: PlatformState[] = [];
    for (let index = this.#course.lastIndex + 1; index <= state.target + 1; index++) {
      let look = ghost.looks.get(index);
      if (look === undefined) {
        const theirs = ghost.track.platform(index);
        const platform: Platform = {
          ...theirs,
          centre: {
            x: theirs.centre.x + Math.round(shift.x * MU_PER_UNIT),
            z: theirs.centre.z + Math.round(shift.z * MU_PER_UNIT),
          },
        };
        look = { platform, faces: facesOf(platform) };
        ghost.looks.set(index, look);
      }
      platforms.push({ look, top: PLATFORM_HEIGHT, lift: 0, alpha: 0.32 });
    }
    return platforms;
  }
}
