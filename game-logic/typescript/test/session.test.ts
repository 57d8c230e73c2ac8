/** The session and replay APIs: scoring, bonuses, refusals, the timing model, resuming and forking. */

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  GameSession,
  type Jump,
  type JumpOutcome,
  ReplayError,
  Ruleset,
  SessionError,
  V1,
  distance,
  distanceToNext,
  flightMs,
  moved,
  pressForDistance,
  replay,
  replaySession,
  replayWithin,
  specialBonus,
} from "../src/index.js";

const DWELL = 300;

/** The press that lands `offset` mu beyond the next platform's centre (as near as a whole ms allows). */
function aimed(session: GameSession, offset = 0, dwell = DWELL): Jump {
  return { press_ms: pressForDistance(V1, distanceToNext(session.world) + offset), dwell_ms: dwell };
}

function centre(session: GameSession): JumpOutcome {
  return session.apply(aimed(session));
}

test("a new run starts on the origin with the first platform ahead, from a bigint or a string seed", () => {
  const session = new GameSession(5n, Ruleset.V1);
  assert.deepEqual(session.world.figure, { x: 0, z: 0 });
  assert.equal(session.world.current.radius, V1.startRadius);
  assert.deepEqual(session.world.next.centre, { x: 20_000, z: 0 });
  assert.equal(session.world.direction, "right");
  assert.deepEqual([session.score, session.combo, session.jumps, session.isOver], [0, 0, 0, false]);
  assert.deepEqual(new GameSession("5", Ruleset.V1).world, session.world);
  assert.throws(() => new GameSession("-5", Ruleset.V1), RangeError);
});

test("consecutive centre hits score 2, 4, 6, ... up to the cap of 32", () => {
  const session = new GameSession(1n, Ruleset.V1);
  const points = Array.from({ length: 20 }, () => centre(session).points);
  assert.deepEqual(points, Array.from({ length: 20 }, (_, i) => Math.min(2 * (i + 1), 32)));
  assert.equal(session.combo, 20);
  assert.equal(session.summary().best_combo, 20);
});

test("a normal landing scores one and resets the combo; best_combo keeps the longest", () => {
  const session = new GameSession(2n, Ruleset.V1);
  centre(session);
  centre(session);
  const outcome = session.apply(aimed(session, Math.trunc(session.world.next.radius / 2)));
  assert.deepEqual([outcome.landing, outcome.points, outcome.combo, outcome.score], ["landed", 1, 0, 7]);
  assert.equal(centre(session).points, 2);
  assert.deepEqual([session.combo, session.summary().best_combo], [1, 2]);
});

test("a short hop stays on the platform without points, one hop closer to the next", () => {
  const session = new GameSession(3n, Ruleset.V1);
  centre(session);
  const before = session.world;
  const outcome = session.apply({ press_ms: V1.minPressMs, dwell_ms: DWELL });
  assert.deepEqual([outcome.landing, outcome.points, outcome.combo, outcome.game_over], ["stayed", 0, 0, false]);
  assert.deepEqual(outcome.world.next, before.next);
  const hop = distance(V1, V1.minPressMs);
  assert.deepEqual(outcome.world.figure, moved(before.figure, before.direction, hop));
  assert.equal(distanceToNext(session.world), distanceToNext(before) - hop);
  assert.notEqual(before.figure, session.world.figure, "the earlier world snapshot is unchanged");
});

test("missing both platforms ends the run, and nothing is accepted after", () => {
  const session = new GameSession(4n, Ruleset.V1);
  const outcome = session.apply({ press_ms: V1.maxPressMs, dwell_ms: DWELL });
  assert.equal(outcome.landing, "fell");
  assert.ok(outcome.game_over && session.isOver && session.summary().ended);
  assert.throws(
    () => session.apply(aimed(session)),
    (error: unknown) =>
      error instanceof SessionError &&
      error.refusal.kind === "run_over" &&
      error.message === "the run is over: no jump is accepted after the jump that ended it",
  );
});

test("an impossible jump is refused with Rust's words and changes nothing", () => {
  const session = new GameSession(6n, Ruleset.V1);
  const before = session.summary();
  const refusals: [Jump, string][] = [
    [{ press_ms: 19, dwell_ms: DWELL }, "impossible jump: press of 19 ms is shorter than the minimum 20 ms"],
    [{ press_ms: 10_001, dwell_ms: DWELL }, "impossible jump: press of 10001 ms is longer than the maximum 10000 ms"],
    [{ press_ms: 500, dwell_ms: 99 }, "impossible jump: dwell of 99 ms is shorter than the minimum 100 ms"],
    [{ press_ms: 500, dwell_ms: 600_001 }, "impossible jump: dwell of 600001 ms is longer than the maximum 600000 ms"],
  ];
  for (const [jump, message] of refusals) {
    assert.throws(() => session.apply(jump), (error: unknown) => error instanceof SessionError && error.message === message);
  }
  for (const broken of [{ press_ms: 500.5, dwell_ms: DWELL }, { press_ms: Number.NaN, dwell_ms: DWELL }, { press_ms: 500, dwell_ms: -1 }]) {
    assert.throws(() => session.apply(broken), RangeError);
  }
  assert.deepEqual(session.summary(), before);
});

/** A run of five centre hits from seed 7, standing on platform 5, which is special. */
function onFirstSpecial(): GameSession {
  const session = new GameSession(7n, Ruleset.V1);
  for (let i = 0; i < 5; i++) {
    assert.equal(session.world.bonus_available, false);
    centre(session);
  }
  assert.notEqual(session.world.current.special, null, "platform 5 is special");
  assert.equal(session.world.bonus_available, true);
  return session;
}

test("waiting on a special platform earns its bonus once; an impatient hop keeps it available", () => {
  const session = onFirstSpecial();
  const kind = session.world.current.special!;
  const hop = session.apply({ press_ms: V1.minPressMs, dwell_ms: V1.bonusDwellMs - 1 });
  assert.deepEqual([hop.landing, hop.bonus, hop.world.bonus_available], ["stayed", 0, true]);
  const scoreBefore = session.score;
  const outcome = session.apply(aimed(session, 0, V1.bonusDwellMs));
  assert.equal(outcome.bonus, specialBonus(kind));
  assert.equal(outcome.score, scoreBefore + outcome.points + specialBonus(kind));
  assert.equal(outcome.world.bonus_available, false);
});

test("a hop with a long enough dwell earns the bonus and spends it", () => {
  const session = onFirstSpecial();
  const kind = session.world.current.special!;
  const hop = session.apply({ press_ms: V1.minPressMs, dwell_ms: V1.bonusDwellMs });
  assert.deepEqual([hop.landing, hop.bonus, hop.points, hop.world.bonus_available], ["stayed", specialBonus(kind), 0, false]);
  const next = session.apply(aimed(session, 0, V1.bonusDwellMs));
  assert.equal(next.bonus, 0, "spent by the hop");
});

test("the bonus is paid even when the jump then ends the run", () => {
  const session = onFirstSpecial();
  const kind = session.world.current.special!;
  const scoreBefore = session.score;
  const outcome = session.apply({ press_ms: V1.maxPressMs, dwell_ms: V1.bonusDwellMs });
  assert.ok(outcome.game_over);
  assert.equal(outcome.score, scoreBefore + specialBonus(kind));
});

test("interval and duration follow the timing model", () => {
  const session = new GameSession(8n, Ruleset.V1);
  const first = aimed(session);
  assert.equal(session.minIntervalMs(first), first.dwell_ms + first.press_ms);
  session.apply(first);
  const second = aimed(session);
  const flight = flightMs(V1, first.press_ms);
  assert.equal(session.minIntervalMs(second), flight + V1.settleMs + second.dwell_ms + second.press_ms);
  assert.equal(session.minDurationMs, first.dwell_ms + first.press_ms + V1.settleMs + flight);
});

test("replay, replaySession and replayWithin agree with step-by-step play and name the first bad input", () => {
  const session = new GameSession(9n, Ruleset.V1);
  const inputs: Jump[] = [];
  for (let i = 0; i < 30; i++) {
    const jump = aimed(session, i % 4 === 0 ? 1_500 : 0);
    inputs.push(jump);
    session.apply(jump);
  }
  assert.deepEqual(replay(9n, Ruleset.V1, inputs), session.summary());
  const resumed = replaySession("9", Ruleset.V1, inputs);
  assert.deepEqual(resumed.world, session.world);
  assert.deepEqual(resumed.apply(aimed(resumed)), session.apply(aimed(session)));

  const elapsed = session.minDurationMs;
  assert.equal(replayWithin(9n, Ruleset.V1, inputs, elapsed - 1 + 1_000).score, replay(9n, Ruleset.V1, inputs).score);
  const slow = replay(9n, Ruleset.V1, inputs).min_duration_ms;
  assert.throws(
    () => replayWithin(9n, Ruleset.V1, inputs, slow - 1),
    (error: unknown) =>
      error instanceof ReplayError &&
      error.failure.kind === "too_fast" &&
      error.message === `the run needs at least ${slow} ms but only ${slow - 1} ms passed`,
  );
  const broken = [...inputs.slice(0, 3), { press_ms: 3, dwell_ms: DWELL }];
  assert.throws(
    () => replay(9n, Ruleset.V1, broken),
    (error: unknown) =>
      error instanceof ReplayError && error.message === "input 3 is impossible: press of 3 ms is shorter than the minimum 20 ms",
  );
});

test("a run holds at most 100 000 jumps: the session refuses the next, replay refuses the list up front", () => {
  const session = new GameSession(11n, Ruleset.V1);
  const inputs: Jump[] = [];
  while (session.jumps < V1.maxJumps) {
    const jump = aimed(session);
    session.apply(jump);
    inputs.push(jump);
  }
  assert.equal(session.isOver, false, "aimed play never misses");
  assert.throws(
    () => session.apply(aimed(session)),
    (error: unknown) =>
      error instanceof SessionError && error.message === "the run reached the maximum of 100000 jumps",
  );
  assert.equal(replay(11n, Ruleset.V1, inputs).jumps, V1.maxJumps);
  // Over the limit, even an invalid first input is not looked at: the size is checked first, as in Rust.
  const tooMany = [{ press_ms: 1, dwell_ms: 1 }, ...inputs];
  assert.throws(
    () => replay(11n, Ruleset.V1, tooMany),
    (error: unknown) =>
      error instanceof ReplayError && error.message === "100001 inputs exceed the ruleset's maximum of 100000 jumps",
  );
});

test("a clone is an independent copy: jumps on it leave the original as it was", () => {
  const session = new GameSession(12n, Ruleset.V1);
  centre(session);
  const fork = session.clone();
  const onFork = centre(fork);
  assert.equal(session.jumps, 1);
  assert.deepEqual(centre(session), onFork);
  assert.deepEqual(session.summary(), fork.summary());
});

test("unknown rulesets are refused with Rust's words", () => {
  assert.equal(Ruleset.fromVersion(1), Ruleset.V1);
  assert.throws(() => Ruleset.fromVersion(2), { message: "unknown ruleset version 2: this build knows versions 1" });
});
