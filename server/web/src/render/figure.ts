/**
 * The figure: a pawn-like body (a lit, tapered cylinder with a cap) and a round head with a highlight, its
 * soft shadow on whatever is under it, crouched while charging and turned while flying or tipping. The
 * ghost is the same figure, pale and see-through.
 *
 * @module
 */

import type { Pose } from "../anim/jump.js";
import { type Camera, groundEllipse, project } from "./iso.js";
import { FIGURE, GHOST } from "./palette.js";

/** Body height, radii and head size, units: the body is as wide as the rules' figure (2.34). */
const BODY_HEIGHT = 4.1;
const BODY_BOTTOM = 1.17;
const BODY_TOP = 0.68;
const HEAD = 1.18;
const NECK = 0.12;

/** Half the figure's drawn height: the point it turns about in the air. */
export const FIGURE_MIDDLE = (BODY_HEIGHT + NECK + 2 * HEAD) / 2;

/** Draws a soft shadow under a figure at `pose` on a surface `surface` units high. */
export function drawFigureShadow(ctx: CanvasRenderingContext2D, camera: Camera, pose: Pose, surface: number, alpha: number): void {
  const height = Math.max(0, pose.y - surface);
  const fade = Math.max(0, 1 - height / 18);
  if (fade <= 0) return;
  const centre = project(camera, pose.x + 0.35, surface, pose.z + 0.35);
  const { rx, ry } = groundEllipse(BODY_BOTTOM * (1.25 - 0.35 * (1 - fade)), camera.scale);
  const gradient = ctx.createRadialGradient(centre.x, centre.y, 0, centre.x, centre.y, rx);
  gradient.addColorStop(0, `rgba(40, 36, 70, ${0.32 * fade * alpha})`);
  gradient.addColorStop(1, "rgba(40, 36, 70, 0)");
  ctx.fillStyle = gradient;
  ctx.save();
  ctx.translate(centre.x, centre.y);
  ctx.scale(1, ry / rx);
  ctx.beginPath();
  ctx.arc(0, 0, rx, 0, 2 * Math.PI);
  ctx.fill();
  ctx.restore();
}

/** Draws the figure at `pose`: the player's, or a ghost (`ghost`) at `alpha`. */
export function drawFigure(ctx: CanvasRenderingContext2D, camera: Camera, pose: Pose, ghost: boolean, alpha = 1): void {
  const colours = ghost ? GHOST : FIGURE;
  const s = camera.scale;
  const base = project(camera, pose.x, pose.y, pose.z);
  const bottom = groundEllipse(BODY_BOTTOM, s);
  const top = groundEllipse(BODY_TOP, s);
  const height = BODY_HEIGHT * s;
  ctx.save();
  ctx.globalAlpha = alpha;
  ctx.translate(base.x, base.y);
  if (pose.rotation !== 0) {
    const pivot = pose.aboutBase ? 0 : FIGURE_MIDDLE * s;
    ctx.translate(0, -pivot);
    ctx.rotate(pose.rotation);
    ctx.translate(0, pivot);
  }
  ctx.scale(pose.squashX, pose.squashY);

  const body = ctx.createLinearGradient(-bottom.rx, 0, bottom.rx, 0);
  body.addColorStop(0, colours.bodyLight);
  body.addColorStop(0.45, colours.bodyLight);
  body.addColorStop(1, colours.bodyDark);
  ctx.fillStyle = body;
  ctx.beginPath();
  ctx.moveTo(-bottom.rx, 0);
  ctx.lineTo(-top.rx, -height);
  ctx.ellipse(0, -height, top.rx, top.ry, 0, Math.PI, 0, false);
  ctx.lineTo(bottom.rx, 0);
  ctx.ellipse(0, 0, bottom.rx, bottom.ry, 0, 0, Math.PI, false);
  ctx.closePath();
  ctx.fill();
  ctx.fillStyle = colours.cap;
  ctx.beginPath();
  ctx.ellipse(0, -height, top.rx, top.ry, 0, 0, 2 * Math.PI);
  ctx.fill();

  const headY = -height - (NECK + HEAD) * s;
  const radius = HEAD * s;
  const head = ctx.createRadialGradient(-radius * 0.35, headY - radius * 0.4, radius * 0.1, 0, headY, radius);
  head.addColorStop(0, colours.headLight);
  head.addColorStop(0.5, colours.head);
  head.addColorStop(1, colours.bodyDark);
  ctx.fillStyle = head;
  ctx.beginPath();
  ctx.arc(0, headY, radius, 0, 2 * Math.PI);
  ctx.fill();
  ctx.restore();
}
