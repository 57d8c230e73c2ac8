/**
 * `Run` against a fake socket and a manual clock, the server's side simulated with leapfrog-rules: prediction
 * and confirmation, pacing by the timing model, disagreements, refusals, and drops at every point of a jump.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { GameSession, Ruleset, V1, distanceToNext, pressForDistance } from "leapfrog-rules";

import { RunDisagreementError, ServerError } from "../src/errors.js";
import type { JumpOutcome, JumpResult, Jump, RunEnd, World } from "../src/generated/messages.js";
import { Run } from "../src/run.js";
import { type FakeSocket, flush } from "./support/fake.js";
import { type Harness, connected, harness } from "./support/setup.js";

const RUN = "0123456789abcdef0123456789abcdef";
const SEED = "42";

/** The centre of the next platform, with a short dwell. */
function aimed(session: GameSession): Jump {
  return { press_ms: pressForDistance(V1, distanceToNext(session.world)), dwell_ms: 300 };
}

/** A jump that ends the run (far too long). */
const FALL: Jump = { press_ms: 3_000, dwell_ms: 300 };

/** Starts a run: the server's side is `server`, a session on the same seed. */
async function startRun(h: Harness & { socket: FakeSocket }): Promise<{ run: Run; server: GameSession }> {
  const server = new GameSession(SEED, Ruleset.V1);
  const starting = Run.start(h.client);
  await flush();
  h.socket.reply(h.socket.last().id, { run_started: { run_id: RUN, seed: SEED, ruleset: 1, world: server.world } });
  return { run: await starting, server };
}

/** The jump requests written on `socket`. */
function jumps(socket: FakeSocket) {
  return socket.requests("jump").map((frame) => {
    assert.ok(typeof frame.request === "object" && "jump" in frame.request);
    return { id: frame.id, ...frame.request.jump };
  });
}

function ended(outcome: JumpOutcome, finalScore: number): RunEnd | null {
  return outcome.game_over ? { pending: { run_id: RUN, final_score: finalScore } } : null;
}

/** Answers the jump request `id` as the server would, from `server`. */
function answer(socket: FakeSocket, server: GameSession, id: number, jump: Jump): JumpResult {
  const outcome = server.apply(jump);
  const result: JumpResult = { outcome, ended: ended(outcome, server.score) };
  socket.reply(id, { jump_result: result });
  return result;
}

describe("Run", () => {
  test("predicts at once, sends when the timing model allows, and confirms the same outcome", async () => {
    const h = await connected();
    const { run, server } = await startRun(h);
    const first = aimed(new GameSession(SEED, Ruleset.V1));
    const predictions: JumpOutcome[] = [];
    run.on("predicted", (outcome) => predictions.push(outcome));
    const ticket = run.jump(first);
    assert.deepEqual(predictions, [ticket.predicted]);
    assert.equal(ticket.predicted.landing, "centre");
    assert.equal(run.score, ticket.predicted.score);
    // The first jump cannot be released before dwell + press since the start.
    await h.clock.advance(first.dwell_ms + first.press_ms - 1);
    assert.equal(jumps(h.socket).length, 0);
    await h.clock.advance(1);
    const [sent] = jumps(h.socket);
    assert.deepEqual(sent && { seq: sent.seq, press_ms: sent.press_ms, dwell_ms: sent.dwell_ms, run_id: sent.run_id }, {
      seq: 0,
      ...first,
      run_id: RUN,
    });
    const result = answer(h.socket, server, sent?.id as number, first);
    assert.deepEqual(await ticket.confirmed, result);
    assert.equal(run.confirmedJumps, 1);
  });

  test("paces the next jump by the least interval after the previous one", async () => {
    const h = await connected();
    const { run, server } = await startRun(h);
    const local = new GameSession(SEED, Ruleset.V1);
    const first = aimed(local);
    local.apply(first);
    const second = aimed(local);
    const interval = local.minIntervalMs(second);
    const a = run.jump(first);
    const b = run.jump(second);
    await h.clock.advance(first.dwell_ms + first.press_ms);
    const firstSentAt = h.clock.now();
    answer(h.socket, server, jumps(h.socket)[0]?.id as number, first);
    await a.confirmed;
    await h.clock.advance(firstSentAt + interval + 20 - 1 - h.clock.now());
    assert.equal(jumps(h.socket).length, 1, "not before the interval and the margin");
    await h.clock.advance(1);
    assert.equal(jumps(h.socket).length, 2);
    answer(h.socket, server, jumps(h.socket)[1]?.id as number, second);
    assert.equal((await b.confirmed).outcome.index, 1);
  });

  test("reports a disagreement as an event and an error, and stops predicting", async () => {
    const h = await connected();
    const { run, server } = await startRun(h);
    const jump = aimed(new GameSession(SEED, Ruleset.V1));
    const disagreements: RunDisagreementError[] = [];
    run.on("disagreement", (error) => disagreements.push(error));
    const ticket = run.jump(jump);
    await h.clock.advance(10_000);
    const outcome = server.apply(jump);
    h.socket.reply(jumps(h.socket)[0]?.id as number, {
      jump_result: { outcome: { ...outcome, score: outcome.score + 1 }, ended: null },
    });
    await assert.rejects(
      ticket.confirmed,
      (error: unknown) => error instanceof RunDisagreementError && error.seq === 0 && /score/.test(error.message),
    );
    assert.equal(disagreements.length, 1);
    assert.throws(() => run.jump(jump), RunDisagreementError);
  });

  test("refuses a start whose world differs from the local one", async () => {
    const h = await connected();
    const starting = Run.start(h.client);
    await flush();
    const world: World = { ...new GameSession(SEED, Ruleset.V1).world, direction: "left" };
    h.socket.reply(h.socket.last().id, { run_started: { run_id: RUN, seed: SEED, ruleset: 1, world } });
    await assert.rejects(starting, (error: unknown) => error instanceof RunDisagreementError && error.seq === null);
  });

  test("a refused jump rejects it and those queued after it; play resumes from the last confirmed jump", async () => {
    const h = await connected();
    const { run, server } = await startRun(h);
    const local = new GameSession(SEED, Ruleset.V1);
    const first = aimed(local);
    local.apply(first);
    const a = run.jump(first);
    const b = run.jump(aimed(local));
    await h.clock.advance(first.dwell_ms + first.press_ms);
    h.socket.receive({ error: { id: jumps(h.socket)[0]?.id as number, code: "too_fast", message: "too fast" } });
    await assert.rejects(a.confirmed, (error: unknown) => error instanceof ServerError && error.code === "too_fast");
    await assert.rejects(b.confirmed, (error: unknown) => error instanceof ServerError && error.code === "too_fast");
    assert.equal(run.jumps, 0, "the prediction is back at the last confirmed jump");
    const again = run.jump(first);
    await h.clock.advance(10_000);
    answer(h.socket, server, jumps(h.socket)[1]?.id as number, first);
    assert.equal((await again.confirmed).outcome.index, 0);
  });

  test("a retryable refusal is retried with the same seq", async () => {
    const h = await connected();
    const { run, server } = await startRun(h);
    const jump = aimed(new GameSession(SEED, Ruleset.V1));
    const ticket = run.jump(jump);
    await h.clock.advance(10_000);
    h.socket.receive({ error: { id: jumps(h.socket)[0]?.id as number, code: "unavailable", message: "redis blip" } });
    await h.clock.advance(500);
    const retried = jumps(h.socket);
    assert.equal(retried.length, 2);
    assert.equal(retried[1]?.seq, 0);
    answer(h.socket, server, retried[1]?.id as number, jump);
    assert.equal((await ticket.confirmed).outcome.index, 0);
  });

  test("a pending end is completed by the run_result push", async () => {
    const h = await connected();
    const { run, server } = await startRun(h);
    const overs: (RunEnd | null)[] = [];
    const results: number[] = [];
    run.on("over", (end) => overs.push(end));
    run.on("result", (result) => results.push(result.final_score));
    const ticket = run.jump(FALL);
    assert.ok(ticket.predicted.game_over);
    await h.clock.advance(10_000);
    answer(h.socket, server, jumps(h.socket)[0]?.id as number, FALL);
    await ticket.confirmed;
    assert.deepEqual(overs, [{ pending: { run_id: RUN, final_score: 0 } }]);
    assert.ok(run.isOver);
    const over = {
      run_id: RUN,
      seed: SEED,
      final_score: 0,
      new_best: { daily: true, weekly: true, all_time: true },
      passed: [],
      passed_count: 0,
      friend_rank_before: null,
      friend_rank_after: 1,
    };
    h.socket.receive({ push: { run_result: over } });
    assert.deepEqual(results, [0]);
    assert.deepEqual(run.ended, { over });
  });
});

describe("Run across a dropped connection", () => {
  /** Plays jump 0 up to its send, then drops the connection before the answer. */
  async function dropInFlight(jump: Jump) {
    const h = await connected();
    const { run, server } = await startRun(h);
    const confirmations: JumpResult[] = [];
    run.on("confirmed", (result) => confirmations.push(result));
    const ticket = run.jump(jump);
    await h.clock.advance(10_000);
    const sent = jumps(h.socket)[0];
    assert.ok(sent !== undefined);
    h.socket.drop({ code: 1006, reason: "network" });
    await h.clock.advance(1_000);
    const next = h.adapter.current;
    assert.notEqual(next, h.socket);
    next.accept();
    return { h, run, server, ticket, sent, next, confirmations };
  }

  test("a jump the server never got is sent again and confirmed once", async () => {
    const jump = aimed(new GameSession(SEED, Ruleset.V1));
    const { server, ticket, sent, next, confirmations } = await dropInFlight(jump);
    next.welcome({
      resumed: { run_id: RUN, seed: SEED, ruleset: 1, next_seq: 0, score: 0, combo: 0, world: server.world },
    });
    const resent = jumps(next);
    assert.deepEqual(resent, [sent]);
    const result = answer(next, server, sent.id, jump);
    assert.deepEqual(await ticket.confirmed, result);
    assert.equal(confirmations.length, 1);
  });

  test("a jump applied before the drop, its answer lost, is confirmed from the resumed state", async () => {
    const jump = aimed(new GameSession(SEED, Ruleset.V1));
    const { server, ticket, sent, next, confirmations, run } = await dropInFlight(jump);
    const outcome = server.apply(jump);
    next.welcome({
      resumed: {
        run_id: RUN,
        seed: SEED,
        ruleset: 1,
        next_seq: 1,
        score: server.score,
        combo: server.combo,
        world: server.world,
      },
    });
    assert.deepEqual(jumps(next), [sent], "sent again with the same seq");
    // A node that took the run over does not hold the answer: the retried seq is out of sequence.
    next.receive({ error: { id: sent.id, code: "conflict", message: "expected jump 1, got 0" } });
    assert.deepEqual(await ticket.confirmed, { outcome, ended: null });
    assert.equal(confirmations.length, 1);
    assert.equal(run.confirmedJumps, 1);
  });

  test("the jump that ended the run before the drop is confirmed from the prediction", async () => {
    const { ticket, sent, next, run } = await dropInFlight(FALL);
    const overs: (RunEnd | null)[] = [];
    run.on("over", (end) => overs.push(end));
    next.welcome({ resumed: null });
    next.receive({ error: { id: sent.id, code: "run_over", message: "the run is over" } });
    assert.equal((await ticket.confirmed).outcome.game_over, true);
    assert.deepEqual(overs, [null]);
  });

  test("the next jump is paced from the resend, when the server saw the jump", async () => {
    const local = new GameSession(SEED, Ruleset.V1);
    const first = aimed(local);
    local.apply(first);
    const second = aimed(local);
    const { h, run, server, ticket, sent, next } = await dropInFlight(first);
    const following = run.jump(second);
    next.welcome({
      resumed: { run_id: RUN, seed: SEED, ruleset: 1, next_seq: 0, score: 0, combo: 0, world: server.world },
    });
    const resentAt = h.clock.now();
    answer(next, server, sent.id, first);
    await ticket.confirmed;
    await h.clock.advance(resentAt + local.minIntervalMs(second) + 20 - 1 - h.clock.now());
    assert.equal(jumps(next).length, 1, "paced from the resend, not from the first send");
    await h.clock.advance(1);
    assert.equal(jumps(next).length, 2);
    answer(next, server, jumps(next)[1]?.id as number, second);
    assert.equal((await following.confirmed).outcome.index, 1);
  });

  test("a resumed state that differs from the prediction is a disagreement", async () => {
    const jump = aimed(new GameSession(SEED, Ruleset.V1));
    const { server, ticket, next } = await dropInFlight(jump);
    server.apply(jump);
    next.welcome({
      resumed: {
        run_id: RUN,
        seed: SEED,
        ruleset: 1,
        next_seq: 1,
        score: server.score + 5,
        combo: server.combo,
        world: server.world,
      },
    });
    await assert.rejects(
      ticket.confirmed,
      (error: unknown) => error instanceof RunDisagreementError && /score/.test(error.message),
    );
  });

  test("a run the server ended meanwhile rejects the jump with run_over", async () => {
    const jump = aimed(new GameSession(SEED, Ruleset.V1));
    const { ticket, sent, next, run } = await dropInFlight(jump);
    next.welcome({ resumed: null });
    next.receive({ error: { id: sent.id, code: "run_over", message: "the run is over" } });
    await assert.rejects(
      ticket.confirmed,
      (error: unknown) => error instanceof ServerError && error.code === "run_over",
    );
    assert.ok(run.isOver);
    assert.throws(() => run.jump(jump), ServerError);
  });
});

describe("Run taken up after a page reload", () => {
  /** A client that asks to resume RUN on its first connection, welcomed with `resumed`. */
  async function reloaded(server: GameSession) {
    const h = harness({ resume: RUN });
    const connecting = h.client.connect();
    await flush();
    const socket = h.adapter.current;
    socket.accept();
    const [hello] = socket.requests("hello");
    assert.ok(hello !== undefined && typeof hello.request === "object" && "hello" in hello.request);
    assert.equal(hello.request.hello.resume, RUN, "the kept run is asked for");
    const resumed = {
      run_id: RUN,
      seed: SEED,
      ruleset: 1,
      next_seq: server.jumps,
      score: server.score,
      combo: server.combo,
      world: server.world,
    };
    socket.welcome({ resumed });
    const welcomed = await connecting;
    return { h, socket, resumed: welcomed.resumed ?? assert.fail("resumed") };
  }

  test("replays the kept inputs to where the server stands and plays on, paced from the resume", async () => {
    const server = new GameSession(SEED, Ruleset.V1);
    const kept = [aimed(server)];
    server.apply(kept[0] as Jump);
    kept.push(aimed(server));
    server.apply(kept[1] as Jump);
    // A third jump was predicted before the reload but never reached the server: it is dropped.
    const { h, socket, resumed } = await reloaded(server);
    const run = Run.resume(h.client, resumed, [...kept, FALL]);
    assert.equal(run.jumps, 2);
    assert.equal(run.confirmedJumps, 2);
    assert.equal(run.score, server.score);
    const next = aimed(server);
    const ticket = run.jump(next);
    assert.equal(ticket.predicted.landing, "centre");
    // Paced as if the previous jump had just been sent: its flight and settle, then this one's dwell and press.
    const least = server.minIntervalMs(next) + 20;
    await h.clock.advance(least - 1);
    assert.equal(jumps(socket).length, 0);
    await h.clock.advance(1);
    const [sent] = jumps(socket);
    assert.equal(sent?.seq, 2);
    const result = answer(socket, server, sent?.id as number, next);
    assert.deepEqual(await ticket.confirmed, result);
  });

  test("inputs that do not lead to the resumed state are a disagreement", async () => {
    const server = new GameSession(SEED, Ruleset.V1);
    const jump = aimed(server);
    server.apply(jump);
    const { h, resumed } = await reloaded(server);
    assert.throws(() => Run.resume(h.client, resumed, []), RunDisagreementError, "too few");
    assert.throws(
      () => Run.resume(h.client, resumed, [{ press_ms: jump.press_ms + 40, dwell_ms: 300 }]),
      RunDisagreementError,
      "another landing",
    );
  });
});
