/**
 * Verifying a whole run from its seed and inputs (Rust: `replay.rs`, `RULES.md` section 9): how the server
 * checks runs played offline, how a run is resumed on another node, and how a client rebuilds a run it lost.
 *
 * @module
 */

import type { Seed } from "./rng.js";
import { Ruleset } from "./ruleset.js";
import { GameSession, type RunSummary, SessionError } from "./session.js";
import { type InvalidJump, type Jump, describeInvalidJump } from "./timing.js";

/** Why a run's inputs do not make a valid run (Rust: `ReplayError`); `kind` is the variant in snake case. */
export type ReplayFailure =
  | { readonly kind: "input_after_run_over"; readonly index: number }
  | { readonly kind: "invalid_input"; readonly index: number; readonly reason: InvalidJump }
  | { readonly kind: "too_many_inputs"; readonly count: number; readonly max: number }
  | { readonly kind: "too_fast"; readonly min_ms: number; readonly elapsed_ms: number };

/**
 * A run that is not valid, naming the first offending input. The message is Rust's `Display` text byte for
 * byte, as the server reports it.
 */
export class ReplayError extends Error {
  /** What is wrong, for code to act on. */
  readonly failure: ReplayFailure;

  constructor(failure: ReplayFailure) {
    super(describeFailure(failure));
    this.name = "ReplayError";
    this.failure = failure;
  }
}

function describeFailure(failure: ReplayFailure): string {
  switch (failure.kind) {
    case "input_after_run_over":
      return `input ${failure.index} comes after the run ended`;
    case "invalid_input":
      return `input ${failure.index} is impossible: ${describeInvalidJump(failure.reason)}`;
    case "too_many_inputs":
      return `${failure.count} inputs exceed the ruleset's maximum of ${failure.max} jumps`;
    case "too_fast":
      return `the run needs at least ${failure.min_ms} ms but only ${failure.elapsed_ms} ms passed`;
  }
}

/**
 * Replays `inputs` from `seed` under `ruleset` and returns the session as it stands after them, ready to
 * take further jumps: how a run interrupted on one node continues on another, or a client resumes.
 *
 * @throws ReplayError naming the first input that makes the run invalid.
 */
export function replaySession(seed: Seed, ruleset: Ruleset, inputs: readonly Jump[]): GameSession {
  const max = Ruleset.params(ruleset).maxJumps;
  // Checked before anything is simulated, so an oversized run costs nothing to refuse.
  if (inputs.length > max) {
    throw new ReplayError({ kind: "too_many_inputs", count: inputs.length, max });
  }
  const session = new GameSession(seed, ruleset);
  inputs.forEach((jump, index) => {
    try {
      session.apply(jump);
    } catch (error) {
      if (!(error instanceof SessionError)) throw error;
      const refusal = error.refusal;
      switch (refusal.kind) {
        case "run_over":
          throw new ReplayError({ kind: "input_after_run_over", index });
        case "invalid_jump":
          throw new ReplayError({ kind: "invalid_input", index, reason: refusal.reason });
        case "too_many_jumps":
          throw new ReplayError({ kind: "too_many_inputs", count: inputs.length, max: refusal.max });
      }
    }
  });
  return session;
}

/**
 * Checks a whole run (every input possible, none after the end, within the ruleset's size) and returns what
 * it amounts to.
 *
 * @throws ReplayError naming the first input that makes the run invalid.
 */
export function replay(seed: Seed, ruleset: Ruleset, inputs: readonly Jump[]): RunSummary {
  return replaySession(seed, ruleset, inputs).summary();
}

/**
 * Like {@link replay}, and also refuses a run whose inputs take longer under the timing model than the
 * `elapsedMs` that really passed (the server measures it from handing out the seed and adds its own
 * tolerance for clock and network jitter before calling).
 *
 * @throws ReplayError naming the first invalid input, or `too_fast`.
 */
export function replayWithin(
  seed: Seed,
  ruleset: Ruleset,
  inputs: readonly Jump[],
  elapsedMs: number,
): RunSummary {
  const summary = replay(seed, ruleset, inputs);
  if (summary.min_duration_ms > elapsedMs) {
    throw new ReplayError({ kind: "too_fast", min_ms: summary.min_duration_ms, elapsed_ms: elapsedMs });
  }
  return summary;
}
