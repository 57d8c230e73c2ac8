/**
 * One run: the state machine that applies jumps, scores them and generates the world ahead (Rust:
 * `session.rs`, `RULES.md` section 7).
 *
 * A client steps a {@link GameSession} with the player's jumps to show the result at once, before the server
 * confirms it: both compute the same outcome from the same seed, ruleset and inputs.
 *
 * @module
 */

import { firstPlatform, nextPlatform, startPlatform } from "./generate.js";
import { type Landing, classify, isGameOver, reachedNext } from "./landing.js";
import { distance } from "./physics.js";
import { Pcg32, type Seed, parseSeed } from "./rng.js";
import { type Params, Ruleset } from "./ruleset.js";
import {
  type InvalidJump,
  type Jump,
  checkJump,
  describeInvalidJump,
  jumpDurationMs,
  minIntervalMs,
} from "./timing.js";
import { type Point, type SpecialKind, type World, moved, specialBonus } from "./world.js";

const U32_MAX = 0xffff_ffff;

/**
 * The result of one jump: everything a client needs to animate it and show the new state. Field names are
 * the Rust serde names, as in the wire protocol and the vector files.
 */
export interface JumpOutcome {
  /** Zero-based index of this jump in the run. */
  readonly index: number;
  /** How the jump came down. */
  readonly landing: Landing;
  /** Points for the landing itself (0, 1, or a centre hit's `2 * combo` up to the cap). */
  readonly points: number;
  /** Special-platform bonus earned by the dwell before this jump (0 if none). */
  readonly bonus: number;
  /** Consecutive centre hits including this jump (0 after any other landing). */
  readonly combo: number;
  /** The run's total score after this jump. */
  readonly score: number;
  /** Where the figure touched down. */
  readonly touchdown: Point;
  /**
   * The world after the jump. After a jump that ends the run it is the world the jump was made in, with the
   * figure at the touch-down point.
   */
  readonly world: World;
  /** True when this jump ended the run. */
  readonly game_over: boolean;
}

/** What a run amounts to: the figures a leaderboard and an anti-cheat check need. */
export interface RunSummary {
  /** The run's seed. */
  readonly seed: bigint;
  /** The rules it was played under. */
  readonly ruleset: Ruleset;
  /** Jumps made. */
  readonly jumps: number;
  /** Jumps that reached the next platform. */
  readonly landings: number;
  /** Final (or current) score. */
  readonly score: number;
  /** Longest run of consecutive centre hits: the highest `combo` any outcome of the run reported. */
  readonly best_combo: number;
  /** True when a jump ended the run; false for a run stopped early (abandoned or still going). */
  readonly ended: boolean;
  /** How the last jump came down, or `null` before the first jump. */
  readonly last_landing: Landing | null;
  /** The least real time the run can have taken, in ms (the timing model). */
  readonly min_duration_ms: number;
}

/** Why a session refused a jump (Rust: `SessionError`); the `kind` is the Rust variant in snake case. */
export type SessionRefusal =
  | { readonly kind: "run_over" }
  | { readonly kind: "invalid_jump"; readonly reason: InvalidJump }
  | { readonly kind: "too_many_jumps"; readonly max: number };

/**
 * A refused jump. The session is unchanged, so the jump can be corrected and sent again. The message is
 * Rust's `Display` text byte for byte, the words the server would use for the same refusal.
 */
export class SessionError extends Error {
  /** What was refused, for code to act on. */
  readonly refusal: SessionRefusal;

  constructor(refusal: SessionRefusal) {
    super(describeRefusal(refusal));
    this.name = "SessionError";
    this.refusal = refusal;
  }
}

function describeRefusal(refusal: SessionRefusal): string {
  switch (refusal.kind) {
    case "run_over":
      return "the run is over: no jump is accepted after the jump that ended it";
    case "invalid_jump":
      return `impossible jump: ${describeInvalidJump(refusal.reason)}`;
    case "too_many_jumps":
      return `the run reached the maximum of ${refusal.max} jumps`;
  }
}

/**
 * A run in progress: deterministic in its seed, ruleset and the jumps applied so far. The worlds and
 * outcomes it hands out are immutable snapshots: applying a jump builds new ones and never changes those
 * already returned.
 */
export class GameSession {
  readonly #seed: bigint;
  readonly #ruleset: Ruleset;
  readonly #params: Params;
  #rng: Pcg32;
  #world: World;
  #score = 0;
  #combo = 0;
  #bestCombo = 0;
  #jumps = 0;
  #landings = 0;
  #platformsGenerated = 1;
  #lastSpecial: SpecialKind | null = null;
  #lastPressMs: number | null = null;
  #minDurationMs = 0;
  #lastLanding: Landing | null = null;

  /**
   * A new run: the figure on the start platform, the first next platform drawn from `seed`.
   *
   * @param seed - the run's u64 seed, as a `bigint` or the decimal string the server sends.
   * @param ruleset - the rules the run is played under (the server names them with the seed).
   * @throws RangeError when `seed` is not a u64.
   */
  constructor(seed: Seed, ruleset: Ruleset) {
    this.#seed = parseSeed(seed);
    this.#ruleset = ruleset;
    this.#params = Ruleset.params(ruleset);
    this.#rng = new Pcg32(this.#seed, this.#params.gameStream);
    const current = startPlatform(this.#params);
    const { platform, direction } = firstPlatform(this.#params, this.#rng);
    this.#world = { figure: current.centre, current, next: platform, direction, bonus_available: false };
  }

  /** The seed this run was started from. */
  get seed(): bigint {
    return this.#seed;
  }

  /** The rules this run is played under. */
  get ruleset(): Ruleset {
    return this.#ruleset;
  }

  /** What the player sees now. */
  get world(): World {
    return this.#world;
  }

  /** Total score so far. */
  get score(): number {
    return this.#score;
  }

  /** Current run of consecutive centre hits. */
  get combo(): number {
    return this.#combo;
  }

  /** Jumps applied so far (the index the next jump will get). */
  get jumps(): number {
    return this.#jumps;
  }

  /** True once a jump ended the run; every later jump is refused. */
  get isOver(): boolean {
    return this.#lastLanding !== null && isGameOver(this.#lastLanding);
  }

  /** The least real time, in ms, the jumps applied so far can have taken (the timing model). */
  get minDurationMs(): number {
    return this.#minDurationMs;
  }

  /**
   * The least real time between releasing the last applied jump (or the run's start) and releasing `jump`.
   * The server refuses a live jump that comes sooner (less its jitter tolerance), so a client should not
   * send one earlier.
   */
  minIntervalMs(jump: Jump): number {
    return minIntervalMs(this.#params, this.#lastPressMs, jump);
  }

  /**
   * Applies one jump and returns its outcome.
   *
   * @throws SessionError when the jump is refused (the run is over, a value is out of the ruleset's
   *   bounds, or the run holds the maximum number of jumps); nothing changes then.
   * @throws RangeError when a field of `jump` is not a u32 at all (see {@link checkJump}).
   */
  apply(jump: Jump): JumpOutcome {
    const params = this.#params;
    if (this.isOver) throw new SessionError({ kind: "run_over" });
    const invalid = checkJump(params, jump);
    if (invalid !== null) throw new SessionError({ kind: "invalid_jump", reason: invalid });
    if (this.#jumps >= params.maxJumps) {
      throw new SessionError({ kind: "too_many_jumps", max: params.maxJumps });
    }

    const before = this.#world;
    // The bonus is decided by the dwell before the press, whatever the jump then does: a hop or a
    // run-ending jump with a long enough dwell earns it too.
    let bonus = 0;
    let bonusAvailable = before.bonus_available;
    if (before.current.special !== null && bonusAvailable && jump.dwell_ms >= params.bonusDwellMs) {
      bonusAvailable = false;
      bonus = specialBonus(before.current.special);
    }
    const touchdown = moved(before.figure, before.direction, distance(params, jump.press_ms));
    const landing = classify(params, before.current, before.next, before.direction, touchdown);
    let points: number;
    if (landing === "centre") {
      this.#combo += 1;
      this.#bestCombo = Math.max(this.#bestCombo, this.#combo);
      points = Math.min(this.#combo * 2, U32_MAX, params.centrePointsCap);
    } else {
      this.#combo = 0;
      points = landing === "landed" ? 1 : 0;
    }
    // Two u32 saturating additions of non-negative terms saturate like one.
    this.#score = Math.min(this.#score + points + bonus, U32_MAX);
    if (reachedNext(landing)) {
      this.#landings += 1;
      this.#advance(touchdown);
    } else {
      this.#world = { ...before, figure: touchdown, bonus_available: bonusAvailable };
    }

    const outcome: JumpOutcome = {
      index: this.#jumps,
      landing,
      points,
      bonus,
      combo: this.#combo,
      score: this.#score,
      touchdown,
      world: this.#world,
      game_over: isGameOver(landing),
    };
    this.#jumps += 1;
    this.#minDurationMs += jumpDurationMs(params, jump);
    this.#lastPressMs = jump.press_ms;
    this.#lastLanding = landing;
    return outcome;
  }

  /** Moves onto the next platform, with the figure at `figure`, and generates the one after it. */
  #advance(figure: Point): void {
    const current = this.#world.next;
    this.#platformsGenerated += 1;
    const { platform, direction } = nextPlatform(
      this.#params,
      this.#rng,
      {
        index: this.#platformsGenerated,
        landings: this.#landings,
        score: this.#score,
        lastSpecial: this.#lastSpecial,
      },
      current,
      figure,
    );
    if (platform.special !== null) this.#lastSpecial = platform.special;
    this.#world = { figure, current, next: platform, direction, bonus_available: current.special !== null };
  }

  /** A summary of the run so far. */
  summary(): RunSummary {
    return {
      seed: this.#seed,
      ruleset: this.#ruleset,
      jumps: this.#jumps,
      landings: this.#landings,
      score: this.#score,
      best_combo: this.#bestCombo,
      ended: this.isOver,
      last_landing: this.#lastLanding,
      min_duration_ms: this.#minDurationMs,
    };
  }

  /**
   * An independent copy of this run at its current point: a client can try a jump on the copy (to preview
   * it, or to roll back a prediction) without touching the run itself.
   */
  clone(): GameSession {
    const copy = new GameSession(this.#seed, this.#ruleset);
    copy.#rng = this.#rng.clone();
    copy.#world = this.#world;
    copy.#score = this.#score;
    copy.#combo = this.#combo;
    copy.#bestCombo = this.#bestCombo;
    copy.#jumps = this.#jumps;
    copy.#landings = this.#landings;
    copy.#platformsGenerated = this.#platformsGenerated;
    copy.#lastSpecial = this.#lastSpecial;
    copy.#lastPressMs = this.#lastPressMs;
    copy.#minDurationMs = this.#minDurationMs;
    copy.#lastLanding = this.#lastLanding;
    return copy;
  }
}
