/**
 * What the player sees: platforms, the figure's position and the direction of the next jump (Rust:
 * `world.rs`).
 *
 * Coordinates are integer milli-units on the ground plane: `x` grows to the isometric right, `z` grows towards
 * the viewer, so the two jump directions are `+x` (right) and `-z` (left). They are plain numbers: a run of at
 * most 100 000 jumps moves the figure at most 75 000 mu a jump, so every coordinate, sum and difference stays
 * below 10^10 in magnitude, far inside the 2^53 a double holds exactly.
 *
 * The data types keep the field names and string values of the Rust serde form, which is also the JSON wire
 * protocol's (`protocol/PROTOCOL.md`): a `World` the server sends compares equal to one predicted here,
 * field for field, with no conversion.
 *
 * @module
 */

/** One of the two directions the next platform can lie in: `right` is `+x`, `left` is `-z`. */
export type Direction = "right" | "left";

/** The shape of a platform's top: a square of half-side `radius`, or a disc of radius `radius`. */
export type Shape = "cube" | "cylinder";

/** The special platforms of the original game. Waiting on one before the next press earns a bonus. */
export type SpecialKind = "music_box" | "convenience_store" | "rubiks_cube" | "manhole_cover";

/** All special kinds in the fixed order the generator indexes into (`RULES.md` section 2). */
export const SPECIAL_KINDS: readonly SpecialKind[] = Object.freeze([
  "music_box",
  "convenience_store",
  "rubiks_cube",
  "manhole_cover",
]);

/** Bonus points for waiting on a special platform of `kind` long enough. */
export function specialBonus(kind: SpecialKind): number {
  switch (kind) {
    case "music_box":
      return 30;
    case "convenience_store":
      return 15;
    case "rubiks_cube":
      return 10;
    case "manhole_cover":
      return 5;
  }
}

/** The shape a special platform of `kind` always has, whatever the shape draw said. */
export function specialShape(kind: SpecialKind): Shape {
  return kind === "manhole_cover" ? "cylinder" : "cube";
}

/** A point on the ground plane, in milli-units. */
export interface Point {
  /** Towards the isometric right. */
  readonly x: number;
  /** Towards the viewer; a `left` jump decreases it. */
  readonly z: number;
}

/** The point `distance` mu from `point` in `direction` (a negative distance moves backwards). */
export function moved(point: Point, direction: Direction, distance: number): Point {
  return direction === "right"
    ? { x: point.x + distance, z: point.z }
    : { x: point.x, z: point.z - distance };
}

/** How far `other` lies ahead of `from` along `direction` (negative when behind). */
export function ahead(from: Point, other: Point, direction: Direction): number {
  return direction === "right" ? other.x - from.x : from.z - other.z;
}

/** A platform: where it is, its shape and size, and whether it is special (`null` when not). */
export interface Platform {
  /** Centre of the top. */
  readonly centre: Point;
  /** Top shape. */
  readonly shape: Shape;
  /** Half-side (cube) or radius (cylinder), in mu. */
  readonly radius: number;
  /** The special kind, or `null` for an ordinary platform. */
  readonly special: SpecialKind | null;
}

/**
 * Whether `point` lies on `platform`'s top, edges included. The disc test compares squared distances, so no
 * square root is taken; Rust squares in 128 bits, and here the squares are only formed once both offsets are
 * within the radius (a point beyond it on either axis is off the disc anyway), so they stay below 2^53 for
 * any radius below 2^26 mu (ruleset 1's are at most 5 000).
 */
export function contains(platform: Platform, point: Point): boolean {
  const dx = Math.abs(point.x - platform.centre.x);
  const dz = Math.abs(point.z - platform.centre.z);
  const r = platform.radius;
  if (dx > r || dz > r) return false;
  return platform.shape === "cube" || dx * dx + dz * dz <= r * r;
}

/** Everything a client needs to draw the current moment of a run. */
export interface World {
  /** Where the figure stands. */
  readonly figure: Point;
  /** The platform the figure stands on. */
  readonly current: Platform;
  /** The platform to jump to. */
  readonly next: Platform;
  /** The direction from the figure to `next`; the figure always jumps straight along it. */
  readonly direction: Direction;
  /** True when the current platform is special and its bonus has not been earned yet. */
  readonly bonus_available: boolean;
}

/**
 * The distance from the figure to the next platform's centre, along the jump direction: the distance a
 * perfect jump flies (the next centre always lies on the figure's line, `RULES.md` section 6).
 */
export function distanceToNext(world: World): number {
  return ahead(world.figure, world.next.centre, world.direction);
}
