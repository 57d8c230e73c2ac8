/**
 * `LeapfrogClient`: one connection object for the game. It connects with a token, says `hello`, and from
 * then on hides the connection: requests are typed promises matched to their answers by id, pushes are
 * typed events, a heartbeat finds dead connections, and a dropped connection is reconnected with backoff,
 * the live run resumed and unanswered requests sent again, so callers see each promise settle once.
 *
 * @module
 */

import type { Socket, SocketAdapter, SocketClose } from "./adapters/socket.js";
import { type Clock, type TimerHandle, systemClock } from "./clock.js";
import { type Codec, type CodecName, codecNamed, decodeServerFrame, encodeClientFrame } from "./codec/index.js";
import { Emitter } from "./events.js";
import { ClientClosedError, type LeapfrogError, ServerError } from "./errors.js";
import type {
  Board,
  BoardPage,
  BoardWindow,
  Challenge,
  ChallengeId,
  ChallengePage,
  ErrorCode,
  FriendPage,
  FriendRequests,
  Jump,
  JumpRequest,
  JumpResult,
  Notification,
  NotificationId,
  NotificationPage,
  Period,
  Pong,
  Replay,
  Request,
  Response,
  RunId,
  RunOver,
  RunStarted,
  Scope,
  ServerFrame,
  SocialChange,
  Standing,
  StartMode,
  SubmitAck,
  Welcome,
} from "./generated/messages.js";
import { Heartbeat } from "./heartbeat.js";
import { NotificationLedger } from "./notifications.js";
import {
  DEFAULT_RECONNECT,
  type Goodbye,
  type ReconnectOptions,
  type Verdict,
  backoffDelayMs,
  judgeClose,
} from "./reconnect.js";
import {
  type AnswerTo,
  type Pending,
  RequestTracker,
  type RequestKind,
  type RequestOptions,
  type RequestPayload,
  requestOf,
  responseParts,
} from "./requests.js";

/** Gives a (fresh) player token: called before every connection attempt, so an expired token is replaced. */
export type TokenProvider = () => string | Promise<string>;

/**
 * Where the token travels:
 * - `header`: `Authorization: Bearer` on the upgrade (native platforms; keeps it out of URLs and logs);
 * - `query`: `?token=` on the URL (browsers, which cannot set upgrade headers);
 * - `hello`: in the first message (anywhere; the server then waits a few seconds for it);
 * - `auto` (the default): `header` where the socket adapter can send headers, else `query`.
 */
export type TokenTransport = "auto" | "header" | "query" | "hello";

/** How to connect. Only `url`, `token` and `socket` are required. */
export interface ClientOptions {
  /** The node's WebSocket URL, e.g. `wss://play.example.com/ws`. */
  readonly url: string;
  /** The player's token (a JWT from the game's login service), or a function that gets a fresh one. */
  readonly token: string | TokenProvider;
  /** The platform's sockets: `browserSocket()`, `nodeSocket()` (from `leapfrog-client/node`), or your own. */
  readonly socket: SocketAdapter;
  /** The codec: `bincode` (the default: compact binary frames) or `json` (readable text frames). */
  readonly codec?: CodecName;
  /** Where the token travels (default `auto`). */
  readonly tokenIn?: TokenTransport;
  /** Sent in `hello` for the server's logs (at most 64 bytes), e.g. `"web/1.4.2"`. */
  readonly clientVersion?: string;
  /** Default timeout of a request, ms, reconnections included (default 15,000; 0: none). */
  readonly requestTimeoutMs?: number;
  /** Ping after this long without sending anything, ms (default 10,000). */
  readonly heartbeatIntervalMs?: number;
  /** A connection whose oldest request waits this long for its answer is dead, ms (default 10,000). */
  readonly answerTimeoutMs?: number;
  /** Longest time from opening a socket to `welcome`, ms (default 10,000). */
  readonly connectTimeoutMs?: number;
  /** Reconnection pacing, or `false` to stop at the first drop. */
  readonly reconnect?: Partial<ReconnectOptions> | false;
  /**
   * After every `welcome`, page through the inbox with `list_notifications`, so notifications beyond the 50
   * the server pushes again are delivered too (default true).
   */
  readonly catchUpNotifications?: boolean;
  /**
   * A live run to resume on the first connection, e.g. one a page kept across a reload: the `welcome` says
   * where it stands (`resumed`), or that it is over (`resumed` null). Take it up with `Run.resume`.
   */
  readonly resume?: RunId | null;
  /** Time and timers (tests drive them by hand). */
  readonly clock?: Clock;
  /** A uniform draw in [0, 1) for the backoff jitter (tests fix it). */
  readonly random?: () => number;
}

/** The client's state. */
export type ClientState =
  /** Created; `connect()` not called yet. */
  | "idle"
  /** Opening the first connection. */
  | "connecting"
  /** Welcomed: requests go out at once. */
  | "open"
  /** Between connections: requests wait for the next `welcome`. */
  | "reconnecting"
  /** Closed for good: every request is refused with a `ClientClosedError`. */
  | "closed";

/** A notification, emitted once per id, with the function that acknowledges it. */
export interface NotificationEvent {
  /** The notification. */
  readonly notification: Notification;
  /**
   * Acknowledges this notification and every older one, so the server never delivers them again. Call it
   * once the player has seen it; until then it comes back after every reconnect.
   */
  readonly ack: () => Promise<NotificationId>;
}

/** A connection ended. */
export interface DisconnectEvent {
  /** The WebSocket close code (1006 for a connection lost without one). */
  readonly code: number;
  /** The close reason, or what failed. */
  readonly reason: string;
  /** The HTTP status of a refused upgrade, where the platform tells it. */
  readonly httpStatus?: number;
  /** The server's goodbye before the close, if it sent one. */
  readonly goodbye: Goodbye | null;
  /** The delay before the next attempt, ms, or `null` when the client stops. */
  readonly reconnectInMs: number | null;
}

/** Every event of the client, with its argument. */
export interface ClientEvents {
  /** The state changed. */
  state: ClientState;
  /** A connection was welcomed (the first one, and every reconnection): `resumed` says where a run stands. */
  welcome: Welcome;
  /** A notification arrived (pushed live, redelivered after a reconnect, or caught up), once per id. */
  notification: NotificationEvent;
  /** A run whose end was `pending` is now recorded: its final figures. */
  run_result: RunOver;
  /** The server is about to close the connection, and why. */
  goodbye: Goodbye;
  /** A connection ended; the client reconnects unless `reconnectInMs` is `null`. */
  disconnected: DisconnectEvent;
  /** The client closed for good. */
  closed: ClientClosedError;
  /** Something went wrong outside any request (an unreadable frame, a failed catch-up); the client goes on. */
  error: LeapfrogError;
}

/** One WebSocket connection's state. */
interface Connection {
  socket: Socket | null;
  welcomed: boolean;
  helloId: number | null;
  /** The run `hello` asked to resume. */
  resumeAsked: RunId | null;
  goodbye: Goodbye | null;
  timer: TimerHandle | null;
  /** Set when the adapter reported the open from inside `open()`, before the socket was known. */
  openedEarly: boolean;
}

/** The requests a caller may send (`hello` is the client's own). */
export type CallerRequestKind = Exclude<RequestKind, "hello">;

/** The client. See the package README for a quick start. */
export class LeapfrogClient {
  /** The codec in use. */
  readonly codec: Codec;
  /** The client's clock (run helpers pace jumps with it). */
  readonly clock: Clock;
  readonly #options: ClientOptions;
  readonly #reconnect: ReconnectOptions | null;
  readonly #events = new Emitter<ClientEvents>();
  readonly #requests: RequestTracker;
  readonly #ledger = new NotificationLedger();
  readonly #heartbeat: Heartbeat;
  readonly #random: () => number;
  #state: ClientState = "idle";
  #connection: Connection | null = null;
  #welcome: Welcome | null = null;
  #waiters: { resolve: (welcome: Welcome) => void; reject: (error: ClientClosedError) => void }[] = [];
  #attempts = 0;
  #retryTimer: TimerHandle | null = null;
  #closedBy: ClientClosedError | null = null;
  #liveRun: RunId | null = null;
  #lastSentAt = 0;
  #rttMs: number | null = null;
  #serverOffsetMs: number | null = null;

  /** A client, not connected yet: call {@link LeapfrogClient.connect}. */
  constructor(options: ClientOptions) {
    this.#options = options;
    this.#liveRun = options.resume ?? null;
    this.codec = codecNamed(options.codec ?? "bincode");
    this.clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#reconnect = options.reconnect === false ? null : { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.#requests = new RequestTracker(this.clock);
    this.#heartbeat = new Heartbeat(
      this.clock,
      { intervalMs: options.heartbeatIntervalMs ?? 10_000, answerTimeoutMs: options.answerTimeoutMs ?? 10_000 },
      {
        lastSentAt: () => this.#lastSentAt,
        oldestUnansweredAt: () => this.#requests.oldestSentAt(),
        ping: () => void this.ping().catch(() => {}),
        dead: (reason) => {
          if (this.#connection !== null)
            this.#end(this.#connection, { action: "reconnect", notBeforeMs: 0 }, { code: 1006, reason });
        },
      },
    );
  }

  /** The current state. */
  get state(): ClientState {
    return this.#state;
  }

  /** The last `welcome`, or `null` before the first one. */
  get welcome(): Welcome | null {
    return this.#welcome;
  }

  /** The run this client plays and resumes after a reconnect, or `null`. */
  get liveRunId(): RunId | null {
    return this.#liveRun;
  }

  /** The last measured round trip of a `ping`, ms, or `null` before the first pong. */
  get rttMs(): number | null {
    return this.#rttMs;
  }

  /** How far the server's clock is ahead of this one, ms (from the last pong), or `null`. */
  get serverClockOffsetMs(): number | null {
    return this.#serverOffsetMs;
  }

  /** Listens to `event` until the returned function is called. */
  on<K extends keyof ClientEvents>(event: K, listener: (value: ClientEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Listens to the next `event` only. */
  once<K extends keyof ClientEvents>(event: K, listener: (value: ClientEvents[K]) => void): () => void {
    return this.#events.once(event, listener);
  }

  /**
   * Connects (if not connected yet) and resolves with the next `welcome` (the current one when open). It
   * keeps trying through failures as the reconnect options allow, and rejects with a `ClientClosedError`
   * only when the client stops: closed by the caller, the token refused with no provider to renew it, the
   * handshake refused for good, replaced by another login, or out of attempts.
   */
  connect(): Promise<Welcome> {
    if (this.#closedBy !== null) return Promise.reject(this.#closedBy);
    if (this.#state === "open" && this.#welcome !== null) return Promise.resolve(this.#welcome);
    const welcome = new Promise<Welcome>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (this.#state === "idle") void this.#attempt();
    return welcome;
  }

  /** Closes the client for good: the socket closes, waiting requests reject with a `ClientClosedError`. */
  close(): void {
    this.#shutdown(new ClientClosedError("closed by the caller"));
  }

  /**
   * Sends any request and resolves with its answer's payload. Before the first `welcome` and between
   * connections the request waits, then goes out on the next connection; if its connection drops before the
   * answer, it is sent again on the next one, except `start_run` (rejected with a `ConnectionLostError`,
   * since a second one would start a second run).
   *
   * @returns the answer's payload; rejects with a `ServerError` carrying the protocol code when the server
   *   refuses, a `TimeoutError`, a `CodecError` for a request that cannot be encoded, or a `ClientClosedError`.
   */
  request<K extends CallerRequestKind>(
    kind: K,
    payload: RequestPayload<K>,
    options: RequestOptions = {},
  ): Promise<AnswerTo<K>> {
    return this.#request(kind, payload, options) as Promise<AnswerTo<K>>;
  }

  #request(kind: RequestKind, payload: unknown, options: RequestOptions): Promise<unknown> {
    if (this.#closedBy !== null) return Promise.reject(this.#closedBy);
    const id = this.#requests.nextId();
    const request = requestOf(kind, payload as never);
    let frame;
    try {
      frame = encodeClientFrame(this.codec, { id, request });
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs ?? 15_000;
    const { pending, answer } = this.#requests.add(id, kind, request, frame, { ...options, timeoutMs });
    const connection = this.#connection;
    if (connection?.welcomed === true) this.#send(connection, pending);
    return answer;
  }

  /** Measures the round trip and the server's clock (the heartbeat does this by itself). */
  async ping(): Promise<Pong> {
    const pong = await this.request("ping", { client_time_ms: this.clock.now() });
    const now = this.clock.now();
    this.#rttMs = now - pong.client_time_ms;
    this.#serverOffsetMs = pong.server_time_ms - (pong.client_time_ms + this.#rttMs / 2);
    return pong;
  }

  /**
   * Starts a run; the client then resumes it after any reconnect until it ends. For live play with local
   * prediction and pacing, use `Run.start(client)`, which calls this.
   */
  startRun(mode: StartMode = "solo", options?: RequestOptions): Promise<RunStarted> {
    return this.request("start_run", { mode }, options);
  }

  /**
   * Sends one live jump. After a reconnect it is sent again with the same `seq`; a server that no longer
   * holds the answer of a jump it applied before the drop answers `conflict` (or `run_over` if that jump ended
   * the run): `Run` recovers those from its prediction, a direct caller gets the `ServerError`.
   */
  jump(jump: JumpRequest, options?: RequestOptions): Promise<JumpResult> {
    return this.request("jump", jump, options);
  }

  /** Ends a run now; its score so far counts. */
  abandon(runId: RunId, options?: RequestOptions): Promise<SubmitAck> {
    return this.request("abandon", { run_id: runId }, options);
  }

  /**
   * Submits an offline run's jumps in chunks that fit a frame (90 a chunk in JSON, 512 in bincode), the last
   * one marked, and resolves with the final answer.
   */
  async submitOfflineRun(runId: RunId, jumps: readonly Jump[], options?: RequestOptions): Promise<SubmitAck> {
    const chunk = this.codec.name === "json" ? 90 : 512;
    let firstSeq = 0;
    for (;;) {
      const part = jumps.slice(firstSeq, firstSeq + chunk);
      const last = firstSeq + part.length >= jumps.length;
      const ack = await this.request("submit_run", { run_id: runId, first_seq: firstSeq, jumps: part, last }, options);
      if (last || "ended" in ack) return ack;
      firstSeq = ack.accepted.next_seq;
    }
  }

  /** A page of friends, ordered by player id (`after`: the last id of the previous page). */
  listFriends(after: string | null = null, limit = 100, options?: RequestOptions): Promise<FriendPage> {
    return this.request("list_friends", { after, limit }, options);
  }

  /** Pending friend requests, both ways. */
  listFriendRequests(options?: RequestOptions): Promise<FriendRequests> {
    return this.request("list_friend_requests", undefined, options);
  }

  /** Asks `player` to be friends (accepts their request if they already asked). */
  sendFriendRequest(player: string, options?: RequestOptions): Promise<SocialChange> {
    return this.request("send_friend_request", { player }, options);
  }

  /** Accepts `player`'s friend request. */
  acceptFriendRequest(player: string, options?: RequestOptions): Promise<SocialChange> {
    return this.request("accept_friend_request", { player }, options);
  }

  /** Declines `player`'s friend request. */
  declineFriendRequest(player: string, options?: RequestOptions): Promise<SocialChange> {
    return this.request("decline_friend_request", { player }, options);
  }

  /** Stops being friends with `player`. */
  removeFriend(player: string, options?: RequestOptions): Promise<SocialChange> {
    return this.request("remove_friend", { player }, options);
  }

  /** Blocks `player`: no more requests from them, and neither sees the other on a board. */
  block(player: string, options?: RequestOptions): Promise<SocialChange> {
    return this.request("block", { player }, options);
  }

  /** Lifts a block. */
  unblock(player: string, options?: RequestOptions): Promise<SocialChange> {
    return this.request("unblock", { player }, options);
  }

  /** Sets the name other players see (1 to 32 characters). */
  setDisplayName(name: string, options?: RequestOptions): Promise<SocialChange> {
    return this.request("set_display_name", { name }, options);
  }

  /** Reads a part of a leaderboard. */
  readBoard(board: Board, window: BoardWindow, options?: RequestOptions): Promise<BoardPage> {
    return this.request("read_board", { board, window }, options);
  }

  /** Reads the player's rank and best on each period's board of `scope`. */
  readStanding(scope: Scope, options?: RequestOptions): Promise<Standing> {
    return this.request("read_standing", { scope }, options);
  }

  /**
   * A page of the inbox (unacknowledged notifications after `after`, oldest first). The client already pages
   * through it after every `welcome` unless `catchUpNotifications` is off; what this returns is not emitted.
   */
  listNotifications(
    after: NotificationId | null = null,
    limit = 100,
    options?: RequestOptions,
  ): Promise<NotificationPage> {
    return this.request("list_notifications", { after, limit }, options);
  }

  /** Acknowledges every notification up to and including `upTo`; resolves with the acknowledged id. */
  async ackNotifications(upTo: NotificationId, options?: RequestOptions): Promise<NotificationId> {
    if (this.#ledger.isAcked(upTo)) return upTo;
    const acked = await this.request("ack_notifications", { up_to: upTo }, options);
    this.#ledger.acked(acked.up_to);
    return acked.up_to;
  }

  /**
   * Shares the course of one of the player's ended runs as a challenge; the id it answers is what a share
   * link carries. Sharing the same run again answers the same challenge.
   */
  createChallenge(runId: RunId, options?: RequestOptions): Promise<Challenge> {
    return this.request("create_challenge", { run_id: runId }, options);
  }

  /** Reads a challenge and `limit` (0 to 100) entries of its board after rank `after`. */
  readChallenge(
    challenge: ChallengeId,
    limit = 20,
    after: number | null = null,
    options?: RequestOptions,
  ): Promise<ChallengePage> {
    return this.request("read_challenge", { challenge, limit, after }, options);
  }

  /**
   * Reads `player`'s best run of the `period` running now (your own, or a friend's: anyone else is
   * `forbidden`, and a period without a run `not_found`), with every input, to watch it or race it as a ghost
   * by replaying it with leapfrog-rules.
   */
  readReplay(player: string, period: Period, options?: RequestOptions): Promise<Replay> {
    return this.request("read_replay", { player, period }, options);
  }

  // ---- connections ----

  #setState(state: ClientState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#events.emit("state", state);
  }

  async #token(): Promise<string> {
    const { token } = this.#options;
    return typeof token === "string" ? token : await token();
  }

  async #attempt(): Promise<void> {
    this.#retryTimer = null;
    this.#setState(this.#welcome === null && this.#attempts === 0 ? "connecting" : "reconnecting");
    const connection: Connection = {
      socket: null,
      welcomed: false,
      helloId: null,
      resumeAsked: null,
      goodbye: null,
      timer: null,
      openedEarly: false,
    };
    this.#connection = connection;
    let token: string;
    try {
      token = await this.#token();
    } catch (error) {
      const reason = `the token provider failed: ${error instanceof Error ? error.message : String(error)}`;
      this.#end(connection, { action: "reconnect", notBeforeMs: 0 }, { code: 1006, reason });
      return;
    }
    if (this.#connection !== connection) return;
    const transport = this.#tokenTransport();
    const url = transport === "query" ? withQuery(this.#options.url, "token", token) : this.#options.url;
    const headers: Record<string, string> = transport === "header" ? { Authorization: `Bearer ${token}` } : {};
    const connectTimeoutMs = this.#options.connectTimeoutMs ?? 10_000;
    connection.timer = this.clock.setTimeout(
      () =>
        this.#end(
          connection,
          { action: "reconnect", notBeforeMs: 0 },
          { code: 1006, reason: `no welcome within ${connectTimeoutMs} ms` },
        ),
      connectTimeoutMs,
    );
    const helloToken = transport === "hello" ? token : null;
    try {
      connection.socket = this.#options.socket.open(
        { url, protocol: this.codec.subprotocol, headers },
        {
          onOpen: () => this.#sayHello(connection, helloToken),
          onMessage: (data) => this.#onMessage(connection, data),
          onClose: (close) => {
            if (this.#connection === connection) this.#end(connection, judgeClose(close, connection.goodbye), close);
          },
        },
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#end(connection, { action: "reconnect", notBeforeMs: 0 }, { code: 1006, reason });
      return;
    }
    if (connection.openedEarly) this.#sayHello(connection, helloToken);
  }

  #tokenTransport(): Exclude<TokenTransport, "auto"> {
    const wanted = this.#options.tokenIn ?? "auto";
    if (wanted !== "auto") return wanted;
    return this.#options.socket.canSendHeaders ? "header" : "query";
  }

  #sayHello(connection: Connection, token: string | null): void {
    if (this.#connection !== connection) return;
    if (connection.socket === null) {
      connection.openedEarly = true;
      return;
    }
    const id = this.#requests.nextId();
    connection.helloId = id;
    connection.resumeAsked = this.#liveRun;
    const request: Request = {
      hello: {
        client_version: this.#options.clientVersion ?? "leapfrog-client/0.1.0",
        token,
        resume: this.#liveRun,
        last_notification: this.#ledger.newest,
      },
    };
    try {
      this.#write(connection, encodeClientFrame(this.codec, { id, request }));
    } catch (error) {
      this.#shutdown(
        new ClientClosedError(`hello cannot be sent: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }

  #write(connection: Connection, frame: string | Uint8Array): void {
    connection.socket?.send(frame);
    this.#lastSentAt = this.clock.now();
  }

  #send(connection: Connection, pending: Pending): void {
    try {
      this.#write(connection, pending.frame);
      pending.sentAt = this.clock.now();
      pending.onSent?.(pending.sentAt);
    } catch (error) {
      const reason = `send failed: ${error instanceof Error ? error.message : String(error)}`;
      this.#end(connection, { action: "reconnect", notBeforeMs: 0 }, { code: 1006, reason });
    }
  }

  #onMessage(connection: Connection, data: string | Uint8Array): void {
    if (this.#connection !== connection) return;
    let frame: ServerFrame;
    try {
      frame = decodeServerFrame(this.codec, data);
    } catch (error) {
      this.#events.emit("error", error as LeapfrogError);
      this.#end(
        connection,
        { action: "reconnect", notBeforeMs: 0 },
        { code: 1006, reason: "the server sent an unreadable frame" },
      );
      return;
    }
    if ("reply" in frame) {
      const { id, response } = frame.reply;
      if (id === connection.helloId) this.#onWelcome(connection, response);
      else this.#onAnswer(id, response);
    } else if ("error" in frame) {
      const { id, code, message } = frame.error;
      if (id === null) this.#events.emit("error", new ServerError("a frame", code, message));
      else if (id === connection.helloId) this.#onHelloRefused(connection, code, message);
      else this.#onRefusal(id, code, message);
    } else {
      const push = frame.push;
      if ("notification" in push) this.#deliver(push.notification);
      else if ("run_result" in push) this.#events.emit("run_result", push.run_result);
      else {
        connection.goodbye = push.goodbye;
        this.#events.emit("goodbye", push.goodbye);
      }
    }
  }

  #onWelcome(connection: Connection, response: Response): void {
    const [kind, welcome] = responseParts(response);
    if (kind !== "welcome") {
      this.#end(
        connection,
        { action: "reconnect", notBeforeMs: 0 },
        { code: 1006, reason: `hello answered with ${kind}` },
      );
      return;
    }
    const welcomed = welcome as Welcome;
    if (connection.timer !== null) this.clock.clearTimeout(connection.timer);
    connection.timer = null;
    connection.welcomed = true;
    this.#attempts = 0;
    this.#welcome = welcomed;
    const asked = connection.resumeAsked;
    if (asked !== null && welcomed.resumed?.run_id !== asked && this.#liveRun === asked) this.#liveRun = null;
    this.#setState("open");
    this.#events.emit("welcome", welcomed);
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(welcomed);
    for (const pending of this.#requests.unsent()) {
      if (this.#connection !== connection) return;
      this.#send(connection, pending);
    }
    if (this.#connection !== connection) return;
    this.#heartbeat.start();
    if (this.#options.catchUpNotifications ?? true) void this.#catchUp();
  }

  #onHelloRefused(connection: Connection, code: ErrorCode, message: string): void {
    const refusal = new ServerError("hello", code, message);
    this.#events.emit("error", refusal);
    const verdict: Verdict =
      code === "unauthorized"
        ? { action: "renew_token", notBeforeMs: 0 }
        : code === "forbidden" || code === "bad_request"
          ? { action: "stop", reason: refusal.message }
          : { action: "reconnect", notBeforeMs: 0 };
    this.#end(connection, verdict, { code: 1000, reason: refusal.message });
  }

  #onAnswer(id: number, response: Response): void {
    const pending = this.#requests.answer(id, response);
    if (pending === undefined) return;
    const [kind, payload] = responseParts(response);
    if (kind === "run_started") {
      this.#liveRun = (payload as RunStarted).run_id;
    } else if (kind === "jump_result" && (payload as JumpResult).ended !== null) {
      this.#runEnded(pending.request);
    } else if (kind === "submitted" && typeof payload === "object" && payload !== null && "ended" in payload) {
      this.#runEnded(pending.request);
    }
  }

  #onRefusal(id: number, code: ErrorCode, message: string): void {
    const pending = this.#requests.refuse(id, code, message);
    if (pending !== undefined && (code === "run_over" || code === "not_found")) this.#runEnded(pending.request);
  }

  /** A request about run `run_id` found it ended: stop resuming it. */
  #runEnded(request: Request): void {
    const body =
      typeof request === "object" ? (Object.values(request)[0] as { run_id?: RunId } | undefined) : undefined;
    if (body?.run_id !== undefined && body.run_id === this.#liveRun) this.#liveRun = null;
  }

  #deliver(notification: Notification): void {
    if (!this.#ledger.admit(notification.id)) return;
    this.#events.emit("notification", { notification, ack: () => this.ackNotifications(notification.id) });
  }

  async #catchUp(): Promise<void> {
    let after: NotificationId | null = null;
    try {
      for (;;) {
        const page = await this.listNotifications(after, 100);
        page.notifications.forEach((notification) => this.#deliver(notification));
        const last = page.notifications[page.notifications.length - 1];
        if (!page.more || last === undefined) return;
        after = last.id;
      }
    } catch (error) {
      if (this.#closedBy === null && !(error instanceof ClientClosedError))
        this.#events.emit("error", error as LeapfrogError);
    }
  }

  /** A connection ended (or must end): clean it up, then reconnect or stop as `verdict` says. */
  #end(connection: Connection, verdict: Verdict, close: SocketClose): void {
    if (this.#connection !== connection) return;
    this.#connection = null;
    if (connection.timer !== null) this.clock.clearTimeout(connection.timer);
    this.#heartbeat.stop();
    connection.socket?.close(1000, "reconnecting");
    this.#requests.connectionLost(new Error(close.reason));
    const event = {
      code: close.code,
      reason: close.reason,
      goodbye: connection.goodbye,
      ...(close.httpStatus === undefined ? {} : { httpStatus: close.httpStatus }),
    };
    const stop = this.#stopReason(verdict, connection, close);
    if (stop !== null) {
      this.#events.emit("disconnected", { ...event, reconnectInMs: null });
      this.#shutdown(new ClientClosedError(stop));
      return;
    }
    const reconnect = this.#reconnect as ReconnectOptions;
    if (!connection.welcomed) this.#attempts += 1;
    const notBeforeMs = verdict.action === "stop" ? 0 : verdict.notBeforeMs;
    const delay = notBeforeMs + backoffDelayMs(this.#attempts, reconnect, this.#random);
    this.#setState("reconnecting");
    this.#events.emit("disconnected", { ...event, reconnectInMs: delay });
    this.#retryTimer = this.clock.setTimeout(() => void this.#attempt(), delay);
  }

  /** Why the client must stop after this connection, or `null` to reconnect. */
  #stopReason(verdict: Verdict, connection: Connection, close: SocketClose): string | null {
    if (this.#closedBy !== null) return this.#closedBy.message;
    if (verdict.action === "stop") return verdict.reason;
    if (verdict.action === "renew_token" && typeof this.#options.token === "string") {
      return `the server refused the token (${close.reason}); pass a token provider to renew it`;
    }
    if (this.#reconnect === null) return `the connection ended (${close.code} ${close.reason}) and reconnection is off`;
    if (!connection.welcomed && this.#attempts + 1 >= this.#reconnect.maxAttempts) {
      const last = `${close.code} ${close.reason}`;
      return `gave up after ${this.#reconnect.maxAttempts} failed attempts in a row; the last: ${last}`;
    }
    return null;
  }

  #shutdown(error: ClientClosedError): void {
    if (this.#state === "closed") return;
    this.#closedBy = error;
    if (this.#retryTimer !== null) this.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#heartbeat.stop();
    const connection = this.#connection;
    this.#connection = null;
    if (connection !== null) {
      if (connection.timer !== null) this.clock.clearTimeout(connection.timer);
      connection.socket?.close(1000, "client closed");
    }
    this.#setState("closed");
    this.#requests.rejectAll(error);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    this.#events.emit("closed", error);
  }
}

/** `url` with `name=value` added to its query. */
function withQuery(url: string, name: string, value: string): string {
  const hash = url.indexOf("#");
  const base = hash === -1 ? url : url.slice(0, hash);
  const fragment = hash === -1 ? "" : url.slice(hash);
  return `${base}${base.includes("?") ? "&" : "?"}${name}=${encodeURIComponent(value)}${fragment}`;
}
