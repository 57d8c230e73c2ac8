/**
 * `leapfrog-rules`: a bit-exact TypeScript port of the Leapfrog jump-jump rules (`game-logic/RULES.md`).
 *
 * A run is a pure function of its seed, its ruleset and the player's inputs; this package computes it exactly
 * like the Rust engine the server runs, so a client can show a jump's result at once (a {@link GameSession}
 * stepped live) and check or rebuild a whole run ({@link replay}, {@link replaySession}). It has no
 * dependencies and does no I/O; the vector file format and the CLI live in `leapfrog-rules/vector` and the
 * `leapfrog-rules` command, outside this browser entry point.
 *
 * @module
 */

export { type Difficulty, difficultyAfter, isSpecialSlot } from "./generate.js";
export { type Landing, classify, isGameOver, reachedNext } from "./landing.js";
export { distance, flightMs, pressForDistance } from "./physics.js";
export { type ReplayFailure, ReplayError, replay, replaySession, replayWithin } from "./replay.js";
export { Pcg32, type Seed, parseSeed } from "./rng.js";
export { type Params, Ruleset, UnknownRulesetError, V1 } from "./ruleset.js";
export {
  GameSession,
  type JumpOutcome,
  type RunSummary,
  SessionError,
  type SessionRefusal,
} from "./session.js";
export {
  type InvalidJump,
  type Jump,
  checkJump,
  describeInvalidJump,
  jumpDurationMs,
  minIntervalMs,
} from "./timing.js";
export {
  type Direction,
  type Platform,
  type Point,
  type Shape,
  type SpecialKind,
  type World,
  SPECIAL_KINDS,
  ahead,
  contains,
  distanceToNext,
  moved,
  specialBonus,
  specialShape,
} from "./world.js";
