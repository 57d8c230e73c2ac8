/**
 * Toasts: short messages at the top of the screen (a friend passed you, a request came, an error). The
 * newest one shows; each leaves by itself after a few seconds.
 *
 * @module
 */

import type { Toast } from "../state/app.js";
import { h, replace } from "./dom.js";

export class Toasts {
  readonly element = h("div", { class: "toasts", "aria-live": "polite" });
  #shown: number | null = null;

  render(toasts: readonly Toast[]): void {
    const newest = toasts[toasts.length - 1] ?? null;
    if ((newest?.id ?? null) === this.#shown) return;
    this.#shown = newest?.id ?? null;
    replace(this.element, newest === null ? null : h("div", { class: "toast", role: "status", "data-testid": "toast" }, newest.text));
  }
}
