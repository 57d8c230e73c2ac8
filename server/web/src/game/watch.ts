/**
 * Watching a recorded run: its jumps played on the stage at the pace they were made (long waits shortened),
 * as if the player were pressing, with the score and landings of the rules.
 *
 * @module
 */

import type { JumpOutcome } from "leapfrog-rules";

import type { GhostTrack } from "./ghost.js";
import type { Stage } from "./stage.js";

/** Longest wait shown between two jumps, ms: a long think is skipped. */
const MAX_WAIT_MS = 1_500;

/** A replay on the stage. */
export class Watch {
  readonly #timers: ReturnType<typeof setTimeout>[] = [];

  /**
   * Plays `track` on `stage` from now; `landed` hears every touchdown, `done` the end.
   */
  constructor(stage: Stage, track: GhostTrack, landed: (outcome: JumpOutcome) => void, done: () => void) {
    stage.show(track.start, 0);
    stage.onLanded = ({ outcome }) => landed(outcome);
    let at = 600;
    let previousRelease = 0;
    for (const step of track.steps) {
      const wait = Math.min(MAX_WAIT_MS, step.pressStartMs - previousRelease);
      const pressAt = at + Math.max(0, wait);
      const releaseAt = pressAt + step.pressMs;
      this.#at(pressAt, () => stage.charge(performance.now()));
      this.#at(releaseAt, () => stage.release(performance.now(), step.before, step.outcome, step.pressMs));
      previousRelease = step.releaseMs;
      at = releaseAt;
    }
    this.#at(at + 1_800, done);
  }

  /** Stops the replay. */
  stop(): void {
    for (const timer of this.#timers.splice(0)) clearTimeout(timer);
  }

  #at(delayMs: number, action: () => void): void {
    this.#timers.push(setTimeout(action, delayMs));
  }
}
