/** The PCG32 stream: the reference outputs, and a bigint oracle written from `RULES.md` on many seeds. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { Pcg32, parseSeed } from "../src/rng.js";
import { Pcg32BigInt } from "./support/pcg32-bigint.js";

test("seed 42 on stream 54 gives the PCG reference demo's outputs (RULES.md section 4)", () => {
  const rng = new Pcg32(42n, 54n);
  const outputs = Array.from({ length: 12 }, () => rng.nextU32().toString(16).padStart(8, "0"));
  assert.deepEqual(outputs, [
    "a15c02b7", "7b47f409", "ba1d3330", "83d2f293", "bfa4784b", "cbed606e",
    "bfc6a3ad", "812fff6d", "e61f305a", "f9384b90", "32db86fe", "1dc035f9",
  ]);
});

/** Seeds and streams where 64-bit carries and the 2^53 limit of doubles would show a mistake. */
const EDGE_SEEDS: readonly bigint[] = [
  0n, 1n, 42n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n,
];
const STREAMS: readonly bigint[] = [0n, 54n, 0xb07n, 2n ** 63n - 1n, 2n ** 64n - 1n];

test("the 32-bit halves match the bigint oracle, output and state, on edge seeds and streams", () => {
  for (const seed of EDGE_SEEDS) {
    for (const stream of STREAMS) {
      const fast = new Pcg32(seed, stream);
      const oracle = new Pcg32BigInt(seed, stream);
      for (let i = 0; i < 2_000; i++) {
        assert.equal(fast.nextU32(), oracle.nextU32(), `seed ${seed} stream ${stream} output ${i}`);
      }
      assert.equal(fast.state(), oracle.state, `seed ${seed} stream ${stream} state`);
    }
  }
});

test("bounded draws match the bigint oracle on 500 pseudo-random seeds and bounds", () => {
  const seeds = new Pcg32BigInt(7n, 1n);
  const bounds = new Pcg32BigInt(11n, 2n);
  for (let run = 0; run < 500; run++) {
    const seed = (BigInt(seeds.nextU32()) << 32n) | BigInt(seeds.nextU32());
    const fast = new Pcg32(seed, 54n);
    const oracle = new Pcg32BigInt(seed, 54n);
    for (let i = 0; i < 200; i++) {
      const bound = 2 + (bounds.nextU32() % 30_000);
      assert.equal(fast.nextBelow(bound), oracle.nextBelow(bound), `seed ${seed} draw ${i} below ${bound}`);
    }
  }
});

test("a bounded draw rejects outputs below 2^32 mod bound and draws again", () => {
  // bound = 2^31 + 1: the threshold is 2^31 - 1, so about half of all outputs are redrawn.
  const bound = 2 ** 31 + 1;
  for (const seed of [3n, 4n, 5n, 6n]) {
    const rng = new Pcg32(seed, 3n);
    const raw = new Pcg32(seed, 3n);
    let want = raw.nextU32();
    while (want < 2 ** 31 - 1) want = raw.nextU32();
    assert.equal(rng.nextBelow(bound), want % bound);
    assert.equal(rng.state(), raw.state(), "both consumed the same draws");
  }
});

test("bounds 0 and 1 draw nothing; bounded draws stay in range and cover it", () => {
  const rng = new Pcg32(7n, 1n);
  const before = rng.state();
  assert.equal(rng.nextBelow(0), 0);
  assert.equal(rng.nextBelow(1), 0);
  assert.equal(rng.state(), before);
  const seen = new Set<number>();
  for (let i = 0; i < 1_000; i++) seen.add(rng.nextBelow(7));
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5, 6]);
  for (let i = 0; i < 100; i++) {
    const x = rng.nextIn(250, 600);
    assert.ok(x >= 250 && x <= 600);
  }
  assert.throws(() => rng.nextBelow(2 ** 32), RangeError);
  assert.throws(() => rng.nextBelow(2.5), RangeError);
  assert.throws(() => rng.nextBelow(-1), RangeError);
  assert.throws(() => rng.nextBelow(Number.NaN), RangeError);
});

test("a clone continues the same stream independently", () => {
  const rng = new Pcg32(99n, 54n);
  rng.nextU32();
  const copy = rng.clone();
  const a = [rng.nextU32(), rng.nextU32()];
  assert.deepEqual([copy.nextU32(), copy.nextU32()], a);
});

test("seeds are read like Rust's u64::from_str, the server's parser for seeds sent as text", () => {
  assert.equal(parseSeed("42"), 42n);
  assert.equal(parseSeed("+42"), 42n);
  assert.equal(parseSeed("007"), 7n);
  assert.equal(parseSeed("18446744073709551615"), 2n ** 64n - 1n);
  assert.equal(parseSeed(2n ** 53n + 1n), 2n ** 53n + 1n);
  for (const bad of ["", "-1", " 1", "1 ", "1.5", "0x10", "1e3", "18446744073709551616"]) {
    assert.throws(() => parseSeed(bad), RangeError, JSON.stringify(bad));
  }
  assert.throws(() => parseSeed(-1n), RangeError);
  assert.throws(() => parseSeed(2n ** 64n), RangeError);
});
