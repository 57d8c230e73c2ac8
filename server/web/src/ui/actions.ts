/**
 * What the controls can ask the game to do. The UI modules only call these; `main.ts` implements them with
 * the client, the stage and the store.
 *
 * @module
 */

import type { Period } from "leapfrog-client";

import type { Panel } from "../state/app.js";

export interface Actions {
  /** Starts a run (a challenge run when the page plays a challenge). */
  play(): void;
  /** Opens a panel over the game, or closes the open one (`null`). */
  panel(panel: Panel | null): void;
  addFriend(player: string): void;
  accept(player: string): void;
  decline(player: string): void;
  removeFriend(player: string): void;
  block(player: string): void;
  setName(name: string): void;
  period(period: Period): void;
  /** Acknowledges every notification in the inbox. */
  markRead(): void;
  /** Watches a player's best run of the chosen period. */
  watch(player: string): void;
  /** Stops watching. */
  stopWatching(): void;
  /** Copies the challenge link. */
  copyLink(link: string): void;
  /** Shares the run just played as a challenge, and shows its link. */
  shareRun(): void;
}
