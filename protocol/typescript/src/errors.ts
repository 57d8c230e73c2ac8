/**
 * Every error the client rejects a promise with. All are {@link LeapfrogError}s carrying a `code`: the
 * protocol's {@link ErrorCode} when the server refused a request or a frame was unreadable, or one of the
 * client's own {@link ClientErrorCode}s. Programs act on `code` (and `retryable`); `message` is for people.
 *
 * @module
 */

import type { ErrorCode } from "./generated/messages.js";

/** What went wrong on the client's side rather than the server's. */
export type ClientErrorCode =
  /** The request got no answer within its timeout. */
  | "timeout"
  /** The connection dropped before the answer, and the request is not safe to send again. */
  | "connection_lost"
  /** The client is closed (by the caller, or for good: replaced by another login, refused, out of retries). */
  | "closed"
  /** The server's answer differs from the local prediction of leapfrog-rules (a bug on one side). */
  | "disagreement";

/** The base of every error this package throws or rejects with. */
export class LeapfrogError extends Error {
  /** What went wrong, for programs. */
  readonly code: ErrorCode | ClientErrorCode;
  /** True when the same request may succeed if sent again unchanged (later, or on a new connection). */
  readonly retryable: boolean;

  constructor(code: ErrorCode | ClientErrorCode, message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = "LeapfrogError";
    this.code = code;
    this.retryable = retryable;
  }
}

/** The codes after which the same request may succeed unchanged (`PROTOCOL.md`, Errors). */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "rate_limited",
  "server_busy",
  "unavailable",
  "shutting_down",
]);

/** The server refused a request: its `error` answer, with the protocol code and the server's message. */
export class ServerError extends LeapfrogError {
  declare readonly code: ErrorCode;
  /** The request that was refused (its variant name, e.g. `"jump"`). */
  readonly request: string;

  constructor(request: string, code: ErrorCode, message: string) {
    super(code, `${request} refused (${code}): ${message}`, RETRYABLE.has(code));
    this.name = "ServerError";
    this.request = request;
  }
}

/** A request got no answer within its timeout. The server may still have applied it. */
export class TimeoutError extends LeapfrogError {
  declare readonly code: "timeout";
  /** The request (its variant name). */
  readonly request: string;
  /** The timeout that passed, in ms. */
  readonly timeoutMs: number;

  constructor(request: string, timeoutMs: number) {
    super("timeout", `${request} got no answer within ${timeoutMs} ms`, true);
    this.name = "TimeoutError";
    this.request = request;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The connection dropped while a request that is not safe to repeat (`start_run`: a second one would start
 * a second run) waited for its answer. The server may or may not have applied it.
 */
export class ConnectionLostError extends LeapfrogError {
  declare readonly code: "connection_lost";
  /** The request (its variant name). */
  readonly request: string;

  constructor(request: string, options?: ErrorOptions) {
    super("connection_lost", `the connection dropped before ${request} was answered`, true, options);
    this.name = "ConnectionLostError";
    this.request = request;
  }
}

/** The client is closed, so nothing more is sent; `reason` says why. */
export class ClientClosedError extends LeapfrogError {
  declare readonly code: "closed";

  constructor(reason: string, options?: ErrorOptions) {
    super("closed", `the client is closed: ${reason}`, false, options);
    this.name = "ClientClosedError";
  }
}

/**
 * A frame could not be encoded or decoded. The code is the protocol's: `malformed_frame` (not a valid
 * message), `frame_too_large` (over the frame limit), `unsupported_codec` (a text frame where binary was
 * expected, or the reverse).
 */
export class CodecError extends LeapfrogError {
  declare readonly code: "malformed_frame" | "frame_too_large" | "unsupported_codec";

  constructor(code: "malformed_frame" | "frame_too_large" | "unsupported_codec", message: string) {
    super(code, message, false);
    this.name = "CodecError";
  }
}

/**
 * The server disagrees with the local prediction of leapfrog-rules: a jump's outcome, the world a run starts
 * in, or the state a run resumed at. Both sides run the same deterministic rules on the same seed and inputs,
 * so this is a bug in one of them, never a network condition: the run stops predicting and this error is
 * reported, with both values, so it can be fixed.
 */
export class RunDisagreementError extends LeapfrogError {
  declare readonly code: "disagreement";
  /** The jump's index in the run, or `null` for the start or a resume. */
  readonly seq: number | null;
  /** What leapfrog-rules predicted. */
  readonly predicted: unknown;
  /** What the server said. */
  readonly confirmed: unknown;

  constructor(seq: number | null, predicted: unknown, confirmed: unknown, detail: string) {
    super(
      "disagreement",
      `${seq === null ? "run" : `jump ${seq}`}: the server disagrees with the local prediction: ${detail}`,
      false,
    );
    this.name = "RunDisagreementError";
    this.seq = seq;
    this.predicted = predicted;
    this.confirmed = confirmed;
  }
}
