/**
 * The socket adapters against real sockets: `nodeSocket` against a `ws` server on loopback (headers, the
 * subprotocol, text and binary frames, close codes, the HTTP status of a refused upgrade), and `browserSocket`
 * against a stand-in for the browser's `WebSocket`.
 */

import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";

import { WebSocketServer } from "ws";

import { type BrowserWebSocket, browserSocket } from "../src/adapters/browser.js";
import { nodeSocket } from "../src/adapters/node.js";
import type { SocketClose, SocketHandlers } from "../src/adapters/socket.js";

/** Records what an adapter reports. */
function recorder() {
  const events: unknown[] = [];
  let closed!: (close: SocketClose) => void;
  const close = new Promise<SocketClose>((resolve) => (closed = resolve));
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const handlers: SocketHandlers = {
    onOpen: () => {
      events.push("open");
      opened();
    },
    onMessage: (data) => events.push(data),
    onClose: (info) => {
      events.push(info);
      closed(info);
    },
  };
  return { events, handlers, open, close };
}

describe("nodeSocket", () => {
  let server: WebSocketServer;
  let url: string;
  const seen: { headers: Record<string, unknown>; protocol: string }[] = [];

  before(async () => {
    server = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      handleProtocols: (protocols) => [...protocols][0] ?? false,
      verifyClient: (info, done) => {
        if (info.req.headers.authorization === "Bearer refused") done(false, 401, "token expired");
        else done(true);
      },
    });
    await new Promise((resolve) => server.once("listening", resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    server.on("connection", (socket, request) => {
      seen.push({ headers: request.headers, protocol: socket.protocol });
      socket.on("message", (data, isBinary) => {
        if (!isBinary && data.toString() === "close please") socket.close(4002, "idle for too long");
        else socket.send(data, { binary: isBinary });
      });
    });
  });

  after(() => new Promise((resolve) => server.close(resolve)));

  test("sends headers and the subprotocol, and carries text and binary frames as they are", async () => {
    const adapter = nodeSocket();
    assert.equal(adapter.canSendHeaders, true);
    const { events, handlers, open, close } = recorder();
    const socket = adapter.open(
      { url, protocol: "leapfrog.v1.bincode", headers: { Authorization: "Bearer ok" } },
      handlers,
    );
    await open;
    assert.equal(seen.at(-1)?.headers["authorization"], "Bearer ok");
    assert.equal(seen.at(-1)?.protocol, "leapfrog.v1.bincode");
    socket.send("text");
    socket.send(Uint8Array.from([1, 2, 251]));
    socket.send("close please");
    assert.deepEqual(await close, { code: 4002, reason: "idle for too long" });
    assert.deepEqual(events.slice(0, 3), ["open", "text", Uint8Array.from([1, 2, 251])]);
  });

  test("reports a refused upgrade with its HTTP status", async () => {
    const { handlers, close } = recorder();
    nodeSocket().open({ url, protocol: "leapfrog.v1.json", headers: { Authorization: "Bearer refused" } }, handlers);
    const refused = await close;
    assert.equal(refused.httpStatus, 401);
    assert.equal(refused.code, 1006);
  });

  test("reports a connection that cannot be made, once", async () => {
    const { events, handlers, close } = recorder();
    nodeSocket().open({ url: "ws://127.0.0.1:1/ws", protocol: "leapfrog.v1.json", headers: {} }, handlers);
    assert.equal((await close).code, 1006);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(events.length, 1);
  });
});

describe("browserSocket", () => {
  class StandIn implements BrowserWebSocket {
    static last: StandIn | undefined;
    binaryType = "blob";
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { readonly data: unknown }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
    readonly sent: unknown[] = [];

    constructor(
      readonly url: string,
      readonly protocols: string | string[],
    ) {
      StandIn.last = this;
    }

    send(data: unknown): void {
      this.sent.push(data);
    }

    close(): void {}
  }

  test("asks for array buffers, hands bytes and text on, and reports the close once", () => {
    const adapter = browserSocket(StandIn);
    assert.equal(adapter.canSendHeaders, false);
    const { events, handlers } = recorder();
    const socket = adapter.open({ url: "ws://host/ws?token=t", protocol: "leapfrog.v1.json", headers: {} }, handlers);
    const ws = StandIn.last as StandIn;
    assert.equal(ws.url, "ws://host/ws?token=t");
    assert.equal(ws.protocols, "leapfrog.v1.json");
    assert.equal(ws.binaryType, "arraybuffer");
    ws.onopen?.({});
    ws.onmessage?.({ data: "text" });
    ws.onmessage?.({ data: Uint8Array.from([7, 8]).buffer });
    socket.send("out");
    ws.onerror?.({});
    ws.onclose?.({ code: 1006, reason: "" });
    ws.onclose?.({ code: 1006, reason: "" });
    assert.deepEqual(events, ["open", "text", Uint8Array.from([7, 8]), { code: 1006, reason: "" }]);
    assert.deepEqual(ws.sent, ["out"]);
  });

  test("closing reports the close at once, even for a socket still connecting", () => {
    const { events, handlers } = recorder();
    const socket = browserSocket(StandIn).open(
      { url: "ws://host/ws", protocol: "leapfrog.v1.json", headers: {} },
      handlers,
    );
    socket.close(1000, "client closed");
    StandIn.last?.onclose?.({ code: 1000, reason: "late" });
    assert.deepEqual(events, [{ code: 1000, reason: "client closed" }]);
  });
});
