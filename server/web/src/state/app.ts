/**
 * The page's state outside the canvas, and the reducer that changes it: who is playing, the screen, the
 * score, friends and requests, boards, the inbox of unacknowledged notifications, toasts, the last run's
 * report, a challenge, a ghost and the open panel. Pure: the UI renders from it, the tests drive it.
 *
 * @module
 */

import type {
  BoardPage,
  Challenge,
  ChallengePage,
  Event,
  Notification,
  NotificationId,
  Period,
  PlayerCard,
  RunOver,
} from "leapfrog-client";
import { compareNotificationIds } from "leapfrog-client";

/** What fills the screen. */
export type Screen = "connecting" | "start" | "playing" | "over" | "watching" | "failed";

/** A drawer that opens over the game. */
export type Panel = "friends" | "boards" | "inbox";

/** A short message at the top of the screen. */
export interface Toast {
  readonly id: number;
  readonly text: string;
}

/** The end of a run as the run-over screen shows it. */
export interface RunReport {
  readonly score: number;
  /** The server's figures, once known (`null` while they are recorded, or when lost with a connection). */
  readonly over: RunOver | null;
  /** The run's id, to share it as a challenge. */
  readonly runId: string;
  /** The challenge the run was played on, if any. */
  readonly challenge: string | null;
  /** The link to challenge friends on this course, once made. */
  readonly link: string | null;
}

/** A ghost running on the stage. */
export interface GhostView {
  readonly name: string;
  readonly mode: "race" | "watch";
  readonly jumps: number;
  readonly score: number;
  readonly finalScore: number;
  readonly over: boolean;
  /** A link to race this run on its course (when its player shared it as a challenge). */
  readonly race: string | null;
}

/** Everything outside the canvas. */
export interface AppState {
  readonly me: { readonly player: string; readonly name: string | null } | null;
  readonly screen: Screen;
  readonly failure: string | null;
  readonly online: boolean;
  readonly score: number;
  readonly combo: number;
  readonly friends: readonly PlayerCard[];
  readonly incoming: readonly PlayerCard[];
  readonly outgoing: readonly PlayerCard[];
  readonly period: Period;
  readonly friendsBoard: BoardPage | null;
  readonly globalBoard: BoardPage | null;
  /** Unacknowledged notifications, oldest first, each id once. */
  readonly inbox: readonly Notification[];
  readonly toasts: readonly Toast[];
  readonly report: RunReport | null;
  /** The challenge this page plays (from a shared link), and its board. */
  readonly challenge: ChallengePage | null;
  readonly ghost: GhostView | null;
  readonly panel: Panel | null;
}

/** Every change. */
export type Action =
  | { readonly type: "welcomed"; readonly player: string }
  | { readonly type: "online"; readonly online: boolean }
  | { readonly type: "failed"; readonly message: string }
  | { readonly type: "screen"; readonly screen: Screen }
  | { readonly type: "score"; readonly score: number; readonly combo: number }
  | { readonly type: "name"; readonly name: string | null }
  | { readonly type: "friends"; readonly friends: readonly PlayerCard[] }
  | { readonly type: "requests"; readonly incoming: readonly PlayerCard[]; readonly outgoing: readonly PlayerCard[] }
  | { readonly type: "period"; readonly period: Period }
  | { readonly type: "board"; readonly page: BoardPage }
  | { readonly type: "notified"; readonly notification: Notification }
  | { readonly type: "acked"; readonly upTo: NotificationId }
  | { readonly type: "toast"; readonly id: number; readonly text: string }
  | { readonly type: "untoast"; readonly id: number }
  | { readonly type: "report"; readonly report: RunReport | null }
  | { readonly type: "challenge"; readonly page: ChallengePage | null }
  | { readonly type: "ghost"; readonly ghost: GhostView | null }
  | { readonly type: "panel"; readonly panel: Panel | null };

/** The state before anything happened. */
export const INITIAL: AppState = {
  me: null,
  screen: "connecting",
  failure: null,
  online: false,
  score: 0,
  combo: 0,
  friends: [],
  incoming: [],
  outgoing: [],
  period: "weekly",
  friendsBoard: null,
  globalBoard: null,
  inbox: [],
  toasts: [],
  report: null,
  challenge: null,
  ghost: null,
  panel: null,
};

/** Toasts shown at once; older ones leave first. */
const MAX_TOASTS = 3;

/** The state after `action`. */
export function reduce(state: AppState, action: Action): AppState {
  switch (action.type) {
    case "welcomed":
      return { ...state, me: { player: action.player, name: state.me?.name ?? null }, online: true };
    case "online":
      return { ...state, online: action.online };
    case "failed":
      return { ...state, screen: "failed", failure: action.message };
    case "screen":
      return { ...state, screen: action.screen, panel: action.screen === "playing" ? null : state.panel };
    case "score":
      return { ...state, score: action.score, combo: action.combo };
    case "name":
      return state.me === null ? state : { ...state, me: { ...state.me, name: action.name } };
    case "friends":
      return { ...state, friends: action.friends };
    case "requests":
      return { ...state, incoming: action.incoming, outgoing: action.outgoing };
    case "period":
      return action.period === state.period ? state : { ...state, period: action.period, friendsBoard: null, globalBoard: null };
    case "board":
      if (action.page.board.period !== state.period) return state;
      return action.page.board.scope === "friends" ? { ...state, friendsBoard: action.page } : { ...state, globalBoard: action.page };
    case "notified": {
      const id = action.notification.id;
      if (state.inbox.some((kept) => kept.id === id)) return state;
      const inbox = [...state.inbox, action.notification].sort((a, b) => compareNotificationIds(a.id, b.id));
      return { ...state, inbox };
    }
    case "acked":
      return { ...state, inbox: state.inbox.filter((kept) => compareNotificationIds(kept.id, action.upTo) > 0) };
    case "toast":
      return { ...state, toasts: [...state.toasts, { id: action.id, text: action.text }].slice(-MAX_TOASTS) };
    case "untoast":
      return { ...state, toasts: state.toasts.filter((toast) => toast.id !== action.id) };
    case "report":
      return { ...state, report: action.report };
    case "challenge":
      return { ...state, challenge: action.page };
    case "ghost":
      return { ...state, ghost: action.ghost };
    case "panel":
      return { ...state, panel: action.panel };
  }
}

/** How a player is named: their display name, or else their id. */
export function nameOf(player: string, name: string | null | undefined): string {
  return name === null || name === undefined || name.trim() === "" ? player : name;
}

/** What a notification says, in a sentence. */
export function describe(event: Event): string {
  if ("friend_passed" in event) {
    const { friend, name, their_score, your_score } = event.friend_passed;
    return `${nameOf(friend, name)} passed you with ${their_score} (your best: ${your_score})`;
  }
  if ("friends_passed_summary" in event) {
    const { count, names, best_score } = event.friends_passed_summary;
    const who = names.length > 0 ? names.join(", ") : `${count} friends`;
    return `${who} passed you too${count > names.length ? ` and ${count - names.length} more` : ""} (best ${best_score})`;
  }
  if ("friend_request_received" in event) {
    const { from, name } = event.friend_request_received;
    return `${nameOf(from, name)} wants to be friends`;
  }
  const { by, name } = event.friend_request_accepted;
  return `${nameOf(by, name)} accepted your friend request`;
}

/** True for the notifications that change the friend lists (so they are read again). */
export function changesFriends(event: Event): boolean {
  return "friend_request_received" in event || "friend_request_accepted" in event;
}

/** The link that plays challenge `id` on this page's origin. */
export function challengeLink(origin: string, challenge: Pick<Challenge, "challenge">): string {
  return `${origin}/?challenge=${challenge.challenge}`;
}

/** A line about the rank among friends before and after a run, or `null` without ranks. */
export function rankLine(over: RunOver): string | null {
  const after = over.friend_rank_after;
  if (after === null) return null;
  const before = over.friend_rank_before;
  if (before === null) return `Rank among friends this week: #${after}`;
  if (before === after) return `Rank among friends this week: #${after} (unchanged)`;
  return `Rank among friends this week: #${before} → #${after}`;
}

/** The new bests of a run, in words (empty without one). */
export function bestsLine(over: RunOver): string {
  const bests = [
    over.new_best.daily ? "today" : null,
    over.new_best.weekly ? "this week" : null,
    over.new_best.all_time ? "all time" : null,
  ].filter((best) => best !== null);
  return bests.length === 0 ? "" : `New best: ${bests.join(", ")}`;
}
