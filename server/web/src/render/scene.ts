/**
 * The painter: one frame of the scene on the canvas. It sizes the canvas to its element at the device's
 * pixel ratio, then draws in painter's order: the platforms' shadows on the ground, then platforms and
 * figures from the farthest to the nearest, then the effects. The canvas is opaque: each frame starts from
 * the sky, a gradient drawn once per size into an offscreen canvas and copied, so the compositor has
 * nothing to blend under it (what costs most when Chromium renders in software).
 *
 * @module
 */

import { contains } from "leapfrog-rules";

import type { Pose } from "../anim/jump.js";
import { type Effect, drawEffect } from "./effects.js";
import { drawFigure, drawFigureShadow } from "./figure.js";
import { type Camera, MU_PER_UNIT, depth, units } from "./iso.js";
import { BACKGROUND } from "./palette.js";
import { type PlatformState, drawPlatform, drawShadow } from "./platforms.js";

/** A figure in a frame. */
export interface FigureState {
  readonly pose: Pose;
  readonly ghost: boolean;
  readonly alpha: number;
}

/** Everything one frame shows. */
export interface Frame {
  readonly camera: Camera;
  readonly platforms: readonly PlatformState[];
  readonly figures: readonly FigureState[];
  readonly effects: readonly Effect[];
  readonly now: number;
}

/** Draws frames on one canvas. */
export class Painter {
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  #width = 0;
  #height = 0;
  #ratio = 1;
  #sky: HTMLCanvasElement | null = null;
  /** Set when the element may have changed size: reading its size every frame would force a layout. */
  #resized = true;

  constructor(canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext("2d", { alpha: false });
    if (ctx === null) throw new Error("this browser cannot draw on a canvas");
    this.#canvas = canvas;
    this.#ctx = ctx;
    const resized = () => {
      this.#resized = true;
    };
    new ResizeObserver(resized).observe(canvas);
    // A zoom or a move to another screen changes the pixel ratio without resizing the element.
    globalThis.addEventListener("resize", resized);
  }

  /** The view's size in CSS pixels. */
  get width(): number {
    return this.#width;
  }

  get height(): number {
    return this.#height;
  }

  /**
   * Matches the canvas's backing store to its element's size at the device pixel ratio (capped at 2: more
   * pixels cost software renderers dearly and show no difference). Returns true when the size changed.
   */
  fit(): boolean {
    if (!this.#resized) return false;
    this.#resized = false;
    const ratio = Math.min(2, Math.max(1, globalThis.devicePixelRatio || 1));
    const width = this.#canvas.clientWidth;
    const height = this.#canvas.clientHeight;
    if (width === this.#width && height === this.#height && ratio === this.#ratio) return false;
    this.#width = width;
    this.#height = height;
    this.#ratio = ratio;
    this.#canvas.width = Math.max(1, Math.round(width * ratio));
    this.#canvas.height = Math.max(1, Math.round(height * ratio));
    this.#sky = sky(this.#canvas.width, this.#canvas.height);
    return true;
  }

  /** Draws `frame`. */
  draw(frame: Frame): void {
    const ctx = this.#ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (this.#sky !== null) ctx.drawImage(this.#sky, 0, 0);
    ctx.setTransform(this.#ratio, 0, 0, this.#ratio, 0, 0);
    const { camera } = frame;
    for (const platform of frame.platforms) drawShadow(ctx, camera, platform);
    type Item = { readonly depth: number; readonly draw: () => void };
    const items: Item[] = frame.platforms.map((platform) => ({
      depth: depth(units(platform.look.platform.centre.x), units(platform.look.platform.centre.z)),
      draw: () => drawPlatform(ctx, camera, platform),
    }));
    for (const figure of frame.figures) {
      items.push({
        depth: figureDepth(figure.pose, frame.platforms),
        draw: () => {
          drawFigureShadow(ctx, camera, figure.pose, surfaceUnder(figure.pose, frame.platforms), figure.alpha);
          drawFigure(ctx, camera, figure.pose, figure.ghost, figure.alpha);
        },
      });
    }
    items.sort((a, b) => a.depth - b.depth);
    for (const item of items) item.draw();
    for (const effect of frame.effects) drawEffect(ctx, camera, effect, frame.now);
  }
}

/** The sky: the background gradient at `width` x `height` device pixels. */
function sky(width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  if (ctx !== null) {
    const gradient = ctx.createLinearGradient(0, 0, 0, height);
    BACKGROUND.forEach((colour, index) => gradient.addColorStop(index / (BACKGROUND.length - 1), colour));
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, width, height);
    // A soft light on the ground where the platforms stand, so they sit on something.
    const x = width / 2;
    const y = height * 0.62;
    const radius = Math.max(width, height) * 0.55;
    const light = ctx.createRadialGradient(x, y, 0, x, y, radius);
    light.addColorStop(0, "rgba(255, 255, 255, 0.55)");
    light.addColorStop(1, "rgba(255, 255, 255, 0)");
    ctx.fillStyle = light;
    ctx.save();
    ctx.translate(x, y);
    ctx.scale(1, 0.5);
    ctx.translate(-x, -y);
    // The ellipse is squashed to half its height: the rectangle covers the canvas twice over, or its
    // edge would show where the glow has not faded out.
    ctx.fillRect(0, y - 2 * height, width, 4 * height);
    ctx.restore();
  }
  return canvas;
}

/** The ground point of `pose`, mu. */
function groundPoint(pose: Pose): { x: number; z: number } {
  return { x: Math.round(pose.x * MU_PER_UNIT), z: Math.round(pose.z * MU_PER_UNIT) };
}

/** Height of the top a figure at `pose` stands or flies over (0: the ground). */
export function surfaceUnder(pose: Pose, platforms: readonly PlatformState[]): number {
  const point = groundPoint(pose);
  let surface = 0;
  for (const state of platforms) {
    const top = state.lift + state.top;
    if (top <= pose.y + 0.01 && contains(state.look.platform, point)) surface = Math.max(surface, top);
  }
  return surface;
}

/**
 * Painter's depth of a figure: its ground point's, except on or above a platform's top (within half a body
 * of its edge), where it must come after that platform though its point may lie behind the centre.
 */
export function figureDepth(pose: Pose, platforms: readonly PlatformState[]): number {
  let result = depth(pose.x, pose.z);
  for (const state of platforms) {
    const { centre, radius } = state.look.platform;
    const reach = units(radius) + 1.2;
    const above = pose.y >= state.lift + state.top - 0.05;
    const near = Math.abs(pose.x - units(centre.x)) <= reach && Math.abs(pose.z - units(centre.z)) <= reach;
    if (above && near) result = Math.max(result, depth(units(centre.x), units(centre.z)) + 0.001);
  }
  return result;
}
