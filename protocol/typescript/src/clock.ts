/**
 * Time, as the client sees it: the wall clock and timers, behind an interface so tests drive them by hand
 * (and a game engine can substitute its own scheduler).
 *
 * @module
 */

/** An opaque timer handle. */
export type TimerHandle = unknown;

/** The wall clock and one-shot timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `callback` once after `delayMs`. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer that has not fired (a no-op for one that has). */
  clearTimeout(handle: TimerHandle): void;
}

/** The platform's `Date.now`, `setTimeout` and `clearTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
