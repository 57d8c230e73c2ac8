/**
 * Platforms: cubes and cylinders in 2.5D with lit faces, their soft shadows on the ground, and the marks of
 * the special platforms (a note, an awning, stickers, a manhole's rings).
 *
 * @module
 */

import type { Platform } from "leapfrog-rules";

import { type Camera, ISO_X, groundEllipse, project, units } from "./iso.js";
import type { Faces } from "./palette.js";

/** A platform as drawn: the rules' platform and its colours. */
export interface PlatformLook {
  readonly platform: Platform;
  readonly faces: Faces;
}

/** How a platform is drawn at a moment. */
export interface PlatformState {
  readonly look: PlatformLook;
  /** Height of its top, units (less than full while squashed). */
  readonly top: number;
  /** Height of its bottom above the ground, units (above 0 while dropping into place). */
  readonly lift: number;
  /** Opacity, 0 to 1. */
  readonly alpha: number;
}

/** How far right of a platform its shadow reaches, per unit of height. */
const SHADOW_REACH = 0.85;

/** Draws the shadow `state`'s platform casts on the ground. */
export function drawShadow(ctx: CanvasRenderingContext2D, camera: Camera, state: PlatformState): void {
  const { platform } = state.look;
  const cx = units(platform.centre.x);
  const cz = units(platform.centre.z);
  const r = units(platform.radius);
  const reach = (state.top + state.lift) * SHADOW_REACH * camera.scale;
  const base = project(camera, cx, 0, cz);
  // Fades out with the height of a platform still dropping in.
  const strength = 0.2 * state.alpha * Math.max(0, 1 - state.lift / 10);
  if (strength <= 0.01) return;
  const gradient = ctx.createLinearGradient(base.x, 0, base.x + reach + r * 2 * ISO_X * camera.scale, 0);
  gradient.addColorStop(0, `rgba(60, 52, 90, ${strength})`);
  gradient.addColorStop(1, "rgba(60, 52, 90, 0)");
  ctx.fillStyle = gradient;
  ctx.beginPath();
  if (platform.shape === "cube") {
    const corner = (dx: number, dz: number, shift: number) => {
      const p = project(camera, cx + dx, 0, cz + dz);
      return [p.x + shift, p.y] as const;
    };
    // The hull of the footprint and the footprint moved right by the reach.
    const [first, ...rest] = [corner(-r, -r, 0), corner(r, -r, 0), corner(r, -r, reach), corner(r, r, reach), corner(-r, r, reach), corner(-r, r, 0)];
    ctx.moveTo(first[0], first[1]);
    for (const [x, y] of rest) ctx.lineTo(x, y);
    ctx.closePath();
  } else {
    const { rx, ry } = groundEllipse(r, camera.scale);
    ctx.ellipse(base.x, base.y, rx, ry, 0, 0, 2 * Math.PI);
    ctx.rect(base.x, base.y - ry, reach, 2 * ry);
    ctx.ellipse(base.x + reach, base.y, rx, ry, 0, 0, 2 * Math.PI);
  }
  ctx.fill();
}

/** Draws `state`'s platform: its visible sides, its top, and a special platform's marks. */
export function drawPlatform(ctx: CanvasRenderingContext2D, camera: Camera, state: PlatformState): void {
  if (state.alpha <= 0) return;
  const { platform, faces } = state.look;
  ctx.globalAlpha = state.alpha;
  if (platform.shape === "cube") drawCube(ctx, camera, state, faces);
  else drawCylinder(ctx, camera, state, faces);
  if (platform.special !== null) drawMarks(ctx, camera, state);
  ctx.globalAlpha = 1;
}

function drawCube(ctx: CanvasRenderingContext2D, camera: Camera, state: PlatformState, faces: Faces): void {
  const { platform } = state.look;
  const cx = units(platform.centre.x);
  const cz = units(platform.centre.z);
  const r = units(platform.radius);
  const top = state.lift + state.top;
  const at = (dx: number, y: number, dz: number) => project(camera, cx + dx, y, cz + dz);
  // Top corners: back (left on screen), right (top), front (right), left (bottom); and the bottoms of the
  // three nearest ones.
  const [a, b, c, d] = [at(-r, top, -r), at(r, top, -r), at(r, top, r), at(-r, top, r)];
  const [a0, c0, d0] = [at(-r, state.lift, -r), at(r, state.lift, r), at(-r, state.lift, r)];
  polygon(ctx, faces.left, [a, d, d0, a0]);
  polygon(ctx, faces.right, [d, c, c0, d0]);
  polygon(ctx, faces.top, [a, b, c, d]);
  // A thin light edge where the top meets the sides reads as a bevel.
  ctx.strokeStyle = faces.rim;
  ctx.lineWidth = Math.max(1, camera.scale * 0.12);
  ctx.lineJoin = "round";
  ctx.beginPath();
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(d.x, d.y);
  ctx.lineTo(c.x, c.y);
  ctx.stroke();
}

function drawCylinder(ctx: CanvasRenderingContext2D, camera: Camera, state: PlatformState, faces: Faces): void {
  const { platform } = state.look;
  const cx = units(platform.centre.x);
  const cz = units(platform.centre.z);
  const { rx, ry } = groundEllipse(units(platform.radius), camera.scale);
  const top = project(camera, cx, state.lift + state.top, cz);
  const bottom = project(camera, cx, state.lift, cz);
  const side = ctx.createLinearGradient(top.x - rx, 0, top.x + rx, 0);
  side.addColorStop(0, faces.left);
  side.addColorStop(0.55, faces.left);
  side.addColorStop(1, faces.right);
  ctx.fillStyle = side;
  ctx.beginPath();
  ctx.moveTo(top.x - rx, top.y);
  ctx.lineTo(bottom.x - rx, bottom.y);
  ctx.ellipse(bottom.x, bottom.y, rx, ry, 0, Math.PI, 0, true);
  ctx.lineTo(top.x + rx, top.y);
  ctx.closePath();
  ctx.fill();
  ctx.fillStyle = faces.top;
  ctx.beginPath();
  ctx.ellipse(top.x, top.y, rx, ry, 0, 0, 2 * Math.PI);
  ctx.fill();
  ctx.strokeStyle = faces.rim;
  ctx.lineWidth = Math.max(1, camera.scale * 0.12);
  ctx.beginPath();
  ctx.ellipse(top.x, top.y, rx, ry, 0, 0, Math.PI);
  ctx.stroke();
}

/** The marks of a special platform on its top (so it is told apart by shape, not only colour). */
function drawMarks(ctx: CanvasRenderingContext2D, camera: Camera, state: PlatformState): void {
  const { platform } = state.look;
  const cx = units(platform.centre.x);
  const cz = units(platform.centre.z);
  const r = units(platform.radius);
  const y = state.lift + state.top;
  const at = (dx: number, dz: number) => project(camera, cx + dx, y, cz + dz);
  switch (platform.special) {
    case "rubiks_cube": {
      const colours = ["#e94b3c", "#f7f7f2", "#3a7bd5", "#f5c518", "#2fb36d", "#ff8c2a"];
      const step = (2 * r) / 3;
      const gap = step * 0.08;
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const x0 = -r + i * step + gap;
          const z0 = -r + j * step + gap;
          const x1 = x0 + step - 2 * gap;
          const z1 = z0 + step - 2 * gap;
          polygon(ctx, colours[(i * 3 + j * 2) % colours.length] ?? "#fff", [at(x0, z0), at(x1, z0), at(x1, z1), at(x0, z1)]);
        }
      }
      return;
    }
    case "convenience_store": {
      // Green stripes across the top: an awning.
      const step = (2 * r) / 5;
      for (let i = 0; i < 5; i += 2) {
        const x0 = -r + i * step;
        polygon(ctx, "#3fa66b", [at(x0, -r), at(x0 + step, -r), at(x0 + step, r), at(x0, r)]);
      }
      return;
    }
    case "manhole_cover": {
      const centre = at(0, 0);
      ctx.strokeStyle = "rgba(40, 44, 52, 0.55)";
      ctx.lineWidth = Math.max(1, camera.scale * 0.18);
      for (const share of [0.78, 0.5, 0.22]) {
        const { rx, ry } = groundEllipse(r * share, camera.scale);
        ctx.beginPath();
        ctx.ellipse(centre.x, centre.y, rx, ry, 0, 0, 2 * Math.PI);
        ctx.stroke();
      }
      return;
    }
    case "music_box": {
      const centre = at(0, 0);
      const { rx, ry } = groundEllipse(r * 0.55, camera.scale);
      ctx.fillStyle = "#f28bb0";
      ctx.beginPath();
      ctx.ellipse(centre.x, centre.y, rx, ry, 0, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = "#ffffff";
      ctx.font = `bold ${Math.round(ry * 1.5)}px system-ui, sans-serif`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("♪", centre.x, centre.y);
      return;
    }
    case null:
      return;
  }
}

function polygon(ctx: CanvasRenderingContext2D, fill: string, points: readonly { x: number; y: number }[]): void {
  const [first, ...rest] = points;
  if (first === undefined) return;
  ctx.fillStyle = fill;
  ctx.beginPath();
  ctx.moveTo(first.x, first.y);
  for (const p of rest) ctx.lineTo(p.x, p.y);
  ctx.closePath();
  ctx.fill();
}
