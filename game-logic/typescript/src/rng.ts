/**
 * The game's pseudo-random number generator: PCG32 (XSH-RR, 64-bit state, 32-bit output), bit-identical to
 * the Rust `rng.rs`, `rand_pcg::Pcg32` and the PCG reference `pcg32_random_r` (`RULES.md` section 4).
 *
 * The 64-bit state is kept as two unsigned 32-bit halves rather than one `bigint`: every `bigint` operation
 * allocates, and a replay draws over four numbers per platform. `npm run bench` measures the two side by side
 * (a draw on halves is about 8 ns, a `bigint` one over 200 ns). Each operation below notes why it is exact.
 *
 * @module
 */

/**
 * A run's seed: a u64, as a `bigint` or as the decimal string the JSON wire protocol carries (a JSON
 * number would lose precision above 2^53).
 */
export type Seed = bigint | string;

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const U32 = 0x1_0000_0000;

/** The PCG multiplier 6364136223846793005 (Knuth's MMIX LCG constant), split into 32-bit halves. */
const MUL_HI = 0x5851f42d;
const MUL_LO = 0x4c957f2d;
/** The low half again, split into 16-bit limbs for the exact 32 x 32 -> 64-bit product. */
const MUL_LO_0 = MUL_LO & 0xffff;
const MUL_LO_1 = MUL_LO >>> 16;

/**
 * Reads a u64 seed. A string must be what Rust's `u64::from_str` accepts (decimal digits, an optional
 * leading `+`), the parser the server uses for seeds sent as text, so both sides agree on every seed.
 *
 * @throws RangeError when the value is not an integer in `0..=2^64 - 1`.
 */
export function parseSeed(seed: Seed): bigint {
  let value: bigint;
  if (typeof seed === "bigint") {
    value = seed;
  } else if (/^\+?[0-9]+$/.test(seed)) {
    value = BigInt(seed);
  } else {
    throw new RangeError(`seed ${JSON.stringify(seed)} is not a decimal u64`);
  }
  if (value < 0n || value > U64_MAX) {
    throw new RangeError(`seed ${String(seed)} is outside the u64 range 0..=18446744073709551615`);
  }
  return value;
}

/**
 * PCG32 state. Every stream has an explicit seed and stream id; {@link Pcg32.clone} forks a stream so a
 * session can be forked.
 */
export class Pcg32 {
  /**
   * The state's high and low 32 bits, then the (odd) increment's. A typed array holds them as raw 32-bit
   * words: plain object fields above 2^30 would be boxed numbers, which makes every draw several times
   * slower in V8.
   */
  private readonly words: Uint32Array;

  /**
   * Seeds a generator exactly like the reference `pcg32_srandom_r(seed, stream)`.
   *
   * @throws RangeError when `seed` or `stream` is not a u64.
   */
  constructor(seed: Seed, stream: bigint) {
    const seed64 = parseSeed(seed);
    if (stream < 0n || stream > U64_MAX) {
      throw new RangeError(`stream ${stream} is outside the u64 range`);
    }
    const increment = ((stream << 1n) | 1n) & U64_MAX;
    const state = (seed64 + increment) & U64_MAX;
    this.words = new Uint32Array([
      Number(state >> 32n),
      Number(state & 0xffff_ffffn),
      Number(increment >> 32n),
      Number(increment & 0xffff_ffffn),
    ]);
    this.step();
  }

  /** An independent copy of this stream at its current position. */
  clone(): Pcg32 {
    const copy = new Pcg32(0n, 0n);
    copy.words.set(this.words);
    return copy;
  }

  /** The state as a u64, for tests that compare streams (allocates a `bigint`). */
  state(): bigint {
    return (BigInt(this.words[0] ?? 0) << 32n) | BigInt(this.words[1] ?? 0);
  }

  /** `state = state * MULTIPLIER + increment (mod 2^64)`, on the two 32-bit halves. */
  private step(): void {
    const words = this.words;
    const hi = words[0] ?? 0;
    const lo = words[1] ?? 0;
    // lo * MUL_LO as a full 64-bit product: 16-bit limbs keep every partial product below 2^32, and every
    // sum below 2^34, far inside the 2^53 a double holds exactly.
    const a0 = lo & 0xffff;
    const a1 = lo >>> 16;
    const p00 = a0 * MUL_LO_0;
    const p01 = a0 * MUL_LO_1;
    const p10 = a1 * MUL_LO_0;
    const p11 = a1 * MUL_LO_1;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const productHi = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
    // The low word is the product mod 2^32, which Math.imul computes exactly. The cross terms only reach
    // the high word mod 2^32, so Math.imul (exact mod 2^32) serves there too.
    const productLo = Math.imul(lo, MUL_LO) >>> 0;
    const high = productHi + Math.imul(hi, MUL_LO) + Math.imul(lo, MUL_HI);
    // Adding the increment: the low sum is below 2^33 (exact), its carry goes to the high word. Storing into
    // the Uint32Array reduces each exact integer (below 2^35 in magnitude) mod 2^32, as ToUint32 does.
    const sumLo = productLo + (words[3] ?? 0);
    const carry = sumLo >= U32 ? 1 : 0;
    words[1] = sumLo;
    words[0] = high + (words[2] ?? 0) + carry;
  }

  /** The next 32-bit output: XSH-RR of the state before the step. */
  nextU32(): number {
    const hi = this.words[0] ?? 0;
    const lo = this.words[1] ?? 0;
    this.step();
    // xorshifted = low 32 bits of ((old >> 18) ^ old) >> 27, with old = hi * 2^32 + lo: bits 27..58 of
    // old ^ (old >> 18), assembled from the halves with 32-bit shifts only.
    const xHi = hi ^ (hi >>> 18);
    const xLo = lo ^ ((lo >>> 18) | (hi << 14));
    const xorshifted = (xLo >>> 27) | (xHi << 5);
    const rotation = hi >>> 27;
    return ((xorshifted >>> rotation) | (xorshifted << (-rotation & 31))) >>> 0;
  }

  /**
   * A uniform draw in `0..bound` without modulo bias (reference `pcg32_boundedrand_r`): outputs below
   * `2^32 mod bound` are rejected and drawn again, so the number of outputs consumed depends on the values
   * drawn, and a port that skips the rejection drifts from the Rust stream. A `bound` of 0 or 1 returns 0
   * without drawing.
   *
   * @throws RangeError when `bound` is not an integer in `0..=2^32 - 1` (a u32 in Rust).
   */
  nextBelow(bound: number): number {
    if (bound <= 1) {
      if (bound === 0 || bound === 1) return 0;
      throw new RangeError(`bound ${bound} is not a u32`);
    }
    if (!(bound < U32) || !Number.isInteger(bound)) {
      throw new RangeError(`bound ${bound} is not a u32`);
    }
    // (2^32 - bound) mod bound, the u32 `bound.wrapping_neg() % bound`: `-bound >>> 0` is 2^32 - bound.
    // Every operand of `%` here is a uint32 and so is the result, which lets V8 use an integer remainder
    // instead of a floating-point one (exact either way, but several times slower).
    const divisor = bound >>> 0;
    const threshold = ((-divisor >>> 0) % divisor) >>> 0;
    for (;;) {
      const x = this.nextU32();
      if (x >= threshold) return (x % divisor) >>> 0;
    }
  }

  /**
   * A uniform draw in `low..=high`, consuming draws exactly like `low + nextBelow(high - low + 1)`.
   * Requires `low <= high < 2^32` and `high - low + 1 < 2^32`, as every draw of the rules satisfies.
   */
  nextIn(low: number, high: number): number {
    return low + this.nextBelow(high - low + 1);
  }
}
