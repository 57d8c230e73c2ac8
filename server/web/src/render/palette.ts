/**
 * Colours. A platform's colour is cosmetic: drawn from its position with a small hash, never from the game's
 * random stream (`RULES.md`: cosmetic randomness stays off it), so a course looks the same after a reload.
 *
 * @module
 */

import type { Platform, SpecialKind } from "leapfrog-rules";

/** The three faces of a platform, lit from the upper left. */
export interface Faces {
  readonly top: string;
  readonly left: string;
  readonly right: string;
  /** A lighter line along the top's edges. */
  readonly rim: string;
}

/** Top colours of ordinary platforms: soft pastels that read well on the background. */
const TOPS = [
  "#f7f4ee", // ivory
  "#ffb5a7", // coral
  "#9fd8cb", // mint
  "#a9c8f5", // sky
  "#ffd8a8", // apricot
  "#cdb4e0", // lavender
  "#b8e0a8", // pistachio
  "#f6bfd3", // rose
] as const;

/** Faces of a special platform, by kind. */
const SPECIAL: Record<SpecialKind, string> = {
  music_box: "#fbe3ec",
  convenience_store: "#f4f8f4",
  rubiks_cube: "#2d2d38",
  manhole_cover: "#8d949e",
};

/** The figure's body and head. */
export const FIGURE = {
  bodyLight: "#5b578f",
  bodyDark: "#2c2950",
  cap: "#6d69a6",
  head: "#4b4783",
  headLight: "#9d98d8",
} as const;

/** The ghost: a pale, see-through figure. */
export const GHOST = {
  bodyLight: "#e9f2ff",
  bodyDark: "#9fb6da",
  cap: "#f4f8ff",
  head: "#c9d8f0",
  headLight: "#ffffff",
} as const;

/** The colour at `factor` of `hex`'s brightness (below 1 darker, above 1 towards white). */
export function shade(hex: string, factor: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  const channel = (shift: number) => {
    const c = (value >> shift) & 0xff;
    const out = factor <= 1 ? c * factor : c + (255 - c) * (factor - 1);
    return Math.round(Math.min(255, Math.max(0, out)));
  };
  return `rgb(${channel(16)}, ${channel(8)}, ${channel(0)})`;
}

/** A small integer hash of a platform's position, stable across reloads. */
export function positionHash(platform: Platform): number {
  let h = Math.imul(platform.centre.x | 0, 0x27d4eb2d) ^ Math.imul(platform.centre.z | 0, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/** The faces of `platform`. */
export function facesOf(platform: Platform): Faces {
  const top = platform.special === null ? (TOPS[positionHash(platform) % TOPS.length] ?? TOPS[0]) : SPECIAL[platform.special];
  return { top, left: shade(top, 0.84), right: shade(top, 0.68), rim: shade(top, 1.35) };
}

/** The sky behind the scene, top to bottom (the page's CSS background matches it). */
export const BACKGROUND = ["#dfe8f4", "#eef0f4", "#f6efe8"] as const;
