/**
 * Heartbeat and dead-connection detection. The server answers every request, in order, so a request written
 * long ago and still unanswered means the connection is gone even if the socket has not noticed (a
 * half-open TCP connection after a network switch can stay silent for minutes). A `ping` after a quiet
 * spell keeps a request in flight, so an idle connection is checked too, and keeps the server's idle timer
 * (45 s by default) from closing it.
 *
 * @module
 */

import type { Clock, TimerHandle } from "./clock.js";

/** The heartbeat's settings. */
export interface HeartbeatOptions {
  /** Send a `ping` after this long without sending anything, ms. */
  readonly intervalMs: number;
  /** Declare the connection dead when a request waits this long for its answer, ms. */
  readonly answerTimeoutMs: number;
}

/** What the heartbeat reads and does. */
export interface HeartbeatHooks {
  /** When the client last wrote a frame. */
  lastSentAt(): number;
  /** When the oldest unanswered request was written, or `null`. */
  oldestUnansweredAt(): number | null;
  /** Sends a `ping`. */
  ping(): void;
  /** The connection is dead: drop it and reconnect. */
  dead(reason: string): void;
}

/** Checks a connection a few times per interval while it is open. */
export class Heartbeat {
  readonly #clock: Clock;
  readonly #options: HeartbeatOptions;
  readonly #hooks: HeartbeatHooks;
  #timer: TimerHandle | null = null;

  constructor(clock: Clock, options: HeartbeatOptions, hooks: HeartbeatHooks) {
    this.#clock = clock;
    this.#options = options;
    this.#hooks = hooks;
  }

  /** Starts checking (again). */
  start(): void {
    this.stop();
    this.#schedule();
  }

  /** Stops checking. */
  stop(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    const period = Math.max(50, Math.min(this.#options.intervalMs, this.#options.answerTimeoutMs) / 4);
    this.#timer = this.#clock.setTimeout(() => this.#check(), period);
  }

  #check(): void {
    this.#timer = null;
    const now = this.#clock.now();
    const oldest = this.#hooks.oldestUnansweredAt();
    if (oldest !== null && now - oldest >= this.#options.answerTimeoutMs) {
      this.#hooks.dead(`no answer from the server for ${now - oldest} ms`);
      return;
    }
    if (now - this.#hooks.lastSentAt() >= this.#options.intervalMs) this.#hooks.ping();
    this.#schedule();
  }
}
