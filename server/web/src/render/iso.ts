/**
 * The 2.5D (isometric) projection: world units to canvas pixels.
 *
 * The rules' ground plane has `x` to the isometric right and `z` towards the viewer (`leapfrog-rules`
 * `world.ts`), in milli-units (mu). Drawn here in world units (1 unit = 1,000 mu): `+x` goes up-right on
 * screen, `+z` down-right, so the two jump directions (`+x`, `-z`) go up-right and up-left as in the
 * original; `y` is height. The viewer looks from `-x, +z`, so a larger `z - x` is nearer ({@link depth}).
 *
 * @module
 */

/** Milli-units in a world unit. */
export const MU_PER_UNIT = 1000;

/** cos 30°: the horizontal share of a ground axis on screen. */
export const ISO_X = Math.sqrt(3) / 2;
/** sin 30°: the vertical share of a ground axis on screen. */
export const ISO_Y = 0.5;

/** Where the camera looks and how large the world is drawn. */
export interface Camera {
  /** The world point (units) drawn at the anchor. */
  readonly x: number;
  readonly z: number;
  /** Pixels (CSS) per world unit. */
  readonly scale: number;
  /** The anchor on the canvas, CSS pixels. */
  readonly anchorX: number;
  readonly anchorY: number;
}

/** A point on the canvas, CSS pixels. */
export interface ScreenPoint {
  readonly x: number;
  readonly y: number;
}

/** The canvas point of the world point (`x`, `y`, `z`), in units. */
export function project(camera: Camera, x: number, y: number, z: number): ScreenPoint {
  const dx = x - camera.x;
  const dz = z - camera.z;
  return {
    x: camera.anchorX + (dx + dz) * ISO_X * camera.scale,
    y: camera.anchorY + (dz - dx) * ISO_Y * camera.scale - y * camera.scale,
  };
}

/** Painter's order of a ground point: larger is nearer the viewer, drawn later. */
export function depth(x: number, z: number): number {
  return z - x;
}

/**
 * The screen semi-axes of a ground circle of `radius` units: a circle in the ground plane is an ellipse
 * aligned with the screen, √2·cos30° wide and √2·sin30° high per unit of radius.
 */
export function groundEllipse(radius: number, scale: number): { readonly rx: number; readonly ry: number } {
  return { rx: radius * Math.SQRT2 * ISO_X * scale, ry: radius * Math.SQRT2 * ISO_Y * scale };
}

/**
 * How large to draw the world in a `width` x `height` CSS-pixel view, and where the camera's point goes:
 * two platforms at the largest gap, both wholly on screen at phone size, the pair a little below the middle
 * so the jump arc has room above.
 */
export function framing(width: number, height: number): Pick<Camera, "scale" | "anchorX" | "anchorY"> {
  const scale = Math.max(2, Math.min(width / 42, height / 56));
  return { scale, anchorX: width / 2, anchorY: height * 0.6 };
}

/** `mu` milli-units in world units. */
export function units(mu: number): number {
  return mu / MU_PER_UNIT;
}
