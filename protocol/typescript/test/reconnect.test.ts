/**
 * The reconnection policy on its own: the backoff delays and what each kind of close means; and the small
 * pieces the client builds on (the notification ledger, the event emitter).
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Emitter } from "../src/events.js";
import { NotificationLedger } from "../src/notifications.js";
import { DEFAULT_RECONNECT, backoffDelayMs, judgeClose } from "../src/reconnect.js";

describe("backoff", () => {
  test("doubles its cap per attempt up to the maximum, waiting half the cap plus a random half", () => {
    const options = { ...DEFAULT_RECONNECT, initialDelayMs: 100, maxDelayMs: 1_000 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10].map((attempt) => backoffDelayMs(attempt, options, () => 0)),
      [50, 100, 200, 400, 500, 500],
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10].map((attempt) => backoffDelayMs(attempt, options, () => 0.999_999)),
      [100, 200, 400, 800, 1_000, 1_000],
    );
  });

  test("spreads clients that drop together", () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16_807) % 2_147_483_647) - 1) / 2_147_483_646;
    const delays = new Set(Array.from({ length: 100 }, () => backoffDelayMs(3, DEFAULT_RECONNECT, random)));
    assert.ok(delays.size > 90);
    for (const delay of delays) assert.ok(delay >= 1_000 && delay <= 2_000);
  });
});

describe("what a close means", () => {
  test("replaced by another login stops, whichever way the server says it", () => {
    assert.equal(judgeClose({ code: 4000, reason: "replaced" }, null).action, "stop");
    assert.equal(
      judgeClose({ code: 1000, reason: "" }, { reason: "replaced_by_new_login", reconnect_after_ms: 0 }).action,
      "stop",
    );
  });

  test("a refused or expired token renews it", () => {
    assert.equal(judgeClose({ code: 1006, reason: "", httpStatus: 401 }, null).action, "renew_token");
    assert.equal(
      judgeClose({ code: 1008, reason: "token expired" }, { reason: "token_expired", reconnect_after_ms: 0 }).action,
      "renew_token",
    );
    assert.equal(judgeClose({ code: 1008, reason: "policy" }, null).action, "renew_token");
  });

  test("a refused handshake (400) stops; the rest reconnects, not before the goodbye's delay", () => {
    assert.equal(
      judgeClose({ code: 1006, reason: "unsupported protocol version", httpStatus: 400 }, null).action,
      "stop",
    );
    assert.deepEqual(
      judgeClose({ code: 1008, reason: "too many messages" }, { reason: "rate_limited", reconnect_after_ms: 10_000 }),
      {
        action: "reconnect",
        notBeforeMs: 10_000,
      },
    );
    for (const code of [1001, 1006, 1009, 1011, 4001, 4002, 4003]) {
      assert.equal(judgeClose({ code, reason: "" }, null).action, "reconnect", String(code));
    }
    assert.equal(judgeClose({ code: 1006, reason: "", httpStatus: 503 }, null).action, "reconnect");
  });
});

describe("notification ledger", () => {
  test("admits each id once and nothing at or below the acknowledged mark", () => {
    const ledger = new NotificationLedger();
    assert.equal(ledger.admit("5-0"), true);
    assert.equal(ledger.admit("5-0"), false);
    assert.equal(ledger.admit("3-9"), true);
    assert.equal(ledger.newest, "5-0");
    ledger.acked("5-0");
    assert.equal(ledger.admit("4-0"), false);
    assert.equal(ledger.admit("5-1"), true);
    ledger.acked("4-0");
    assert.equal(ledger.isAcked("5-0"), true, "an older ack does not move the mark back");
  });

  test("remembers a bounded number of ids", () => {
    const ledger = new NotificationLedger();
    for (let i = 0; i < 5_000; i++) assert.equal(ledger.admit(`${i}-0`), true);
    assert.equal(ledger.admit("4999-0"), false);
  });
});

describe("emitter", () => {
  test("calls listeners in order, once for once, and keeps going past a listener that throws", () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<{ tick: number }>((error) => errors.push(error));
    const seen: string[] = [];
    emitter.on("tick", (n) => seen.push(`a${n}`));
    emitter.on("tick", () => {
      throw new Error("listener bug");
    });
    emitter.once("tick", (n) => seen.push(`once${n}`));
    const remove = emitter.on("tick", (n) => seen.push(`c${n}`));
    emitter.emit("tick", 1);
    remove();
    emitter.emit("tick", 2);
    assert.deepEqual(seen, ["a1", "once1", "c1", "a2"]);
    assert.equal(errors.length, 2);
    assert.equal(emitter.listenerCount("tick"), 2);
  });
});
