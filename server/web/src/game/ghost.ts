/**
 * A ghost: a recorded run (a friend's best, or your own) played back on a timeline, with the rules
 * (`leapfrog-rules`): its seed and inputs give every landing, and its dwells and presses give when each
 * jump was released, as the timing model counts them. Used to watch a run and to race one.
 *
 * @module
 */

import {
  GameSession,
  type Jump,
  type JumpOutcome,
  type Params,
  type Platform,
  Ruleset,
  type Seed,
  type World,
  flightMs,
  reachedNext,
} from "leapfrog-rules";

import { PLATFORM_HEIGHT, type JumpPlan, type Pose, chargeOf, planJump, poseAt, standing } from "../anim/jump.js";

/**
 * When each jump of `jumps` is released, ms from the start of the run: the dwell and the press after the
 * previous jump's flight and the settle time, as the timing model has it (`RULES.md` section 8).
 */
export function releaseTimes(params: Params, jumps: readonly Jump[]): number[] {
  const times: number[] = [];
  let at = 0;
  jumps.forEach((jump, index) => {
    const previous = jumps[index - 1];
    if (previous !== undefined) at += flightMs(params, previous.press_ms) + params.settleMs;
    at += jump.dwell_ms + jump.press_ms;
    times.push(at);
  });
  return times;
}

/** One jump of the ghost. */
export interface GhostStep {
  readonly pressMs: number;
  readonly pressStartMs: number;
  readonly releaseMs: number;
  readonly before: World;
  readonly outcome: JumpOutcome;
  readonly plan: JumpPlan;
  /** The course number of the platform it left from. */
  readonly platform: number;
}

/** Where the ghost is at a moment. */
export interface GhostState {
  readonly pose: Pose;
  /** Jumps landed so far. */
  readonly jumps: number;
  readonly score: number;
  /** The course number of the platform it stands on or left from, and the one it flies to. */
  readonly platform: number;
  readonly target: number;
  /** Share of the flight done, 0 on the ground. */
  readonly flight: number;
  /** True once its last jump is over. */
  readonly over: boolean;
}

/** A recorded run on a timeline. */
export class GhostTrack {
  readonly #steps: GhostStep[] = [];
  /** Its course: platform 0 is the start platform. */
  readonly #course: Platform[];
  readonly start: World;
  /** When its last jump's animation ends, ms from the start. */
  readonly endMs: number;
  readonly finalScore: number;

  /** The run of `jumps` on `seed` under `ruleset`; inputs after the one that ended it are ignored. */
  constructor(seed: Seed, ruleset: Ruleset, jumps: readonly Jump[]) {
    const params = Ruleset.params(ruleset);
    const session = new GameSession(seed, ruleset);
    this.start = session.world;
    this.#course = [session.world.current, session.world.next];
    const releases = releaseTimes(params, jumps);
    let platform = 0;
    for (const [index, jump] of jumps.entries()) {
      if (session.isOver) break;
      const before = session.world;
      const outcome = session.apply(jump);
      const releaseMs = releases[index] ?? 0;
      const plan = planJump(params, before.figure, before.direction, outcome, jump.press_ms, releaseMs);
      this.#steps.push({ pressMs: jump.press_ms, pressStartMs: releaseMs - jump.press_ms, releaseMs, before, outcome, plan, platform });
      if (reachedNext(outcome.landing)) {
        platform += 1;
        this.#course.push(outcome.world.next);
      }
    }
    const last = this.#steps[this.#steps.length - 1];
    this.endMs = last === undefined ? 0 : last.releaseMs + last.plan.flightMs + 600;
    this.finalScore = session.score;
  }

  /** Platform `index` of its course (the nearest one kept past the end). */
  platform(index: number): Platform {
    const clamped = Math.max(0, Math.min(index, this.#course.length - 1));
    return this.#course[clamped] as Platform;
  }

  /** Its jumps, in order, on its timeline. */
  get steps(): readonly GhostStep[] {
    return this.#steps;
  }

  /** Where it is `elapsed` ms after its start. */
  stateAt(elapsed: number): GhostState {
    const index = this.#lastStarted(elapsed);
    const step = this.#steps[index];
    if (step === undefined) {
      return { pose: standing(this.start.figure, PLATFORM_HEIGHT), jumps: 0, score: 0, platform: 0, target: 0, flight: 0, over: false };
    }
    const scoreBefore = this.#steps[index - 1]?.outcome.score ?? 0;
    if (elapsed < step.releaseMs) {
      const charge = chargeOf(elapsed - step.pressStartMs);
      return {
        pose: standing(step.before.figure, PLATFORM_HEIGHT, charge),
        jumps: index,
        score: scoreBefore,
        platform: step.platform,
        target: step.platform,
        flight: 0,
        over: false,
      };
    }
    const target = step.platform + (reachedNext(step.outcome.landing) ? 1 : 0);
    const inAir = elapsed - step.releaseMs < step.plan.flightMs;
    return {
      pose: poseAt(step.plan, elapsed),
      jumps: inAir ? index : index + 1,
      score: inAir ? scoreBefore : step.outcome.score,
      platform: inAir ? step.platform : target,
      target,
      flight: inAir ? (elapsed - step.releaseMs) / step.plan.flightMs : 0,
      over: elapsed >= this.endMs,
    };
  }

  /** The index of the last step whose press began at or before `elapsed`, or -1. */
  #lastStarted(elapsed: number): number {
    let low = 0;
    let high = this.#steps.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if ((this.#steps[mid]?.pressStartMs ?? Infinity) <= elapsed) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }
}
