/**
 * Exact integer helpers shared by the rules (internal: not exported from the package).
 *
 * @module
 */

/**
 * `numerator / divisor` rounded down, for non-negative integers below 2^53: Rust's integer division. The
 * remainder `%` of two doubles is always exact, so `numerator - remainder` is an exact multiple of the
 * divisor and the final division has an exact integer result; `Math.floor(numerator / divisor)` would round
 * the quotient first and needs an argument about how close it comes to the next integer.
 */
export function divFloor(numerator: number, divisor: number): number {
  return (numerator - (numerator % divisor)) / divisor;
}
