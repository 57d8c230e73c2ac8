/**
 * `Run`: a live run with local prediction. Every jump is simulated at once with leapfrog-rules (the same
 * deterministic rules the server runs), so the game animates the landing without waiting for the network;
 * the jump is then sent, paced so the server's timing model never finds it too fast, and the server's answer
 * is compared with the prediction. They always agree, unless one side has a bug: a disagreement is reported
 * (the `disagreement` event, and the jump's promise rejects with a `RunDisagreementError`).
 *
 * The connection may drop at any moment; the client reconnects and resumes the run, and each jump's promise
 * still settles exactly once: a jump the server applied before the drop, whose answer was lost with the
 * connection, is confirmed from the state the run resumed at.
 *
 * @module
 */

import { GameSession, Ruleset, replaySession } from "leapfrog-rules";

import type { LeapfrogClient } from "./client.js";
import { Emitter } from "./events.js";
import { ClientClosedError, LeapfrogError, RunDisagreementError, ServerError } from "./errors.js";
import type {
  Jump,
  JumpOutcome,
  JumpResult,
  ResumedRun,
  RunEnd,
  RunId,
  RunOver,
  RunStarted,
  StartMode,
  SubmitAck,
  U64String,
  Welcome,
  World,
} from "./generated/messages.js";
import type { TimerHandle } from "./clock.js";

/** How to start a run. */
export interface RunOptions {
  /** Solo (the default) or a challenge on a friend's seed; an offline run is `client.startRun("offline")`. */
  readonly mode?: Exclude<StartMode, "offline">;
  /**
   * Extra time added to the least interval between two jumps before one is sent, ms (default 20), against
   * the difference between when this client sends and when the server receives.
   */
  readonly paceMarginMs?: number;
}

/** A jump just made: its predicted outcome now, the server's confirmation later. */
export interface JumpTicket {
  /** The outcome leapfrog-rules computed, to render at once. */
  readonly predicted: JumpOutcome;
  /**
   * The server's answer, equal to the prediction: resolves once, whatever happened to the connection in
   * between. Rejects with a `RunDisagreementError` if the server disagrees, or with the error that stopped
   * the jump (a `ServerError`, a `ClientClosedError`); then the run's prediction goes back to the last
   * confirmed jump, and the jumps queued after this one reject with the same error.
   */
  readonly confirmed: Promise<JumpResult>;
}

/** Every event of a run, with its argument. */
export interface RunEvents {
  /** A jump was predicted (the moment `jump()` returns). */
  predicted: JumpOutcome;
  /** The server confirmed a jump. */
  confirmed: JumpResult;
  /** The server disagrees with the prediction: a bug. The run stops. */
  disagreement: RunDisagreementError;
  /**
   * The run ended: how it stands (`over` with the final figures, or `pending` until `result`), or `null` when
   * the final figures were lost with a connection (the run is recorded; the boards show it).
   */
  over: RunEnd | null;
  /** A `pending` end is now recorded: the final figures. */
  result: RunOver;
}

interface Entry {
  readonly seq: number;
  readonly jump: Jump;
  readonly predicted: JumpOutcome;
  /** The timing model's least interval since the previous jump's release, ms. */
  readonly minIntervalMs: number;
  /** The timing model's least time since the run started, ms. */
  readonly minSinceStartMs: number;
  readonly resolve: (result: JumpResult) => void;
  readonly reject: (error: LeapfrogError) => void;
  /** Set when a reconnect showed the server applied this jump before the connection dropped. */
  appliedBeforeDrop: boolean;
  retries: number;
  /** Settles when the jump does. */
  readonly settled: Promise<unknown>;
}

/**
 * Refusals after which the run cannot go on. After the others, the queued jumps are dropped and play resumes
 * from the last confirmed jump.
 */
const FINAL: ReadonlySet<string> = new Set([
  "run_over",
  "not_found",
  "forbidden",
  "unauthorized",
  "closed",
  "disagreement",
]);

/** Retryable refusals (`server_busy`, `unavailable`, ...) are retried this many times. */
const MAX_RETRIES = 5;

/** A live run. Start one with {@link Run.start}. */
export class Run {
  /** The run's id (also its resume token). */
  readonly id: RunId;
  /** Its seed, for sharing as a challenge. */
  readonly seed: U64String;
  /** Its ruleset version. */
  readonly ruleset: Ruleset;
  readonly #client: LeapfrogClient;
  readonly #events = new Emitter<RunEvents>();
  readonly #paceMarginMs: number;
  readonly #startedAt: number;
  readonly #unsubscribe: (() => void)[] = [];
  /** The state after every jump made, confirmed or not. */
  #predicted: GameSession;
  /** The state after the jumps the server confirmed. */
  #confirmed: GameSession;
  #queue: Entry[] = [];
  #inFlight: Entry | null = null;
  #timer: TimerHandle | null = null;
  #lastSentAt: number | null = null;
  #stopped: LeapfrogError | null = null;
  #over = false;
  #ended: RunEnd | null = null;

  /**
   * Starts a run on `client` and checks the world the server drew against the local one.
   *
   * @throws RunDisagreementError when the starting worlds differ (a bug), and whatever `start_run` rejects with.
   */
  static async start(client: LeapfrogClient, options: RunOptions = {}): Promise<Run> {
    const started = await client.startRun(options.mode ?? "solo");
    const ruleset = Ruleset.fromVersion(started.ruleset);
    const session = new GameSession(started.seed, ruleset);
    const difference = firstDifference(session.world, started.world);
    if (difference !== null) throw new RunDisagreementError(null, session.world, started.world, difference);
    return new Run(client, started, session, client.clock.now(), null, options);
  }

  /**
   * Takes up a run the server resumed for this client (`welcome.resumed`, after a page reload: connect with
   * the client's `resume` option), from the inputs the game kept of it: the first `resumed.next_seq` of
   * `inputs` are replayed locally and must lead exactly where the server says the run stands. Later inputs
   * (predicted, never applied by the server) are dropped. The next jump is paced as if the previous one had
   * just been sent, which the server's timing check always accepts.
   *
   * @throws RunDisagreementError when the inputs do not lead to the resumed state (or are too few), and
   *   `ReplayError` (from leapfrog-rules) when they cannot be replayed at all.
   */
  static resume(
    client: LeapfrogClient,
    resumed: ResumedRun,
    inputs: readonly Jump[],
    options: Omit<RunOptions, "mode"> = {},
  ): Run {
    const ruleset = Ruleset.fromVersion(resumed.ruleset);
    if (inputs.length < resumed.next_seq) {
      const kept = `${inputs.length} inputs kept`;
      throw new RunDisagreementError(null, kept, resumed, `resumed at jump ${resumed.next_seq}, but ${kept}`);
    }
    const session = replaySession(resumed.seed, ruleset, inputs.slice(0, resumed.next_seq));
    const difference = resumedDifference(resumed, session.world, session.score, session.combo);
    if (difference !== null) throw new RunDisagreementError(null, session.world, resumed, difference);
    const now = client.clock.now();
    const started: RunStarted = { run_id: resumed.run_id, seed: resumed.seed, ruleset, world: session.world };
    return new Run(client, started, session, now - session.minDurationMs, session.jumps > 0 ? now : null, options);
  }

  private constructor(
    client: LeapfrogClient,
    started: RunStarted,
    session: GameSession,
    startedAt: number,
    lastSentAt: number | null,
    options: RunOptions,
  ) {
    this.#client = client;
    this.id = started.run_id;
    this.seed = started.seed;
    this.ruleset = Ruleset.fromVersion(started.ruleset);
    this.#paceMarginMs = options.paceMarginMs ?? 20;
    this.#startedAt = startedAt;
    this.#lastSentAt = lastSentAt;
    this.#predicted = session;
    this.#confirmed = this.#predicted.clone();
    this.#unsubscribe.push(
      client.on("welcome", (welcome) => this.#onWelcome(welcome)),
      client.on("run_result", (result) => this.#onResult(result)),
    );
  }

  /** What the player sees now, with every jump made (predicted) applied. */
  get world(): World {
    return this.#predicted.world;
  }

  /** The score with every jump made. */
  get score(): number {
    return this.#predicted.score;
  }

  /** Jumps made. */
  get jumps(): number {
    return this.#predicted.jumps;
  }

  /** Jumps the server confirmed. */
  get confirmedJumps(): number {
    return this.#confirmed.jumps;
  }

  /** True once the run ended (a jump ended it, it was abandoned, or the server ended it). */
  get isOver(): boolean {
    return this.#over || this.#predicted.isOver;
  }

  /** How the run ended, when the server said. */
  get ended(): RunEnd | null {
    return this.#ended;
  }

  /**
   * The least time between releasing the previous jump and releasing `jump` (the timing model); a jump made
   * sooner is predicted at once but sent only when this much time has passed.
   */
  minIntervalMs(jump: Jump): number {
    return this.#predicted.minIntervalMs(jump);
  }

  /** Listens to `event` until the returned function is called. */
  on<K extends keyof RunEvents>(event: K, listener: (value: RunEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Makes a jump: predicts it now and sends it when the timing model allows.
   *
   * @throws SessionError (from leapfrog-rules) when the jump is impossible or the run is over; nothing is
   *   sent then. Throws the error that stopped the run (a disagreement, a refusal) if one did.
   */
  jump(jump: Jump): JumpTicket {
    if (this.#stopped !== null) throw this.#stopped;
    const minIntervalMs = this.#predicted.minIntervalMs(jump);
    const minSinceStartMs = this.#predicted.minDurationMs + jump.dwell_ms + jump.press_ms;
    const predicted: JumpOutcome = this.#predicted.apply(jump);
    let settle!: Pick<Entry, "resolve" | "reject">;
    const confirmed = new Promise<JumpResult>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Games often render from the events alone: an ignored rejection must not crash the process.
    const settled = confirmed.catch(() => {});
    this.#queue.push({
      settled,
      seq: predicted.index,
      jump,
      predicted,
      minIntervalMs,
      minSinceStartMs,
      ...settle,
      appliedBeforeDrop: false,
      retries: 0,
    });
    this.#events.emit("predicted", predicted);
    this.#pump();
    return { predicted, confirmed };
  }

  /**
   * Ends the run now (its score so far counts). Jumps not sent yet are dropped (their promises reject); the
   * one in flight is answered first.
   */
  async abandon(): Promise<SubmitAck> {
    this.#stop(new LeapfrogError("run_over", "the run was abandoned before this jump was sent", false), true);
    await this.#inFlight?.settled;
    const ack = await this.#client.abandon(this.id);
    if ("ended" in ack) this.#finish(ack.ended);
    return ack;
  }

  /** Stops listening to the client and drops jumps not confirmed yet; the run itself goes on on the server. */
  dispose(): void {
    this.#stop(new ClientClosedError("the run was disposed"), false);
    this.#unsubscribe.splice(0).forEach((remove) => remove());
  }

  /** Sends the next jump when the one in flight is answered and the timing model allows. */
  #pump(): void {
    if (this.#inFlight !== null || this.#timer !== null || this.#stopped !== null) return;
    const entry = this.#queue[0];
    if (entry === undefined) return;
    const now = this.#client.clock.now();
    const sinceStart = this.#startedAt + entry.minSinceStartMs;
    const sincePrevious =
      this.#lastSentAt === null ? sinceStart : this.#lastSentAt + entry.minIntervalMs + this.#paceMarginMs;
    const sendAt = Math.max(sinceStart, sincePrevious);
    if (now < sendAt) {
      this.#timer = this.#client.clock.setTimeout(() => {
        this.#timer = null;
        this.#pump();
      }, sendAt - now);
      return;
    }
    this.#queue.shift();
    this.#inFlight = entry;
    this.#send(entry);
  }

  #send(entry: Entry): void {
    const request = { run_id: this.id, seq: entry.seq, press_ms: entry.jump.press_ms, dwell_ms: entry.jump.dwell_ms };
    // No timeout: the heartbeat finds a dead connection, and the jump is sent again on the next one. The
    // next jump is paced from this one's last write (a resend after a reconnect included): the server
    // times the interval from when it accepted this one.
    const onSent = (at: number) => {
      if (this.#inFlight === entry) this.#lastSentAt = at;
    };
    this.#client.jump(request, { timeoutMs: 0, onSent }).then(
      (result) => this.#onAnswer(entry, result),
      (error: LeapfrogError) => this.#onRefused(entry, error),
    );
  }

  #onAnswer(entry: Entry, result: JumpResult): void {
    if (this.#inFlight !== entry) return;
    const difference = firstDifference(entry.predicted, result.outcome);
    if (difference !== null) {
      this.#disagree(new RunDisagreementError(entry.seq, entry.predicted, result.outcome, difference));
      return;
    }
    // A run-ending jump whose result the server could neither record nor queue yet: the same request again
    // records it (the server answers a retried seq without applying it twice).
    if (result.outcome.game_over && result.ended === null && entry.retries < MAX_RETRIES) {
      this.#retryLater(entry);
      return;
    }
    this.#confirm(entry, result);
  }

  #onRefused(entry: Entry, error: LeapfrogError): void {
    if (this.#inFlight !== entry) return;
    const code = error.code;
    if (entry.appliedBeforeDrop && (code === "conflict" || code === "run_over")) {
      // Applied before the connection dropped, its answer lost with it, and the node that took over does not
      // hold it: the resumed state already matched the prediction, which is the outcome.
      this.#confirm(entry, { outcome: entry.predicted, ended: null });
      return;
    }
    if (error.retryable && error instanceof ServerError && entry.retries < MAX_RETRIES) {
      this.#retryLater(entry);
      return;
    }
    this.#inFlight = null;
    entry.reject(error);
    if (FINAL.has(code)) {
      this.#stop(error, false);
      if (code === "run_over") this.#finish(null);
    } else {
      // The server refused this jump (too fast, invalid): the ones predicted after it cannot stand either.
      this.#rollBack(error);
    }
  }

  #retryLater(entry: Entry): void {
    entry.retries += 1;
    this.#client.clock.setTimeout(
      () => {
        if (this.#inFlight === entry) this.#send(entry);
      },
      250 * 2 ** entry.retries,
    );
  }

  #confirm(entry: Entry, result: JumpResult): void {
    this.#inFlight = null;
    this.#confirmed.apply(entry.jump);
    entry.resolve(result);
    this.#events.emit("confirmed", result);
    if (result.outcome.game_over) this.#finish(result.ended);
    this.#pump();
  }

  /** After every welcome: check where the server resumed the run against what was confirmed or predicted. */
  #onWelcome(welcome: Welcome): void {
    if (this.#over || this.#stopped !== null) return;
    const resumed = welcome.resumed;
    const inFlight = this.#inFlight;
    if (resumed === null || resumed.run_id !== this.id) {
      // Not resumed: the run ended. If the jump in flight was predicted to end it, that jump did.
      if (inFlight !== null && inFlight.predicted.game_over) inFlight.appliedBeforeDrop = true;
      return;
    }
    if (inFlight !== null && resumed.next_seq === inFlight.seq + 1) {
      const difference = resumedDifference(
        resumed,
        inFlight.predicted.world,
        inFlight.predicted.score,
        inFlight.predicted.combo,
      );
      if (difference !== null) {
        this.#disagree(new RunDisagreementError(inFlight.seq, inFlight.predicted, resumed, difference));
        return;
      }
      inFlight.appliedBeforeDrop = true;
      return;
    }
    const confirmed = this.#confirmed;
    const difference =
      resumed.next_seq === confirmed.jumps
        ? resumedDifference(resumed, confirmed.world, confirmed.score, confirmed.combo)
        : `resumed at jump ${resumed.next_seq}, but ${confirmed.jumps} were confirmed`;
    if (difference !== null) this.#disagree(new RunDisagreementError(null, confirmed.world, resumed, difference));
  }

  #onResult(result: RunOver): void {
    if (result.run_id !== this.id) return;
    this.#ended = { over: result };
    this.#events.emit("result", result);
    this.#unsubscribe.splice(0).forEach((remove) => remove());
  }

  #finish(ended: RunEnd | null): void {
    if (this.#over) return;
    this.#over = true;
    this.#ended = ended;
    this.#events.emit("over", ended);
    if (ended === null || !("pending" in ended)) this.#unsubscribe.splice(0).forEach((remove) => remove());
  }

  #disagree(error: RunDisagreementError): void {
    this.#stop(error, false);
    this.#events.emit("disagreement", error);
  }

  /** Rejects the queued jumps with `error` and predicts from the last confirmed jump again. */
  #rollBack(error: LeapfrogError): void {
    if (this.#timer !== null) this.#client.clock.clearTimeout(this.#timer);
    this.#timer = null;
    for (const entry of this.#queue.splice(0)) entry.reject(error);
    this.#predicted = this.#confirmed.clone();
  }

  /**
   * Stops the run for good: queued jumps (and the one in flight, unless `keepInFlight`) reject with `error`,
   * and later `jump()` calls throw it.
   */
  #stop(error: LeapfrogError, keepInFlight: boolean): void {
    this.#stopped ??= error;
    this.#rollBack(error);
    if (!keepInFlight && this.#inFlight !== null) {
      this.#inFlight.reject(error);
      this.#inFlight = null;
    }
  }
}

function resumedDifference(resumed: ResumedRun, world: World, score: number, combo: number): string | null {
  if (resumed.score !== score) return `resumed with score ${resumed.score}, expected ${score}`;
  if (resumed.combo !== combo) return `resumed with combo ${resumed.combo}, expected ${combo}`;
  return firstDifference(world, resumed.world);
}

/** The path of the first difference between two JSON-shaped values, or `null` when they are equal. */
export function firstDifference(expected: unknown, actual: unknown, path = ""): string | null {
  if (Object.is(expected, actual)) return null;
  if (typeof expected !== "object" || typeof actual !== "object" || expected === null || actual === null) {
    return `${path || "value"}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of keys) {
    const difference = firstDifference(
      (expected as Record<string, unknown>)[key],
      (actual as Record<string, unknown>)[key],
      path ? `${path}.${key}` : key,
    );
    if (difference !== null) return difference;
  }
  return null;
}
