/**
 * The heads-up display over the canvas: the score and the combo, the connection, the buttons that open
 * the panels (with the inbox's and the requests' counts), and the ghost's badge.
 *
 * @module
 */

import type { AppState } from "../state/app.js";
import type { Actions } from "./actions.js";
import { h, replace } from "./dom.js";

/** The HUD's elements, updated in place. */
export class Hud {
  readonly element: HTMLElement;
  readonly #score = h("div", { class: "score", "data-testid": "score", "aria-label": "Score", "aria-live": "polite" }, "0");
  readonly #combo = h("div", { class: "combo", "data-testid": "combo", "data-combo": 0 });
  readonly #status = h("div", { class: "status", role: "status" });
  readonly #friends: HTMLButtonElement;
  readonly #inbox: HTMLButtonElement;
  readonly #ghost = h("div", { class: "ghost-badge", "data-testid": "ghost", hidden: true });

  constructor(actions: Actions) {
    const open = (panel: "friends" | "boards" | "inbox") => () => actions.panel(panel);
    this.#friends = h("button", { class: "chip", "data-testid": "open-friends", onclick: open("friends") }, "Friends");
    this.#inbox = h("button", { class: "chip", "data-testid": "open-inbox", onclick: open("inbox") }, "Inbox");
    this.element = h(
      "header",
      { class: "hud" },
      h("div", { class: "tally" }, this.#score, this.#combo),
      h(
        "nav",
        { class: "chips", "aria-label": "Panels" },
        this.#friends,
        h("button", { class: "chip", "data-testid": "open-boards", onclick: open("boards") }, "Boards"),
        this.#inbox,
      ),
      this.#status,
      this.#ghost,
    );
  }

  /** Shows `state`. */
  render(state: AppState): void {
    this.#score.textContent = String(state.score);
    this.#combo.dataset["combo"] = String(state.combo);
    this.#combo.textContent = state.combo >= 2 ? `Perfect ×${state.combo}` : state.combo === 1 ? "Perfect!" : "";
    this.#status.textContent = state.online || state.screen === "connecting" ? "" : "Reconnecting…";
    badge(this.#friends, "Friends", state.incoming.length, "request");
    badge(this.#inbox, "Inbox", state.inbox.length, "unread");
    const ghost = state.ghost;
    this.#ghost.hidden = ghost === null;
    if (ghost !== null) {
      this.#ghost.dataset["jumps"] = String(ghost.jumps);
      this.#ghost.dataset["score"] = String(ghost.score);
      this.#ghost.dataset["state"] = ghost.over ? "over" : "playing";
      const verb = ghost.mode === "race" ? "Ghost" : "Watching";
      replace(
        this.#ghost,
        h("span", { class: "ghost-icon", "aria-hidden": "true" }),
        `${verb}: ${ghost.name} · ${ghost.score}`,
        ghost.over ? ` (final ${ghost.finalScore})` : "",
      );
    }
  }
}

/** A button's label with a count, spelled out for screen readers. */
function badge(button: HTMLButtonElement, label: string, count: number, what: string): void {
  const text = count > 0 ? `${count}` : "";
  const current = button.querySelector(".count")?.textContent ?? "";
  if (button.childNodes.length > 0 && current === text) return;
  replace(button, label, count > 0 ? h("span", { class: "count" }, text) : null);
  button.setAttribute("aria-label", count > 0 ? `${label}, ${count} ${what}${count === 1 ? "" : "s"}` : label);
}
