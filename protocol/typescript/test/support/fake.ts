/**
 * Test doubles: a clock driven by hand, and a socket adapter whose sockets the test opens, feeds and drops,
 * reading what the client wrote as decoded frames.
 */

import type { Socket, SocketAdapter, SocketClose, SocketHandlers, SocketRequest } from "../../src/adapters/socket.js";
import type { Clock, TimerHandle } from "../../src/clock.js";
import { type Codec, MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES } from "../../src/codec/index.js";
import type { ClientFrame, Request, Response, ServerFrame, Welcome } from "../../src/generated/messages.js";

/** Lets every pending promise callback run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Time that moves only when the test says. */
export class ManualClock implements Clock {
  #now = 1_764_000_000_000;
  #next = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, delayMs), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  /** The delays of the timers waiting now, soonest first. */
  pending(): number[] {
    return [...this.#timers.values()].map((timer) => timer.at - this.#now).sort((a, b) => a - b);
  }

  /** Moves time on by `ms`, firing due timers in order and letting promise callbacks run after each. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await flush();
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers)
        if (entry[1].at <= end && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].callback();
    }
    this.#now = end;
    await flush();
  }
}

/** One socket the client opened. */
export class FakeSocket implements Socket {
  readonly request: SocketRequest;
  readonly written: (string | Uint8Array)[] = [];
  closedBy: { code: number; reason: string } | null = null;
  readonly #handlers: SocketHandlers;
  readonly #codec: Codec;
  #ended = false;

  constructor(request: SocketRequest, handlers: SocketHandlers, codec: Codec) {
    this.request = request;
    this.#handlers = handlers;
    this.#codec = codec;
  }

  send(data: string | Uint8Array): void {
    if (this.#ended) throw new Error("send on a closed socket");
    this.written.push(data);
  }

  close(code: number, reason: string): void {
    this.closedBy = { code, reason };
    this.#end({ code, reason });
  }

  /** True once closed by either side. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Completes the upgrade. */
  accept(): void {
    this.#handlers.onOpen();
  }

  /** What the client wrote, decoded. */
  frames(): ClientFrame[] {
    return this.written.map((data) => this.#codec.decode("ClientFrame", data, MAX_CLIENT_FRAME_BYTES));
  }

  /** The last frame the client wrote, decoded. */
  last(): ClientFrame {
    const frames = this.frames();
    const last = frames[frames.length - 1];
    if (last === undefined) throw new Error("nothing was written");
    return last;
  }

  /** Frames the client wrote whose request is of `kind`. */
  requests(kind: string): ClientFrame[] {
    return this.frames().filter((frame) => kindOf(frame.request) === kind);
  }

  /** Delivers a server frame, encoded as the server would. */
  receive(frame: ServerFrame): void {
    this.#handlers.onMessage(this.#codec.encode("ServerFrame", frame, MAX_SERVER_FRAME_BYTES));
  }

  /** Delivers raw data. */
  receiveRaw(data: string | Uint8Array): void {
    this.#handlers.onMessage(data);
  }

  /** Answers request `id`. */
  reply(id: number, response: Response): void {
    this.receive({ reply: { id, response } });
  }

  /** Answers the hello with a welcome. */
  welcome(overrides: Partial<Welcome> = {}): Welcome {
    const hello = this.requests("hello")[0];
    if (hello === undefined) throw new Error("no hello was written");
    const welcome: Welcome = {
      player: "alice",
      node: "test",
      server_time_ms: 1,
      resumed: null,
      rulesets: [1],
      ...overrides,
    };
    this.reply(hello.id, { welcome });
    return welcome;
  }

  /** The server (or the network) closes the socket. */
  drop(close: SocketClose): void {
    this.#end(close);
  }

  #end(close: SocketClose): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#handlers.onClose(close);
  }
}

/** The variant name of a request. */
export function kindOf(request: Request): string {
  return typeof request === "string" ? request : (Object.keys(request)[0] as string);
}

/** An adapter that records every socket the client opens. */
export class FakeAdapter implements SocketAdapter {
  readonly canSendHeaders: boolean;
  readonly sockets: FakeSocket[] = [];
  readonly #codec: Codec;

  constructor(codec: Codec, canSendHeaders = true) {
    this.#codec = codec;
    this.canSendHeaders = canSendHeaders;
  }

  open(request: SocketRequest, handlers: SocketHandlers): Socket {
    const socket = new FakeSocket(request, handlers, this.#codec);
    this.sockets.push(socket);
    return socket;
  }

  /** The socket opened last. */
  get current(): FakeSocket {
    const socket = this.sockets[this.sockets.length - 1];
    if (socket === undefined) throw new Error("no socket was opened");
    return socket;
  }
}
