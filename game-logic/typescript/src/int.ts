/**
 * Exact integer helpers shared by the rules (internal: not exported from the package).
 *
 * @module
 */

/**
 * `numerator / divisor` rounded down, for non-negative integers with `numerator + divisor < 2^53`: Rust's
 * integer division. Why the double division cannot round up to the next integer: if the quotient `q` is not
 * an integer `n`, it is at most `n + 1 - 1/divisor`; rounding moves it by at most `(n + 1) * 2^-53`, which is
 * below `1/divisor` because `divisor * (n + 1) <= numerator + divisor < 2^53`. The rules divide at most
 * `150 000 * 2 * 180 000` (a distance) by 720 000. (`(a - a % b) / b` is exact too, but `%` on doubles is a
 * library call in V8, several times slower.)
 */
export function divFloor(numerator: number, divisor: number): number {
  return Math.floor(numerator / divisor);
}
