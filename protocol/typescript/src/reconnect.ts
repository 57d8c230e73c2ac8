/**
 * When and whether to reconnect. Two pieces: the delay before the next attempt (exponential backoff with
 * jitter, so a fleet of clients dropped by one node does not come back in one wave), and what a close means
 * (reconnect, get a fresh token first, or stop for good).
 *
 * @module
 */

import type { SocketClose } from "./adapters/socket.js";
import type { GoodbyeReason } from "./generated/messages.js";

/** How reconnection paces itself. */
export interface ReconnectOptions {
  /** The cap of the first delay, ms; each failed attempt doubles it (by `factor`). */
  readonly initialDelayMs: number;
  /** The largest cap, ms. */
  readonly maxDelayMs: number;
  /** How much the cap grows per failed attempt. */
  readonly factor: number;
  /**
   * Consecutive attempts that may fail (no `welcome`) before the client gives up and closes; `Infinity`
   * never gives up. The count starts again after every `welcome`.
   */
  readonly maxAttempts: number;
}

/**
 * The defaults: 250 ms doubling up to 30 s, giving up after 12 failed attempts in a row (some 2.3 minutes of
 * waiting between them: three quarters of 500 ms + 1 s + ... + 16 s + 5 × 30 s on average).
 */
export const DEFAULT_RECONNECT: ReconnectOptions = Object.freeze({
  initialDelayMs: 250,
  maxDelayMs: 30_000,
  factor: 2,
  maxAttempts: 12,
});

/**
 * The delay before attempt number `attempt` (0 for the first after a good connection): "equal jitter",
 * half the cap plus a random part of the other half, so no two clients wait alike yet none retries at once.
 *
 * @param random - a uniform draw in [0, 1).
 */
export function backoffDelayMs(attempt: number, options: ReconnectOptions, random: () => number): number {
  const cap = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** attempt);
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** The server's `goodbye` push, which precedes every close it initiates. */
export interface Goodbye {
  /** Why it closes. */
  readonly reason: GoodbyeReason;
  /** Wait at least this long before reconnecting. */
  readonly reconnect_after_ms: number;
}

/** What to do after a connection ended. */
export type Verdict =
  /** Reconnect after the backoff delay plus `notBeforeMs` (the server's `reconnect_after_ms`). */
  | { readonly action: "reconnect"; readonly notBeforeMs: number }
  /** The token was refused or expired: reconnect with a fresh one, if the client can get one. */
  | { readonly action: "renew_token"; readonly notBeforeMs: number }
  /** Stop: reconnecting cannot help (or would fight another login); `reason` says why. */
  | { readonly action: "stop"; readonly reason: string };

/** Close codes the server uses (`PROTOCOL.md` section 3, Errors). */
export const CloseCode = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,
  POLICY: 1008,
  TOO_BIG: 1009,
  REPLACED: 4000,
  HELLO_TIMEOUT: 4001,
  IDLE: 4002,
  NOT_READING: 4003,
});

/**
 * What a connection's end means, from its close and the `goodbye` that came before it (if any):
 * - replaced by a new login of the same player (goodbye, or 4000): stop, since reconnecting would take the
 *   session back from the player's other device, which would take it back again;
 * - token expired, or the upgrade refused with 401 (or a 1008 without goodbye, an auth failure): renew the
 *   token;
 * - the upgrade refused with 400 (an unsupported protocol version or subprotocol): stop, a new attempt
 *   would be refused alike;
 * - anything else (shutting down, rate limited, idle, not reading, a network failure, 503): reconnect,
 *   not before the goodbye's `reconnect_after_ms`.
 */
export function judgeClose(close: SocketClose, goodbye: Goodbye | null): Verdict {
  const notBeforeMs = goodbye?.reconnect_after_ms ?? 0;
  if (goodbye?.reason === "replaced_by_new_login" || close.code === CloseCode.REPLACED) {
    return { action: "stop", reason: "replaced by a new login of the same player" };
  }
  if (close.httpStatus === 400) return { action: "stop", reason: `the server refused the handshake: ${close.reason}` };
  if (
    goodbye?.reason === "token_expired" ||
    close.httpStatus === 401 ||
    (close.code === CloseCode.POLICY && goodbye === null)
  ) {
    return { action: "renew_token", notBeforeMs };
  }
  return { action: "reconnect", notBeforeMs };
}
