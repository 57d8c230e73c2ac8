/**
 * The live suite: the client against a real Leapfrog node and a real Redis, over loopback, in both codecs.
 * Runs are played with `Run`, paced by the timing model against the server's live timing check (left on, at
 * its default tolerance); only the rate limit is lifted.
 *
 * - Two players become friends (request, then accept), play, one passes the other, who gets `friend_passed`.
 * - A connection cut mid-run (a jump applied but its answer lost, a jump lost on the way, the run-ending
 *   jump's answer lost) resumes transparently, and the run ends with the right score on the boards.
 * - A player offline while passed catches up on reconnect, acknowledges, and is not told again.
 * - The token in a header, in the URL, in `hello`; a refused token stops the client.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { GameSession, Ruleset, V1, distanceToNext, pressForDistance } from "leapfrog-rules";

import { type ClientOptions, LeapfrogClient, type NotificationEvent } from "../../src/client.js";
import type { CodecName } from "../../src/codec/index.js";
import { ClientClosedError } from "../../src/errors.js";
import type { Event, Jump, JumpResult, RunEnd, RunOver } from "../../src/generated/messages.js";
import { nodeSocket } from "../../src/node.js";
import { Run } from "../../src/run.js";
import { LiveRedis, LiveServer, NO_RATE_LIMIT, serverBinary, waitFor } from "./support/live.js";
import { CuttingProxy } from "./support/proxy.js";

const CODECS: readonly CodecName[] = ["bincode", "json"];
const TEST_TIMEOUT = { timeout: 60_000 };

let redis: LiveRedis;
let server: LiveServer;
const clients: LeapfrogClient[] = [];

before(async () => {
  serverBinary();
  redis = await LiveRedis.start();
  server = await LiveServer.start(redis, NO_RATE_LIMIT);
});

after(async () => {
  for (const client of clients) client.close();
  await server?.stop();
  await redis?.stop();
});

/** A connected player, recording its notifications. */
class Player {
  readonly notifications: NotificationEvent[] = [];

  private constructor(
    readonly id: string,
    readonly client: LeapfrogClient,
  ) {
    client.on("notification", (event) => this.notifications.push(event));
  }

  static async connect(id: string, codec: CodecName, options: Partial<ClientOptions> = {}): Promise<Player> {
    const token = await server.token(id);
    const client = new LeapfrogClient({
      url: server.url,
      token,
      socket: nodeSocket(),
      codec,
      clientVersion: "live-test/1",
      ...options,
    });
    clients.push(client);
    const player = new Player(id, client);
    const welcome = await client.connect();
    assert.equal(welcome.player, id);
    return player;
  }

  /** Waits (at most 10 s) for a notification whose event is `kind`, and returns it. */
  async notified<K extends string>(
    kind: K,
  ): Promise<NotificationEvent & { readonly event: Extract<Event, Record<K, unknown>> }> {
    let found: NotificationEvent | undefined;
    await waitFor(`${this.id}'s ${kind} notification`, 10_000, () => {
      found = this.notifications.find(
        (event) => typeof event.notification.event === "object" && kind in event.notification.event,
      );
      return found !== undefined;
    });
    const event = found as NotificationEvent;
    return { ...event, event: event.notification.event as Extract<Event, Record<K, unknown>> };
  }
}

/** The jump that lands on the next platform's centre. */
function aimed(session: GameSession): Jump {
  return { press_ms: pressForDistance(V1, distanceToNext(session.world)), dwell_ms: 100 };
}

/** The shortest press that ends the run from here. */
function falling(session: GameSession): Jump {
  for (let press = V1.minPressMs; ; press += 10) {
    const jump = { press_ms: press, dwell_ms: 100 };
    if (session.clone().apply(jump).game_over) return jump;
  }
}

/** Plays a run of `centreHits` centre hits then a fall, checking every confirmation against the prediction. */
async function play(player: Player, centreHits: number): Promise<{ run: Run; last: JumpResult; score: number }> {
  const run = await Run.start(player.client);
  const shadow = new GameSession(run.seed, Ruleset.V1);
  let last: JumpResult | undefined;
  for (let i = 0; i <= centreHits; i++) {
    const jump = i < centreHits ? aimed(shadow) : falling(shadow);
    const expected = shadow.apply(jump);
    const ticket = run.jump(jump);
    assert.deepEqual(ticket.predicted, expected);
    last = await ticket.confirmed;
    assert.deepEqual(last.outcome, expected);
  }
  assert.ok(last?.outcome.game_over && run.isOver);
  return { run, last, score: shadow.score };
}

function over(end: RunEnd | null): RunOver {
  assert.ok(end !== null && "over" in end, `expected the run recorded, got ${JSON.stringify(end)}`);
  return end.over;
}

/** Score of `centreHits` centre hits then a fall: 2 + 4 + ... */
const scoreOf = (centreHits: number) =>
  Array.from({ length: centreHits }, (_, i) => 2 * (i + 1)).reduce((a, b) => a + b, 0);

for (const codec of CODECS) {
  describe(`live, ${codec}`, () => {
    test("two players become friends, play, one passes the other, who is told", TEST_TIMEOUT, async () => {
      const alice = await Player.connect(`alice-${codec}`, codec);
      const bob = await Player.connect(`bob-${codec}`, codec);
      assert.equal(await alice.client.sendFriendRequest(bob.id), "request_sent");
      const asked = await bob.notified("friend_request_received");
      assert.equal(asked.event.friend_request_received.from, alice.id);
      await asked.ack();
      assert.equal(await bob.client.acceptFriendRequest(alice.id), "became_friends");
      const accepted = await alice.notified("friend_request_accepted");
      assert.equal(accepted.event.friend_request_accepted.by, bob.id);
      await accepted.ack();
      assert.equal((await alice.client.listFriends()).friends[0]?.player, bob.id);

      const bobs = await play(bob, 1);
      assert.equal(over(bobs.last.ended).final_score, scoreOf(1));
      const alices = await play(alice, 2);
      const result = over(alices.last.ended);
      assert.equal(result.final_score, scoreOf(2));
      assert.deepEqual(result.passed, [{ player: bob.id, name: null, score: scoreOf(1) }]);
      assert.equal(result.friend_rank_after, 1);

      const passed = await bob.notified("friend_passed");
      assert.deepEqual(passed.event.friend_passed, {
        friend: alice.id,
        name: null,
        their_score: scoreOf(2),
        your_score: scoreOf(1),
        board: { period: "weekly", scope: "friends" },
      });
      assert.equal(await passed.ack(), passed.notification.id);
      const board = await bob.client.readBoard(
        { period: "weekly", scope: "friends" },
        { top: { limit: 10, after: null } },
      );
      assert.deepEqual(
        board.entries.map((entry) => [entry.player, entry.score]),
        [
          [alice.id, scoreOf(2)],
          [bob.id, scoreOf(1)],
        ],
      );
    });

    test(
      "a connection cut mid-run resumes transparently and the run ends with the right score",
      TEST_TIMEOUT,
      async () => {
        const proxy = await CuttingProxy.start(server.port);
        try {
          const id = `carol-${codec}`;
          const token = await server.token(id);
          const client = new LeapfrogClient({
            url: proxy.url,
            token,
            socket: nodeSocket(),
            codec,
            heartbeatIntervalMs: 60_000,
          });
          clients.push(client);
          const drops: number[] = [];
          client.on("disconnected", (event) => drops.push(event.code));
          const resumedAt: (number | null)[] = [];
          client.on("welcome", (welcome) => resumedAt.push(welcome.resumed?.next_seq ?? null));
          await client.connect();
          const run = await Run.start(client);
          const overs: (RunEnd | null)[] = [];
          run.on("over", (end) => overs.push(end));
          const shadow = new GameSession(run.seed, Ruleset.V1);
          const confirmed: JumpResult[] = [];
          const step = async (jump: Jump, cut: "before_forwarding" | "after_forwarding" | null) => {
            const expected = shadow.apply(jump);
            const cutting = cut === null ? null : proxy.cutAtNextWrite(cut);
            const ticket = run.jump(jump);
            await cutting;
            const result = await ticket.confirmed;
            assert.deepEqual(result.outcome, expected);
            confirmed.push(result);
          };
          await step(aimed(shadow), null);
          // Applied by the server, its answer lost: confirmed from the resumed state.
          await step(aimed(shadow), "after_forwarding");
          // Lost on the way: sent again on the new connection.
          await step(aimed(shadow), "before_forwarding");
          // The jump that ends the run, its answer lost: resent, it is answered again, figures included.
          await step(falling(shadow), "after_forwarding");
          assert.deepEqual(drops, [1006, 1006, 1006]);
          // Where each reconnection found the run: jump 1 applied, jump 2 not, jump 3 ended it.
          assert.deepEqual(resumedAt, [null, 2, 2, null]);
          assert.deepEqual(
            confirmed.map((result) => result.outcome.index),
            [0, 1, 2, 3],
          );
          assert.equal(overs.length, 1);
          assert.equal(over(overs[0] ?? null).final_score, scoreOf(3));
          assert.equal(run.confirmedJumps, 4);
          assert.equal(client.state, "open");
          const standing = await client.readStanding("global");
          assert.ok(
            standing.placements.every((placement) => placement.score === shadow.score && shadow.score === scoreOf(3)),
          );
        } finally {
          await proxy.stop();
        }
      },
    );
  });
}

describe("live, catching up", () => {
  test(
    "a player offline while passed is told on reconnect, acknowledges, and is not told again",
    TEST_TIMEOUT,
    async () => {
      const dave = await Player.connect("dave", "json");
      let erin = await Player.connect("erin", "bincode");
      assert.equal(await dave.client.sendFriendRequest("erin"), "request_sent");
      assert.equal(await erin.client.acceptFriendRequest("dave"), "became_friends");
      await play(erin, 1);
      erin.client.close();

      await play(dave, 2);
      erin = await Player.connect("erin", "json");
      const passed = await erin.notified("friend_passed");
      assert.equal(passed.event.friend_passed.friend, "dave");
      // Everything erin was told (the request too) is acknowledged at once: acks are cumulative.
      const newest = erin.notifications
        .map((event) => event.notification.id)
        .sort()
        .at(-1) as string;
      const ids = new Set(erin.notifications.map((event) => event.notification.id));
      assert.equal(ids.size, erin.notifications.length, "each notification emitted once");
      await erin.client.ackNotifications(newest);
      erin.client.close();

      erin = await Player.connect("erin", "bincode");
      const inbox = await erin.client.listNotifications();
      assert.deepEqual(inbox, { notifications: [], more: false });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(erin.notifications, []);
    },
  );
});

describe("live, tokens", () => {
  for (const tokenIn of ["header", "query", "hello"] as const) {
    test(`the token in the ${tokenIn}`, TEST_TIMEOUT, async () => {
      const player = await Player.connect(`frank-${tokenIn}`, "json", { tokenIn });
      assert.equal((await player.client.readStanding("global")).placements.length, 3);
    });
  }

  test("a refused token stops a client that cannot renew it", TEST_TIMEOUT, async () => {
    const client = new LeapfrogClient({ url: server.url, token: "not-a-token", socket: nodeSocket() });
    clients.push(client);
    await assert.rejects(
      client.connect(),
      (error: unknown) => error instanceof ClientClosedError && /refused the token/.test(error.message),
    );
  });
});
