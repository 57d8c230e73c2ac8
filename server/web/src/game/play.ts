/**
 * Playing a live run: a press and its release become a jump, predicted at once by leapfrog-rules (the SDK's
 * `Run`) and animated on the stage, then confirmed by the server. The dwell before each press is measured
 * from when the previous landing settled (the timing model's settle time after touchdown), so the inputs are
 * what the player really did; `Run` paces what it sends so the server's timing check always passes.
 *
 * @module
 */

import {
  type LeapfrogClient,
  type ResumedRun,
  Run,
  type RunEnd,
  type StartMode,
} from "leapfrog-client";
import { type Jump, type JumpOutcome, type Params, flightMs, replay } from "leapfrog-rules";

import { clamp } from "../anim/easing.js";
import { forgetRun, saveRun } from "./saved.js";
import type { Stage } from "./stage.js";

/** How a run ended, for the run-over screen. */
export interface Ending {
  readonly runId: string;
  readonly score: number;
  /** The server's figures (`null` when they were lost with a connection: the boards still show the run). */
  readonly ended: RunEnd | null;
  readonly challenge: string | null;
}

/** What the game is told. */
export interface PlayEvents {
  /** A jump touched down (the score and combo after it). */
  landed(outcome: JumpOutcome): void;
  /** The run ended and its fall was shown. */
  over(ending: Ending): void;
  /** Something went wrong that the player should know. */
  problem(message: string): void;
}

/** Where a run is. */
type Phase = "idle" | "ready" | "charging" | "jumping" | "over";

/** How long after the fall the run-over screen comes, ms. */
const OVER_PAUSE_MS = 450;

/** The live run on the stage, driven by presses. */
export class Play {
  readonly #stage: Stage;
  readonly #client: LeapfrogClient;
  readonly #params: Params;
  readonly #storage: Storage | null;
  readonly #events: PlayEvents;
  #run: Run | null = null;
  #phase: Phase = "idle";
  #inputs: Jump[] = [];
  #challenge: string | null = null;
  /** When the dwell of the next press starts counting (the run's start, or the last landing settled). */
  #readyAt = 0;
  /** No press is taken before this (the landing animation). */
  #busyUntil = 0;
  #pressAt: number | null = null;

  constructor(stage: Stage, client: LeapfrogClient, params: Params, storage: Storage | null, events: PlayEvents) {
    this.#stage = stage;
    this.#client = client;
    this.#params = params;
    this.#storage = storage;
    this.#events = events;
  }

  /** The run being played, if any. */
  get run(): Run | null {
    return this.#run;
  }

  /** True while a run takes presses. */
  get live(): boolean {
    return this.#phase !== "idle" && this.#phase !== "over";
  }

  /** Starts a run (solo, or on a challenge's course) and shows its first platforms. */
  async start(mode: Exclude<StartMode, "offline">, challenge: string | null): Promise<void> {
    this.#dispose();
    const run = await Run.start(this.#client, { mode });
    this.#take(run, [], challenge);
  }

  /** Takes up the run the server resumed after a reload, from the inputs this tab kept. */
  resume(resumed: ResumedRun, inputs: readonly Jump[], challenge: string | null): void {
    this.#dispose();
    const run = Run.resume(this.#client, resumed, inputs);
    this.#take(run, inputs.slice(0, resumed.next_seq), challenge);
  }

  #take(run: Run, inputs: readonly Jump[], challenge: string | null): void {
    this.#run = run;
    this.#inputs = [...inputs];
    this.#challenge = challenge;
    this.#phase = "ready";
    this.#readyAt = performance.now();
    this.#busyUntil = 0;
    this.#stage.show(run.world, this.#platform());
    this.#stage.onLanded = ({ outcome }) => this.#events.landed(outcome);
    this.#save();
  }

  /** A press starts at `at` (an event's time stamp); ignored unless a jump can be made now. */
  press(at: number): void {
    if (this.#phase === "jumping" && at >= this.#busyUntil) this.#phase = "ready";
    if (this.#phase !== "ready") return;
    this.#phase = "charging";
    this.#pressAt = at;
    this.#stage.charge(at);
  }

  /** The press ends at `at`: the jump is made. */
  release(at: number): void {
    const run = this.#run;
    const pressAt = this.#pressAt;
    if (this.#phase !== "charging" || run === null || pressAt === null) return;
    this.#pressAt = null;
    const params = this.#params;
    const jump: Jump = {
      press_ms: clamp(Math.round(at - pressAt), params.minPressMs, params.maxPressMs),
      dwell_ms: clamp(Math.round(pressAt - this.#readyAt), params.minDwellMs, params.maxDwellMs),
    };
    const before = run.world;
    let ticket;
    try {
      ticket = run.jump(jump);
    } catch (error) {
      this.#stage.cancelCharge();
      this.#phase = "over";
      this.#events.problem(error instanceof Error ? error.message : String(error));
      return;
    }
    this.#inputs.push(jump);
    this.#save();
    const outcome = ticket.predicted;
    const end = this.#stage.release(at, before, outcome, jump.press_ms);
    this.#phase = "jumping";
    this.#busyUntil = end;
    this.#readyAt = at + flightMs(params, jump.press_ms) + params.settleMs;
    ticket.confirmed.catch((error: unknown) => {
      if (run !== this.#run || outcome.game_over) return;
      // The server refused a jump (it never should): show where the run really stands.
      this.#events.problem(error instanceof Error ? error.message : String(error));
      if (run.isOver) {
        this.#phase = "over";
        return;
      }
      this.#inputs = this.#inputs.slice(0, run.jumps);
      this.#stage.show(run.world, this.#platform());
      this.#phase = "ready";
      this.#readyAt = performance.now();
    });
    if (outcome.game_over) {
      this.#phase = "over";
      void this.#finish(run, ticket.confirmed, end);
    }
  }

  /** Waits for the fall to be shown and the server's figures, then reports the end. */
  async #finish(run: Run, confirmed: Promise<{ ended: RunEnd | null }>, animationEnd: number): Promise<void> {
    const shown = new Promise((resolve) => setTimeout(resolve, Math.max(0, animationEnd - performance.now()) + OVER_PAUSE_MS));
    const answered = confirmed.then(
      (result) => result.ended,
      () => run.ended,
    );
    const [, first] = await Promise.all([shown, answered]);
    let ended = first ?? run.ended;
    if (ended !== null && "pending" in ended) {
      ended = await new Promise<RunEnd | null>((resolve) => {
        const timer = setTimeout(() => resolve(ended), 15_000);
        run.on("result", (over) => {
          clearTimeout(timer);
          resolve({ over });
        });
      });
    }
    forgetRun(this.#storage);
    if (run !== this.#run) return;
    this.#events.over({ runId: run.id, score: run.score, ended, challenge: this.#challenge });
  }

  /** Stops taking presses (a panel opened over the game, or another screen). */
  cancelPress(): void {
    if (this.#phase !== "charging") return;
    this.#phase = "ready";
    this.#pressAt = null;
    this.#stage.cancelCharge();
  }

  /** The course number of the platform the figure stands on: the landings of the inputs made. */
  #platform(): number {
    const run = this.#run;
    return run === null ? 0 : replay(run.seed, run.ruleset, this.#inputs).landings;
  }

  #save(): void {
    const run = this.#run;
    if (run === null) return;
    saveRun(this.#storage, { runId: run.id, jumps: this.#inputs, challenge: this.#challenge });
  }

  #dispose(): void {
    this.#run?.dispose();
    this.#run = null;
    this.#phase = "idle";
  }
}
