/** The page's reducer and the words it shows. */

import assert from "node:assert/strict";
import { test } from "node:test";

import type { Notification, RunOver } from "leapfrog-client";

import { type AppState, INITIAL, bestsLine, challengeLink, describe, nameOf, rankLine, reduce } from "../src/state/app.js";

function note(id: string, event: Notification["event"]): Notification {
  return { id, created_ms: Number(id.split("-")[0]), event };
}

const passed = note("1000-0", {
  friend_passed: { friend: "alice", name: "Alice", their_score: 12, your_score: 2, board: { period: "weekly", scope: "friends" } },
});
const asked = note("900-1", { friend_request_received: { from: "carol", name: null } });

test("the inbox keeps each notification once, in id order, until acknowledged", () => {
  let state: AppState = INITIAL;
  state = reduce(state, { type: "notified", notification: passed });
  state = reduce(state, { type: "notified", notification: asked });
  const again = reduce(state, { type: "notified", notification: passed });
  assert.equal(again, state, "a repeated id changes nothing");
  assert.deepEqual(state.inbox.map((n) => n.id), ["900-1", "1000-0"]);
  state = reduce(state, { type: "acked", upTo: "900-1" });
  assert.deepEqual(state.inbox.map((n) => n.id), ["1000-0"]);
  state = reduce(state, { type: "acked", upTo: "1000-0" });
  assert.deepEqual(state.inbox, []);
});

test("players are named by display name, or by id without one", () => {
  assert.equal(describe(passed.event), "Alice passed you with 12 (your best: 2)");
  assert.equal(describe(asked.event), "carol wants to be friends");
  assert.equal(nameOf("bob", null), "bob");
  assert.equal(nameOf("bob", "  "), "bob");
  assert.equal(
    describe({ friends_passed_summary: { count: 7, names: ["A", "B"], best_score: 40, your_score: 3, board: { period: "weekly", scope: "friends" } } }),
    "A, B passed you too and 5 more (best 40)",
  );
});

test("toasts keep the newest few; a board of another period is dropped", () => {
  let state: AppState = INITIAL;
  for (let id = 1; id <= 5; id++) state = reduce(state, { type: "toast", id, text: `t${id}` });
  assert.deepEqual(state.toasts.map((t) => t.id), [3, 4, 5]);
  state = reduce(state, { type: "untoast", id: 4 });
  assert.deepEqual(state.toasts.map((t) => t.id), [3, 5]);
  state = reduce(state, { type: "period", period: "daily" });
  const page = { board: { period: "weekly", scope: "global" }, period_id: "w", entries: [], total: 0 } as const;
  assert.equal(reduce(state, { type: "board", page }), state);
  const today = reduce(state, { type: "board", page: { ...page, board: { period: "daily", scope: "global" } } });
  assert.equal(today.globalBoard?.board.period, "daily");
});

test("playing closes the open panel; a welcome keeps a name already known", () => {
  let state = reduce(INITIAL, { type: "panel", panel: "boards" });
  state = reduce(state, { type: "screen", screen: "playing" });
  assert.equal(state.panel, null);
  state = reduce(reduce(state, { type: "welcomed", player: "bob" }), { type: "name", name: "Bob" });
  assert.deepEqual(reduce(state, { type: "welcomed", player: "bob" }).me, { player: "bob", name: "Bob" });
});

test("the run-over lines: ranks before and after, new bests, the challenge link", () => {
  const over: RunOver = {
    run_id: "00",
    seed: "1",
    final_score: 9,
    new_best: { daily: true, weekly: true, all_time: false },
    passed: [],
    passed_count: 0,
    friend_rank_before: 3,
    friend_rank_after: 1,
  };
  assert.equal(rankLine(over), "Rank among friends this week: #3 → #1");
  assert.equal(rankLine({ ...over, friend_rank_before: null }), "Rank among friends this week: #1");
  assert.equal(rankLine({ ...over, friend_rank_after: null }), null);
  assert.equal(bestsLine(over), "New best: today, this week");
  assert.equal(bestsLine({ ...over, new_best: { daily: false, weekly: false, all_time: false } }), "");
  const challenge = { challenge: "ab".repeat(16), owner: "a", owner_name: null, owner_score: 1, seed: "1", ruleset: 1, expires_at_ms: 0 };
  assert.equal(challengeLink("http://x:1", challenge), `http://x:1/?challenge=${"ab".repeat(16)}`);
});
