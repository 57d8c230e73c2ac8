/**
 * PCG32 written straight from `RULES.md` section 4 with `bigint` arithmetic: the oracle the property tests
 * compare the 32-bit-halves generator against, and the alternative `npm run bench` measures it against.
 */

const MASK64 = (1n << 64n) - 1n;
const MULTIPLIER = 6364136223846793005n;

/** The reference generator; `state` is public so tests can compare it. */
export class Pcg32BigInt {
  state: bigint;
  readonly increment: bigint;

  constructor(seed: bigint, stream: bigint) {
    this.increment = ((stream << 1n) | 1n) & MASK64;
    this.state = (seed + this.increment) & MASK64;
    this.state = (this.state * MULTIPLIER + this.increment) & MASK64;
  }

  nextU32(): number {
    const old = this.state;
    this.state = (old * MULTIPLIER + this.increment) & MASK64;
    const xorshifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rotation = Number(old >> 59n);
    return ((xorshifted >>> rotation) | (xorshifted << (-rotation & 31))) >>> 0;
  }

  nextBelow(bound: number): number {
    if (bound <= 1) return 0;
    const threshold = (2 ** 32 - bound) % bound;
    for (;;) {
      const x = this.nextU32();
      if (x >= threshold) return x % bound;
    }
  }
}
