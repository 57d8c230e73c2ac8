/**
 * Requests in flight: ids, matching answers to callers, timeouts, and what happens to a request when its
 * connection drops. Callers never see a request id: they get a promise that settles exactly once, with the
 * answer's payload or a {@link LeapfrogError}.
 *
 * @module
 */

import type { FrameData } from "./codec/index.js";
import type { Clock, TimerHandle } from "./clock.js";
import { ConnectionLostError, type LeapfrogError, ServerError, TimeoutError } from "./errors.js";
import type { ErrorCode, Request, Response } from "./generated/messages.js";

/** The name of a request variant (`"jump"`, `"list_friend_requests"`, ...). */
export type RequestKind = Request extends infer R ? (R extends string ? R : keyof R) : never;

/** The name of a response variant. */
export type ResponseKind = Response extends infer R ? (R extends string ? R : keyof R) : never;

/** The payload of the variant named `K` of the externally tagged union `U`. */
type VariantPayload<U, K extends PropertyKey> = U extends { readonly [P in K]: infer V } ? V : never;

/** What request `K` carries: its payload, or `undefined` for a request without one. */
export type RequestPayload<K extends RequestKind> = K extends Request ? undefined : VariantPayload<Request, K>;

/**
 * The answer each request gets (`PROTOCOL.md`, the Requests table). Written by hand, but checked by the
 * compiler against the generated types: a request variant added to the protocol without an entry here
 * does not compile.
 */
export const ANSWERS = {
  hello: "welcome",
  ping: "pong",
  start_run: "run_started",
  jump: "jump_result",
  abandon: "submitted",
  submit_run: "submitted",
  list_friends: "friends",
  list_friend_requests: "friend_requests",
  send_friend_request: "social",
  accept_friend_request: "social",
  decline_friend_request: "social",
  remove_friend: "social",
  block: "social",
  unblock: "social",
  set_display_name: "social",
  read_board: "board",
  read_standing: "standing",
  list_notifications: "notifications",
  ack_notifications: "acked",
  create_challenge: "challenge",
  read_challenge: "challenge_page",
  read_replay: "replay",
} as const satisfies Record<RequestKind, ResponseKind>;

/** What the answer to request `K` carries. */
export type AnswerTo<K extends RequestKind> = VariantPayload<Response, (typeof ANSWERS)[K]>;

/**
 * `start_run` is the one request that is not safe to send twice (a second would start a second run);
 * everything else is idempotent on the server or a read: a jump repeats its `seq`, which the server answers
 * again without applying it twice; an ack, a social change or a name set twice leaves the same state.
 */
const NOT_REPEATABLE: ReadonlySet<RequestKind> = new Set<RequestKind>(["start_run"]);

/** Builds the request value of `kind` with `payload`, in the protocol's externally tagged form. */
export function requestOf<K extends RequestKind>(kind: K, payload: RequestPayload<K>): Request {
  return (payload === undefined ? kind : { [kind]: payload }) as Request;
}

/** The variant name and payload of a response. */
export function responseParts(response: Response): readonly [string, unknown] {
  if (typeof response === "string") return [response, undefined];
  const kind = Object.keys(response)[0] as string;
  return [kind, (response as Record<string, unknown>)[kind]];
}

/** Options of one request. */
export interface RequestOptions {
  /**
   * Reject with a {@link TimeoutError} if no answer came this many ms after the call (reconnections
   * included); 0 waits as long as the client lives.
   */
  readonly timeoutMs?: number;
  /**
   * Called every time the request is written to a socket (again after a reconnect), with the client's clock:
   * `Run` paces the next jump from the last write of the previous one, which is when the server saw it.
   */
  readonly onSent?: (at: number) => void;
}

/** One request waiting for its answer. */
export interface Pending {
  /** Its id on the wire (kept across reconnections: ids are per connection). */
  readonly id: number;
  /** Its variant name. */
  readonly kind: RequestKind;
  /** The request. */
  readonly request: Request;
  /** The encoded frame, written as it is on every connection. */
  readonly frame: FrameData;
  /** Whether it is sent again on the next connection when its connection drops before the answer. */
  readonly repeatable: boolean;
  /** Hears every write of it. */
  readonly onSent: ((at: number) => void) | undefined;
  /** When it was last written to a socket (the client's clock); `null` while it waits for a connection. */
  sentAt: number | null;
}

interface Entry extends Pending {
  readonly resolve: (payload: unknown) => void;
  readonly reject: (error: LeapfrogError) => void;
  timer: TimerHandle | null;
}

/** Ids, pending requests and their settlement. */
export class RequestTracker {
  readonly #clock: Clock;
  readonly #entries = new Map<number, Entry>();
  #lastId = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A fresh request id: u32, never 0, never one still in use. */
  nextId(): number {
    do {
      this.#lastId = this.#lastId >= 0xffff_ffff ? 1 : this.#lastId + 1;
    } while (this.#entries.has(this.#lastId));
    return this.#lastId;
  }

  /** Tracks a new request; the promise settles once, with the answer's payload or an error. */
  add(
    id: number,
    kind: RequestKind,
    request: Request,
    frame: FrameData,
    options: RequestOptions,
  ): { pending: Pending; answer: Promise<unknown> } {
    let entry!: Entry;
    const answer = new Promise<unknown>((resolve, reject) => {
      entry = {
        id,
        kind,
        request,
        frame,
        repeatable: !NOT_REPEATABLE.has(kind),
        onSent: options.onSent,
        sentAt: null,
        resolve,
        reject,
        timer: null,
      };
    });
    const timeoutMs = options.timeoutMs ?? 0;
    if (timeoutMs > 0) {
      entry.timer = this.#clock.setTimeout(() => this.#settle(id, new TimeoutError(kind, timeoutMs)), timeoutMs);
    }
    this.#entries.set(id, entry);
    return { pending: entry, answer };
  }

  /** The request `id`, if it still waits. */
  get(id: number): Pending | undefined {
    return this.#entries.get(id);
  }

  /** Requests not yet written on the current connection, oldest first. */
  unsent(): Pending[] {
    return [...this.#entries.values()].filter((entry) => entry.sentAt === null);
  }

  /** When the oldest request written on the current connection was written, or `null` if none waits. */
  oldestSentAt(): number | null {
    let oldest: number | null = null;
    for (const entry of this.#entries.values()) {
      if (entry.sentAt !== null && (oldest === null || entry.sentAt < oldest)) oldest = entry.sentAt;
    }
    return oldest;
  }

  /**
   * Settles request `id` with the answer `response`, and returns the request, or `undefined` when no such
   * request waits (it timed out). An answer of the wrong kind rejects it: the server broke the protocol.
   */
  answer(id: number, response: Response): Pending | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    const [kind, payload] = responseParts(response);
    if (kind !== ANSWERS[entry.kind]) {
      this.#settle(
        id,
        new ServerError(entry.kind, "internal", `answered with ${kind}, expected ${ANSWERS[entry.kind]}`),
      );
    } else {
      this.#settle(id, null, payload);
    }
    return entry;
  }

  /** Rejects request `id` with the server's error; returns it, or `undefined` when no such request waits. */
  refuse(id: number, code: ErrorCode, message: string): Pending | undefined {
    const entry = this.#entries.get(id);
    if (entry !== undefined) this.#settle(id, new ServerError(entry.kind, code, message));
    return entry;
  }

  /**
   * The connection dropped: requests that were written and are repeatable wait for the next connection,
   * the others are rejected with a {@link ConnectionLostError} (the server may have applied them).
   */
  connectionLost(cause?: unknown): void {
    for (const entry of [...this.#entries.values()]) {
      if (entry.sentAt === null) continue;
      if (entry.repeatable) entry.sentAt = null;
      else this.#settle(entry.id, new ConnectionLostError(entry.kind, { cause }));
    }
  }

  /** Drops request `id` without settling it (its caller gave up on it already). */
  forget(id: number): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    if (entry.timer !== null) this.#clock.clearTimeout(entry.timer);
    this.#entries.delete(id);
  }

  /** Rejects every waiting request with `error`. */
  rejectAll(error: LeapfrogError): void {
    for (const id of [...this.#entries.keys()]) this.#settle(id, error);
  }

  /** How many requests wait. */
  get size(): number {
    return this.#entries.size;
  }

  #settle(id: number, error: LeapfrogError | null, payload?: unknown): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.forget(id);
    if (error === null) entry.resolve(payload);
    else entry.reject(error);
  }
}
