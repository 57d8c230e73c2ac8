/**
 * Easing curves and small numeric helpers for the animations. Each curve maps `t` in [0, 1] to [0, 1]
 * (a back or elastic curve overshoots in between) and is clamped outside.
 *
 * @module
 */

/** `value` within [`low`, `high`]. */
export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** The point `t` of the way from `a` to `b`. */
export function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** How far `now` is through an animation starting at `start` lasting `duration` ms, in [0, 1]. */
export function progress(start: number, duration: number, now: number): number {
  return duration <= 0 ? 1 : clamp((now - start) / duration, 0, 1);
}

/** Starts fast, ends slowly. */
export function easeOutCubic(t: number): number {
  const u = 1 - clamp(t, 0, 1);
  return 1 - u * u * u;
}

/** Starts slowly, ends fast (a fall). */
export function easeInQuad(t: number): number {
  const c = clamp(t, 0, 1);
  return c * c;
}

/** Slow, fast, slow. */
export function easeInOutSine(t: number): number {
  return -(Math.cos(Math.PI * clamp(t, 0, 1)) - 1) / 2;
}

/** Overshoots a little, then settles: a landing or a platform dropping into place. */
export function easeOutBack(t: number): number {
  const c = clamp(t, 0, 1);
  const k = 1.70158;
  return 1 + (k + 1) * (c - 1) ** 3 + k * (c - 1) ** 2;
}

/** A damped spring from 0 to 1: a squashed platform springing back. */
export function easeOutElastic(t: number): number {
  const c = clamp(t, 0, 1);
  if (c === 0 || c === 1) return c;
  return 2 ** (-10 * c) * Math.sin(((c * 10 - 0.75) * 2 * Math.PI) / 3) + 1;
}
