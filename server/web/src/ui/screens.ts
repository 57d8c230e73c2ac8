/**
 * The screens over the game: the start card (and a challenge's, when the page was opened from a shared
 * link), the run-over card (score, new bests, the friends passed by name, the rank among friends before and
 * after, the challenge link and a challenge's board), the bar shown while watching a replay, and the
 * failure card.
 *
 * @module
 */

import type { BoardEntry } from "leapfrog-client";

import { type AppState, bestsLine, nameOf, rankLine } from "../state/app.js";
import type { Actions } from "./actions.js";
import { h } from "./dom.js";

/** The overlay for `state`'s screen, or `null` for none (while playing). */
export function screen(state: AppState, actions: Actions): HTMLElement | null {
  switch (state.screen) {
    case "connecting":
      return h("section", { class: "overlay center" }, h("div", { class: "card small" }, h("p", { class: "muted" }, "Connecting…")));
    case "failed":
      return h(
        "section",
        { class: "overlay center" },
        h("div", { class: "card", role: "alert" }, h("h1", {}, "Leapfrog"), h("p", {}, state.failure ?? "Something went wrong.")),
      );
    case "start":
      return start(state, actions);
    case "over":
      return over(state, actions);
    case "watching": {
      const race = state.ghost?.race ?? null;
      return h(
        "section",
        { class: "overlay bottom passthrough" },
        h(
          "div",
          { class: "bar" },
          race === null ? null : h("a", { class: "secondary", "data-testid": "race", href: race }, "Race this run"),
          h("button", { class: "secondary", "data-testid": "stop-watching", onclick: () => actions.stopWatching() }, "Stop watching"),
        ),
      );
    }
    case "playing":
      return null;
  }
}

function start(state: AppState, actions: Actions): HTMLElement {
  const challenge = state.challenge;
  const who = challenge === null ? null : nameOf(challenge.challenge.owner, challenge.challenge.owner_name);
  return h(
    "section",
    { class: "overlay bottom" },
    h(
      "div",
      { class: "card" },
      h("h1", { class: "title" }, "Leapfrog"),
      challenge === null
        ? h("p", { class: "hint" }, "Press and hold to charge, release to jump. Hit the centre for a combo.")
        : h(
            "div",
            { class: "challenge", "data-testid": "challenge" },
            h("p", { class: "lead" }, `${who} challenges you: beat ${challenge.challenge.owner_score} on this course.`),
            state.ghost === null ? null : h("p", { class: "muted" }, `${who}'s ghost races you.`),
            entries("Challenge board", challenge.entries, state.me?.player ?? null, "challenge-board"),
          ),
      h(
        "button",
        { class: "primary", "data-testid": "play", onclick: () => actions.play() },
        challenge === null ? "Play" : "Accept the challenge",
      ),
    ),
  );
}

function over(state: AppState, actions: Actions): HTMLElement {
  const report = state.report;
  const ended = report?.over ?? null;
  const passed = ended?.passed ?? [];
  const bests = ended === null ? "" : bestsLine(ended);
  const rank = ended === null ? null : rankLine(ended);
  const more = ended === null ? 0 : ended.passed_count - passed.length;
  return h(
    "section",
    { class: "overlay bottom" },
    h(
      "div",
      { class: "card", "data-testid": "run-over", role: "dialog", "aria-label": "Run over" },
      h("p", { class: "label" }, "Game over"),
      h("p", { class: "final", "data-testid": "final-score" }, String(report?.score ?? state.score)),
      bests === "" ? null : h("p", { class: "bests" }, h("span", { class: "star", "aria-hidden": "true" }, "★ "), bests),
      passed.length === 0
        ? null
        : h(
            "div",
            { class: "passed", "data-testid": "passed" },
            h("h2", {}, `You passed ${ended?.passed_count === 1 ? "a friend" : `${ended?.passed_count} friends`}`),
            h(
              "ul",
              {},
              ...passed.map((friend) =>
                h("li", { "data-player": friend.player }, h("span", { class: "who" }, nameOf(friend.player, friend.name)), h("span", { class: "num" }, String(friend.score))),
              ),
              more > 0 ? h("li", { class: "muted" }, `and ${more} more`) : null,
            ),
          ),
      rank === null ? null : h("p", { class: "rank", "data-testid": "rank" }, rank),
      report?.over === null && report !== null ? h("p", { class: "muted" }, "Recording your score…") : null,
      state.challenge === null || report?.challenge === null
        ? null
        : entries("Challenge board", state.challenge.entries, state.me?.player ?? null, "challenge-board"),
      report === null
        ? null
        : report.link === null
          ? h(
              "button",
              { class: "secondary", "data-testid": "open-challenge", onclick: () => actions.shareRun() },
              "Challenge a friend on this course",
            )
          : h(
            "div",
            { class: "share" },
            h("p", { class: "muted" }, "Challenge a friend on this course:"),
            h(
              "div",
              { class: "share-row" },
              h("a", { class: "link", "data-testid": "challenge-link", href: report.link }, report.link),
              h("button", { class: "secondary small", onclick: () => actions.copyLink(report.link ?? "") }, "Copy"),
            ),
          ),
      h("button", { class: "primary", "data-testid": "play", onclick: () => actions.play() }, "Play again"),
    ),
  );
}

/** A ranked list of board entries (the player's own marked in words, not only by colour). */
export function entries(title: string, list: readonly BoardEntry[], me: string | null, testid: string): HTMLElement {
  return h(
    "div",
    { class: "board" },
    h("h2", {}, title),
    list.length === 0
      ? h("p", { class: "muted", "data-testid": testid }, "No scores yet.")
      : h(
          "ol",
          { "data-testid": testid },
          ...list.map((entry) =>
            h(
              "li",
              { class: entry.player === me ? "me" : "", "data-player": entry.player },
              h("span", { class: "rank" }, `${entry.rank}`),
              h("span", { class: "who" }, nameOf(entry.player, entry.name), entry.player === me ? " (you)" : ""),
              h("span", { class: "num" }, String(entry.score)),
            ),
          ),
        ),
  );
}
