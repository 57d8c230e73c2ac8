/**
 * The client against a fake socket and a manual clock: the handshake and where the token goes, request
 * matching, refusals and timeouts, reconnection (backoff, goodbye, close codes, tokens), resending and
 * resuming, the heartbeat, and notifications.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ClientClosedError, ConnectionLostError, ServerError, TimeoutError } from "../src/errors.js";
import type { ClientState, DisconnectEvent, NotificationEvent } from "../src/client.js";
import type { Notification, RunStarted, World } from "../src/generated/messages.js";
import { LeapfrogClient } from "../src/client.js";
import type { SocketAdapter } from "../src/adapters/socket.js";
import { bincode } from "../src/codec/index.js";
import { FakeAdapter, kindOf, flush } from "./support/fake.js";
import { connected, harness, welcome } from "./support/setup.js";

const RUN = "5eed000102030405060708090a0b0c0d";

const WORLD: World = {
  figure: { x: 0, z: 0 },
  current: { centre: { x: 0, z: 0 }, shape: "cube", radius: 5000, special: null },
  next: { centre: { x: 20000, z: 0 }, shape: "cube", radius: 4595, special: null },
  direction: "right",
  bonus_available: false,
};

const STARTED: RunStarted = { run_id: RUN, seed: "42", ruleset: 1, world: WORLD };

function notification(id: string): Notification {
  return { id, created_ms: 1, event: { friend_request_received: { from: "bob", name: null } } };
}

describe("connecting", () => {
  test("sends the token in an Authorization header where the adapter can, and says hello", async () => {
    const h = harness({ clientVersion: "test/1" });
    const connecting = h.client.connect();
    await flush();
    const socket = h.adapter.current;
    assert.equal(socket.request.url, "ws://127.0.0.1:7300/ws");
    assert.equal(socket.request.protocol, "leapfrog.v1.bincode");
    assert.deepEqual(socket.request.headers, { Authorization: "Bearer token-1" });
    assert.equal(h.client.state, "connecting");
    socket.accept();
    assert.deepEqual(socket.last().request, {
      hello: { client_version: "test/1", token: null, resume: null, last_notification: null },
    });
    const sent = socket.welcome({ player: "alice" });
    assert.deepEqual(await connecting, sent);
    assert.equal(h.client.state, "open");
    assert.deepEqual(await h.client.connect(), sent, "connect() when open resolves with the current welcome");
  });

  test("puts the token in the URL where the adapter cannot send headers, or in hello when asked", async () => {
    const browser = harness({ canSendHeaders: false, codec: "json", token: "a b&c" });
    void browser.client.connect();
    await flush();
    assert.equal(browser.adapter.current.request.url, "ws://127.0.0.1:7300/ws?token=a%20b%26c");
    assert.equal(browser.adapter.current.request.protocol, "leapfrog.v1.json");
    assert.deepEqual(browser.adapter.current.request.headers, {});

    const hello = harness({ tokenIn: "hello" });
    void hello.client.connect();
    await flush();
    hello.adapter.current.accept();
    assert.equal(hello.adapter.current.request.url, "ws://127.0.0.1:7300/ws");
    const first = hello.adapter.current.last().request;
    assert.ok(typeof first === "object" && "hello" in first && first.hello.token === "token-1");
  });

  test("says hello even when the adapter reports the open from inside open()", async () => {
    const fake = new FakeAdapter(bincode);
    const eager: SocketAdapter = {
      canSendHeaders: true,
      open: (request, handlers) => {
        const socket = fake.open(request, handlers);
        handlers.onOpen();
        return socket;
      },
    };
    const client = new LeapfrogClient({ url: "ws://x/ws", token: "t", socket: eager, catchUpNotifications: false });
    const connecting = client.connect();
    await flush();
    assert.equal(kindOf(fake.current.last().request), "hello");
    fake.current.welcome();
    await connecting;
    client.close();
  });

  test("calls the token provider before every attempt", async () => {
    let calls = 0;
    const h = harness({ token: async () => `t${++calls}` });
    void h.client.connect();
    await welcome(h);
    h.adapter.current.drop({ code: 1006, reason: "network" });
    await h.clock.advance(1_000);
    assert.equal(calls, 2);
    assert.equal(h.adapter.current.request.headers["Authorization"], "Bearer t2");
  });
});

describe("requests", () => {
  test("answers are matched to their requests by id, whatever the order", async () => {
    const { client, socket } = await connected();
    const friends = client.listFriendRequests();
    const standing = client.readStanding("friends");
    const [first, second] = socket.frames().slice(1);
    assert.ok(first !== undefined && second !== undefined && first.id !== second.id);
    socket.reply(second.id, { standing: { placements: [] } });
    socket.reply(first.id, { friend_requests: { incoming: [], outgoing: [] } });
    assert.deepEqual(await standing, { placements: [] });
    assert.deepEqual(await friends, { incoming: [], outgoing: [] });
  });

  test("a refusal rejects with a ServerError carrying the protocol code", async () => {
    const { client, socket } = await connected();
    const jump = client.jump({ run_id: RUN, seq: 0, press_ms: 706, dwell_ms: 400 });
    socket.receive({ error: { id: socket.last().id, code: "too_fast", message: "slow down" } });
    await assert.rejects(jump, (error: unknown) => {
      assert.ok(error instanceof ServerError);
      assert.equal(error.code, "too_fast");
      assert.equal(error.request, "jump");
      assert.equal(error.retryable, false);
      return true;
    });
    const busy = client.setDisplayName("Alice");
    socket.receive({ error: { id: socket.last().id, code: "server_busy", message: "later" } });
    await assert.rejects(busy, (error: ServerError) => error.retryable);
  });

  test("an answer of the wrong kind rejects the request", async () => {
    const { client, socket } = await connected();
    const standing = client.readStanding("global");
    socket.reply(socket.last().id, { social: "unchanged" });
    await assert.rejects(
      standing,
      (error: ServerError) => error.code === "internal" && /expected standing/.test(error.message),
    );
  });

  test("a request unanswered in time rejects with a TimeoutError, and its late answer is ignored", async () => {
    const { client, socket, clock } = await connected({ answerTimeoutMs: 60_000 });
    const board = client.readBoard(
      { period: "weekly", scope: "friends" },
      { around: { radius: 2 } },
      { timeoutMs: 500 },
    );
    const id = socket.last().id;
    await clock.advance(499);
    let settled = false;
    board.then(
      () => (settled = true),
      () => (settled = true),
    );
    await flush();
    assert.equal(settled, false);
    await clock.advance(1);
    await assert.rejects(board, (error: unknown) => error instanceof TimeoutError && error.timeoutMs === 500);
    socket.reply(id, {
      board: { board: { period: "weekly", scope: "friends" }, period_id: "w", entries: [], total: 0 },
    });
    await flush();
  });

  test("requests made before the welcome wait for it and go out in order", async () => {
    const h = harness();
    const connecting = h.client.connect();
    const a = h.client.sendFriendRequest("bob");
    const b = h.client.acceptFriendRequest("carol");
    const socket = await welcome(h);
    await connecting;
    assert.deepEqual(
      socket.frames().map((frame) => kindOf(frame.request)),
      ["hello", "send_friend_request", "accept_friend_request"],
    );
    const [, first, second] = socket.frames();
    socket.reply(first?.id as number, { social: "request_sent" });
    socket.reply(second?.id as number, { social: "became_friends" });
    assert.equal(await a, "request_sent");
    assert.equal(await b, "became_friends");
  });

  test("a request that cannot be encoded is refused before anything is sent", async () => {
    const { client, socket } = await connected();
    await assert.rejects(
      client.setDisplayName("x".repeat(5_000)),
      (error: Error & { code?: string }) => error.code === "frame_too_large",
    );
    await assert.rejects(
      client.jump({ run_id: "not hex", seq: 0, press_ms: 1, dwell_ms: 1 }),
      (error: Error & { code?: string }) => error.code === "malformed_frame",
    );
    assert.equal(socket.frames().length, 1);
  });
});

describe("reconnecting", () => {
  test("resends unanswered requests, resumes the live run, fails an unanswered start_run", async () => {
    const { client, socket, clock, adapter } = await connected();
    const start = client.startRun();
    socket.reply(socket.last().id, { run_started: STARTED });
    await start;
    assert.equal(client.liveRunId, RUN);
    const jump = client.jump({ run_id: RUN, seq: 0, press_ms: 706, dwell_ms: 400 });
    const jumpFrame = socket.last();
    const again = client.startRun();
    const disconnects: DisconnectEvent[] = [];
    client.on("disconnected", (event) => disconnects.push(event));
    socket.drop({ code: 1006, reason: "network" });
    await assert.rejects(
      again,
      (error: unknown) => error instanceof ConnectionLostError && error.request === "start_run",
    );
    assert.equal(client.state, "reconnecting");
    assert.equal(disconnects[0]?.reconnectInMs, 188, "attempt 0: 250 ms cap, half plus half of the half");
    await clock.advance(188);
    const next = adapter.current;
    assert.notEqual(next, socket);
    next.accept();
    const hello = next.last().request;
    assert.ok(typeof hello === "object" && "hello" in hello && hello.hello.resume === RUN);
    next.welcome({ resumed: { run_id: RUN, seed: "42", ruleset: 1, next_seq: 0, score: 0, combo: 0, world: WORLD } });
    const resent = next.requests("jump");
    assert.deepEqual(resent, [jumpFrame], "the same frame, same id and seq");
    const result = {
      outcome: {
        index: 0,
        landing: "centre" as const,
        points: 2,
        bonus: 0,
        combo: 1,
        score: 2,
        touchdown: { x: 1, z: 0 },
        world: WORLD,
        game_over: false,
      },
      ended: null,
    };
    next.reply(jumpFrame.id, { jump_result: result });
    assert.deepEqual(await jump, result);
  });

  test("a run the welcome does not resume is not asked for again", async () => {
    const { client, socket, clock, adapter } = await connected();
    const start = client.startRun();
    socket.reply(socket.last().id, { run_started: STARTED });
    await start;
    socket.drop({ code: 1006, reason: "network" });
    await clock.advance(1_000);
    adapter.current.accept();
    adapter.current.welcome({ resumed: null });
    await flush();
    assert.equal(client.liveRunId, null);
  });

  test("a jump that ends the run stops the resuming", async () => {
    const { client, socket } = await connected();
    const start = client.startRun();
    socket.reply(socket.last().id, { run_started: STARTED });
    await start;
    const jump = client.jump({ run_id: RUN, seq: 0, press_ms: 100, dwell_ms: 0 });
    const outcome = {
      index: 0,
      landing: "fell" as const,
      points: 0,
      bonus: 0,
      combo: 0,
      score: 0,
      touchdown: { x: 1, z: 0 },
      world: WORLD,
      game_over: true,
    };
    socket.reply(socket.last().id, { jump_result: { outcome, ended: { pending: { run_id: RUN, final_score: 0 } } } });
    await jump;
    assert.equal(client.liveRunId, null);
  });

  test("backs off exponentially with jitter and gives up after maxAttempts failures in a row", async () => {
    const h = harness({ reconnect: { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 4 } });
    const delays: (number | null)[] = [];
    h.client.on("disconnected", (event) => delays.push(event.reconnectInMs));
    const gaveUp = assert.rejects(
      h.client.connect(),
      (error: unknown) => error instanceof ClientClosedError && /gave up after 4/.test(error.message),
    );
    for (let i = 0; i < 4; i++) {
      await flush();
      h.adapter.current.drop({ code: 1006, reason: "refused" });
      await h.clock.advance(2_000);
    }
    await gaveUp;
    // Caps 200, 400, 800 (attempts 1-3), each waited as half the cap plus half of the other half.
    assert.deepEqual(delays, [150, 300, 600, null]);
    assert.equal(h.client.state, "closed");
  });

  test("honours the goodbye's reconnect_after_ms on top of the backoff", async () => {
    const { client, socket, clock, adapter } = await connected();
    const events: DisconnectEvent[] = [];
    client.on("disconnected", (event) => events.push(event));
    socket.receive({ push: { goodbye: { reason: "shutting_down", reconnect_after_ms: 1_000 } } });
    socket.drop({ code: 1001, reason: "server shutting down; reconnect to another node" });
    assert.equal(events[0]?.reconnectInMs, 1_188);
    assert.equal(events[0]?.goodbye?.reason, "shutting_down");
    await clock.advance(1_187);
    assert.equal(adapter.sockets.length, 1);
    await clock.advance(1);
    assert.equal(adapter.sockets.length, 2);
  });

  test("stops for good when replaced by another login, rejecting what waits", async () => {
    const { client, socket, clock, adapter } = await connected();
    const board = client.readStanding("global");
    const states: ClientState[] = [];
    client.on("state", (state) => states.push(state));
    socket.receive({ push: { goodbye: { reason: "replaced_by_new_login", reconnect_after_ms: 0 } } });
    socket.drop({ code: 4000, reason: "replaced by a new login of the same player" });
    await assert.rejects(
      board,
      (error: unknown) => error instanceof ClientClosedError && /replaced/.test(error.message),
    );
    await clock.advance(60_000);
    assert.equal(adapter.sockets.length, 1);
    assert.deepEqual(states, ["closed"]);
    await assert.rejects(client.readStanding("global"), ClientClosedError);
  });

  test("a refused token stops a client with a fixed token and renews a provided one", async () => {
    const fixed = harness();
    const connecting = fixed.client.connect();
    await flush();
    fixed.adapter.current.drop({ code: 1006, reason: "upgrade refused with HTTP 401: token expired", httpStatus: 401 });
    await assert.rejects(connecting, /refused the token/);

    let calls = 0;
    const renewed = harness({ token: () => `t${++calls}` });
    void renewed.client.connect();
    await flush();
    renewed.adapter.current.drop({ code: 1006, reason: "upgrade refused with HTTP 401", httpStatus: 401 });
    await renewed.clock.advance(1_000);
    assert.equal(calls, 2);
    assert.equal(renewed.client.state, "reconnecting");

    const expired = await connected({ token: () => "fresh" });
    expired.socket.receive({ push: { goodbye: { reason: "token_expired", reconnect_after_ms: 0 } } });
    expired.socket.drop({ code: 1008, reason: "token expired" });
    await expired.clock.advance(1_000);
    assert.equal(expired.adapter.sockets.length, 2);
  });

  test("an unsupported protocol version (400) stops the client", async () => {
    const h = harness();
    const connecting = h.client.connect();
    await flush();
    h.adapter.current.drop({ code: 1006, reason: "unsupported protocol version", httpStatus: 400 });
    await assert.rejects(connecting, /refused the handshake/);
  });

  test("a hello refused as unauthorized renews the token; an unreadable frame reconnects", async () => {
    let calls = 0;
    const h = harness({ token: () => `t${++calls}`, tokenIn: "hello" });
    void h.client.connect();
    await flush();
    h.adapter.current.accept();
    h.adapter.current.receive({ error: { id: h.adapter.current.last().id, code: "unauthorized", message: "expired" } });
    await h.clock.advance(1_000);
    assert.equal(calls, 2);
    const socket = await welcome(h);
    const errors: string[] = [];
    h.client.on("error", (error) => errors.push(error.code));
    socket.receiveRaw("not bincode");
    assert.deepEqual(errors, ["unsupported_codec"]);
    assert.ok(socket.ended);
    assert.equal(h.client.state, "reconnecting");
  });

  test("no welcome within the connect timeout is a failed attempt", async () => {
    const h = harness({ connectTimeoutMs: 2_000 });
    void h.client.connect();
    await flush();
    h.adapter.current.accept();
    await h.clock.advance(2_000);
    assert.ok(h.adapter.sockets[0]?.ended);
    await h.clock.advance(1_000);
    assert.equal(h.adapter.sockets.length, 2);
  });

  test("close() closes the socket and rejects what waits; reconnection off stops at the first drop", async () => {
    const { client, socket } = await connected();
    const standing = client.readStanding("global");
    client.close();
    await assert.rejects(standing, /closed by the caller/);
    assert.deepEqual(socket.closedBy, { code: 1000, reason: "client closed" });

    const off = await connected({ reconnect: false });
    const closed: ClientClosedError[] = [];
    off.client.on("closed", (error) => closed.push(error));
    off.socket.drop({ code: 1006, reason: "network" });
    assert.match(closed[0]?.message ?? "", /reconnection is off/);
  });
});

describe("heartbeat", () => {
  test("pings after a quiet interval, measures the round trip, and reconnects when an answer never comes", async () => {
    const { client, socket, clock, adapter } = await connected({ heartbeatIntervalMs: 1_000, answerTimeoutMs: 3_000 });
    await clock.advance(1_000);
    const ping = socket.last();
    assert.equal(kindOf(ping.request), "ping");
    await clock.advance(40);
    socket.reply(ping.id, { pong: { client_time_ms: clock.now() - 40, server_time_ms: clock.now() + 500 } });
    await flush();
    assert.equal(client.rttMs, 40);
    assert.equal(client.serverClockOffsetMs, 520);
    // The next ping goes unanswered: the connection is declared dead 3 s after it was written (checked
    // every 250 ms), then replaced.
    const pings = socket.requests("ping").length;
    while (socket.requests("ping").length === pings) await clock.advance(250);
    const last = socket.last().request;
    assert.ok(typeof last === "object" && "ping" in last);
    const writtenAt = last.ping.client_time_ms;
    await clock.advance(writtenAt + 2_999 - clock.now());
    assert.equal(socket.ended, false);
    await clock.advance(250);
    assert.ok(socket.ended, "no pong for 3 s: the connection is dead");
    await clock.advance(1_000);
    assert.equal(adapter.sockets.length, 2);
  });
});

describe("notifications", () => {
  test("each id is emitted once, across redeliveries and reconnects, until acknowledged", async () => {
    const { client, socket, clock, adapter } = await connected();
    const seen: NotificationEvent[] = [];
    client.on("notification", (event) => seen.push(event));
    socket.receive({ push: { notification: notification("5-0") } });
    socket.receive({ push: { notification: notification("5-0") } });
    socket.receive({ push: { notification: notification("6-1") } });
    assert.deepEqual(
      seen.map((event) => event.notification.id),
      ["5-0", "6-1"],
    );
    socket.drop({ code: 1006, reason: "network" });
    await clock.advance(1_000);
    const next = adapter.current;
    next.accept();
    const hello = next.last().request;
    assert.ok(typeof hello === "object" && "hello" in hello && hello.hello.last_notification === "6-1");
    next.welcome();
    next.receive({ push: { notification: notification("5-0") } });
    next.receive({ push: { notification: notification("7-0") } });
    assert.deepEqual(
      seen.map((event) => event.notification.id),
      ["5-0", "6-1", "7-0"],
    );
    const ack = seen[1]?.ack();
    assert.deepEqual(next.last().request, { ack_notifications: { up_to: "6-1" } });
    next.reply(next.last().id, { acked: { up_to: "6-1" } });
    assert.equal(await ack, "6-1");
    const before = next.frames().length;
    assert.equal(await seen[0]?.ack(), "5-0", "already covered: nothing sent");
    assert.equal(next.frames().length, before);
    next.receive({ push: { notification: notification("6-1") } });
    next.receive({ push: { notification: notification("6-2") } });
    assert.deepEqual(
      seen.map((event) => event.notification.id),
      ["5-0", "6-1", "7-0", "6-2"],
    );
  });

  test("after a welcome the client pages through the inbox", async () => {
    const h = harness({ catchUpNotifications: true });
    const seen: string[] = [];
    h.client.on("notification", (event) => seen.push(event.notification.id));
    void h.client.connect();
    const socket = await welcome(h);
    const first = socket.last();
    assert.deepEqual(first.request, { list_notifications: { after: null, limit: 100 } });
    socket.reply(first.id, {
      notifications: { notifications: [notification("1-0"), notification("2-0")], more: true },
    });
    await flush();
    const second = socket.last();
    assert.deepEqual(second.request, { list_notifications: { after: "2-0", limit: 100 } });
    socket.reply(second.id, { notifications: { notifications: [notification("3-0")], more: false } });
    await flush();
    assert.deepEqual(seen, ["1-0", "2-0", "3-0"]);
    assert.equal(socket.frames().length, 3);
  });
});
