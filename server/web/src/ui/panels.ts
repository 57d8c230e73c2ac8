/**
 * The drawers over the game (a side sheet on a desktop, a full-height sheet on a phone): friends (your
 * name, adding a friend by id, incoming and sent requests, the friend list with watch, remove and block),
 * boards (friends and global, today, this week and all time) and the inbox of unacknowledged notifications.
 * A drawer is in the page only while open; its forms persist while its lists refresh.
 *
 * @module
 */

import type { Period, PlayerCard } from "leapfrog-client";

import { type AppState, type Panel, describe, nameOf } from "../state/app.js";
import type { Actions } from "./actions.js";
import { h, replace } from "./dom.js";
import { entries } from "./screens.js";

const PERIODS: readonly [Period, string][] = [
  ["daily", "Today"],
  ["weekly", "This week"],
  ["all_time", "All time"],
];

/** The open drawer, if any. */
export class Panels {
  readonly element = h("div", { class: "panels" });
  readonly #actions: Actions;
  #open: Panel | null = null;
  #lists: HTMLElement | null = null;

  constructor(actions: Actions) {
    this.#actions = actions;
  }

  /** Shows `state`'s drawer, rebuilding its lists when what they show changed. */
  render(state: AppState, before: AppState | null): void {
    if (state.panel !== this.#open) {
      this.#open = state.panel;
      this.#lists = null;
      replace(this.element, state.panel === null ? null : this.#drawer(state.panel));
      before = null;
    }
    const lists = this.#lists;
    if (state.panel === null || lists === null) return;
    const changed = (keys: readonly (keyof AppState)[]) => before === null || keys.some((key) => state[key] !== before[key]);
    switch (state.panel) {
      case "friends":
        if (changed(["friends", "incoming", "outgoing", "me"])) replace(lists, ...this.#friends(state));
        return;
      case "boards":
        if (changed(["period", "friendsBoard", "globalBoard", "me"])) replace(lists, ...this.#boards(state));
        return;
      case "inbox":
        if (changed(["inbox"])) replace(lists, ...this.#inbox(state));
        return;
    }
  }

  #drawer(panel: Panel): HTMLElement {
    const titles: Record<Panel, string> = { friends: "Friends", boards: "Leaderboards", inbox: "Inbox" };
    this.#lists = h("div", { class: "lists" });
    const close = h("button", { class: "close", "aria-label": "Close", "data-testid": "close-panel", onclick: () => this.#actions.panel(null) }, "✕");
    return h(
      "aside",
      { class: `drawer ${panel}`, role: "dialog", "aria-label": titles[panel], "data-testid": `panel-${panel}` },
      h("div", { class: "drawer-head" }, h("h2", {}, titles[panel]), close),
      panel === "friends" ? this.#friendForms() : null,
      panel === "boards" ? this.#periodTabs() : null,
      panel === "inbox"
        ? h("button", { class: "secondary small", "data-testid": "mark-read", onclick: () => this.#actions.markRead() }, "Mark all as read")
        : null,
      this.#lists,
    );
  }

  #friendForms(): HTMLElement {
    const name = h("input", { type: "text", maxlength: 32, placeholder: "Your display name", "aria-label": "Your display name", "data-testid": "name-input" });
    const id = h("input", {
      type: "text",
      maxlength: 64,
      placeholder: "Player id",
      "aria-label": "Player id to add as a friend",
      "data-testid": "add-friend-input",
      autocapitalize: "off",
      autocomplete: "off",
      spellcheck: "false",
    });
    const submit = (input: HTMLInputElement, action: (value: string) => void) => (event: Event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (value === "") return;
      action(value);
      input.value = "";
    };
    return h(
      "div",
      { class: "forms" },
      h(
        "form",
        { class: "row", onsubmit: submit(id, (player) => this.#actions.addFriend(player)) },
        id,
        h("button", { class: "primary small", type: "submit", "data-testid": "add-friend" }, "Add friend"),
      ),
      h(
        "form",
        { class: "row", onsubmit: submit(name, (value) => this.#actions.setName(value)) },
        name,
        h("button", { class: "secondary small", type: "submit", "data-testid": "save-name" }, "Save name"),
      ),
    );
  }

  #friends(state: AppState): (HTMLElement | null)[] {
    const me = state.me;
    const person = (card: PlayerCard) => h("span", { class: "who" }, nameOf(card.player, card.name), card.name === null ? null : h("small", {}, ` @${card.player}`));
    return [
      h("p", { class: "muted me-line" }, me === null ? "" : `You are ${nameOf(me.player, me.name)} (id: ${me.player})`),
      h("h3", {}, `Requests (${state.incoming.length})`),
      h(
        "ul",
        { class: "people", "data-testid": "requests" },
        ...state.incoming.map((card) =>
          h(
            "li",
            { "data-player": card.player },
            person(card),
            h("button", { class: "primary small", "data-testid": "accept-request", onclick: () => this.#actions.accept(card.player) }, "Accept"),
            h("button", { class: "secondary small", "data-testid": "decline-request", onclick: () => this.#actions.decline(card.player) }, "Decline"),
          ),
        ),
        state.incoming.length === 0 ? h("li", { class: "muted" }, "No requests.") : null,
      ),
      state.outgoing.length === 0
        ? null
        : h(
            "ul",
            { class: "people sent", "data-testid": "sent-requests" },
            ...state.outgoing.map((card) => h("li", {}, person(card), h("span", { class: "muted" }, "request sent"))),
          ),
      h("h3", {}, `Friends (${state.friends.length})`),
      h(
        "ul",
        { class: "people", "data-testid": "friends" },
        ...state.friends.map((card) =>
          h(
            "li",
            { "data-player": card.player },
            person(card),
            h("button", { class: "secondary small", "data-testid": "watch", onclick: () => this.#actions.watch(card.player) }, "Watch best"),
            h("button", { class: "ghosted small", onclick: () => this.#actions.removeFriend(card.player) }, "Remove"),
            h("button", { class: "ghosted small danger", onclick: () => this.#actions.block(card.player) }, "Block"),
          ),
        ),
        state.friends.length === 0 ? h("li", { class: "muted" }, "Add friends by their player id.") : null,
      ),
    ];
  }

  #periodTabs(): HTMLElement {
    return h(
      "div",
      { class: "tabs", role: "tablist" },
      ...PERIODS.map(([period, label]) =>
        h("button", { class: "tab", role: "tab", "data-period": period, "data-testid": `period-${period}`, onclick: () => this.#actions.period(period) }, label),
      ),
    );
  }

  #boards(state: AppState): HTMLElement[] {
    for (const tab of this.element.querySelectorAll<HTMLElement>(".tab")) {
      const selected = tab.dataset["period"] === state.period;
      tab.setAttribute("aria-selected", String(selected));
    }
    const me = state.me?.player ?? null;
    const loading = (testid: string, title: string) => h("div", { class: "board" }, h("h2", {}, title), h("p", { class: "muted", "data-testid": testid }, "Loading…"));
    return [
      state.friendsBoard === null ? loading("friends-board", "Friends") : entries("Friends", state.friendsBoard.entries, me, "friends-board"),
      state.globalBoard === null ? loading("global-board", "Everyone") : entries("Everyone", state.globalBoard.entries, me, "global-board"),
    ];
  }

  #inbox(state: AppState): HTMLElement[] {
    return [
      h(
        "ul",
        { class: "notes", "data-testid": "inbox" },
        ...[...state.inbox].reverse().map((note) =>
          h("li", { "data-id": note.id }, h("span", {}, describe(note.event)), h("time", { datetime: new Date(note.created_ms).toISOString() }, timeOf(note.created_ms))),
        ),
        state.inbox.length === 0 ? h("li", { class: "muted" }, "Nothing new.") : null,
      ),
    ];
  }
}

function timeOf(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
}
