/**
 * The live run kept in the tab's session storage, so a reload takes it up where it was: its id (to ask the
 * server to resume it) and every input made (to rebuild the local prediction, `Run.resume`).
 *
 * @module
 */

import type { Jump } from "leapfrog-rules";

/** A live run as kept. */
export interface SavedRun {
  readonly runId: string;
  readonly jumps: readonly Jump[];
  /** The challenge it is played on, if any (its board is shown at the end). */
  readonly challenge: string | null;
}

const KEY = "leapfrog.liveRun";

/** The kept run, if any and well-formed. */
export function loadRun(storage: Storage | null): SavedRun | null {
  try {
    const value: unknown = JSON.parse(storage?.getItem(KEY) ?? "null");
    if (typeof value !== "object" || value === null) return null;
    const { runId, jumps, challenge } = value as Record<string, unknown>;
    if (typeof runId !== "string" || !/^[0-9a-f]{32}$/.test(runId) || !Array.isArray(jumps)) return null;
    const valid = jumps.every(
      (jump: unknown) =>
        typeof jump === "object" &&
        jump !== null &&
        Number.isInteger((jump as Jump).press_ms) &&
        Number.isInteger((jump as Jump).dwell_ms),
    );
    if (!valid) return null;
    return { runId, jumps: jumps as Jump[], challenge: typeof challenge === "string" ? challenge : null };
  } catch {
    return null;
  }
}

/** Keeps `run` (after every jump). */
export function saveRun(storage: Storage | null, run: SavedRun): void {
  try {
    storage?.setItem(KEY, JSON.stringify(run));
  } catch {
    // Storage full or disabled: a reload then starts afresh, and the server ends the run in time.
  }
}

/** Forgets the kept run (it ended). */
export function forgetRun(storage: Storage | null): void {
  try {
    storage?.removeItem(KEY);
  } catch {
    // As above.
  }
}
