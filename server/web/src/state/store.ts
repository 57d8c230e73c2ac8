/**
 * The page's state holder: the current {@link AppState}, `dispatch` to change it through the reducer, and
 * listeners told of each change with the state before it.
 *
 * @module
 */

import { type Action, type AppState, INITIAL, reduce } from "./app.js";

/** Told of every change: the new state and the one before. */
export type Listener = (state: AppState, before: AppState) => void;

/** Holds the state. */
export class Store {
  #state: AppState = INITIAL;
  readonly #listeners: Listener[] = [];

  get state(): AppState {
    return this.#state;
  }

  dispatch(action: Action): void {
    const before = this.#state;
    const after = reduce(before, action);
    if (after === before) return;
    this.#state = after;
    for (const listener of this.#listeners) listener(after, before);
  }

  subscribe(listener: Listener): void {
    this.#listeners.push(listener);
  }
}
