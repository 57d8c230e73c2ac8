/**
 * Short-lived effects drawn over the scene: the ripple of a centre hit and the rising "+N" of the points a
 * landing scored. Each is a pure function of its start and the time.
 *
 * @module
 */

import { easeOutCubic, progress } from "../anim/easing.js";
import { type Camera, groundEllipse, project } from "./iso.js";

/** A ring spreading from a centre hit. */
export interface Ripple {
  readonly kind: "ripple";
  /** Where, units. */
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly startMs: number;
}

/** A label rising from a landing: points, a bonus, a combo. */
export interface Popup {
  readonly kind: "popup";
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly text: string;
  /** Larger for a combo. */
  readonly size: number;
  readonly startMs: number;
}

export type Effect = Ripple | Popup;

const RIPPLE_MS = 750;
const RIPPLE_RINGS = 3;
const RING_GAP_MS = 110;
const POPUP_MS = 950;

/** True while `effect` still shows at `now`. */
export function alive(effect: Effect, now: number): boolean {
  const length = effect.kind === "ripple" ? RIPPLE_MS + RING_GAP_MS * (RIPPLE_RINGS - 1) : POPUP_MS;
  return now < effect.startMs + length;
}

/** Draws `effect` at `now`. */
export function drawEffect(ctx: CanvasRenderingContext2D, camera: Camera, effect: Effect, now: number): void {
  if (effect.kind === "ripple") {
    const centre = project(camera, effect.x, effect.y, effect.z);
    ctx.lineWidth = Math.max(1.5, camera.scale * 0.22);
    for (let ring = 0; ring < RIPPLE_RINGS; ring++) {
      const t = progress(effect.startMs + ring * RING_GAP_MS, RIPPLE_MS, now);
      if (t <= 0 || t >= 1) continue;
      const { rx, ry } = groundEllipse(0.8 + 5 * easeOutCubic(t), camera.scale);
      ctx.strokeStyle = `rgba(255, 255, 255, ${0.85 * (1 - t)})`;
      ctx.beginPath();
      ctx.ellipse(centre.x, centre.y, rx, ry, 0, 0, 2 * Math.PI);
      ctx.stroke();
    }
    return;
  }
  const t = progress(effect.startMs, POPUP_MS, now);
  const at = project(camera, effect.x, effect.y + 6 + 3 * easeOutCubic(t), effect.z);
  ctx.globalAlpha = t < 0.7 ? 1 : 1 - (t - 0.7) / 0.3;
  ctx.font = `800 ${Math.round(effect.size)}px system-ui, -apple-system, "Segoe UI", sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.lineJoin = "round";
  ctx.lineWidth = 5;
  ctx.strokeStyle = "rgba(255, 255, 255, 0.95)";
  ctx.strokeText(effect.text, at.x, at.y);
  ctx.fillStyle = "#2c2950";
  ctx.fillText(effect.text, at.x, at.y);
  ctx.globalAlpha = 1;
}
