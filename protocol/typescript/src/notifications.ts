/**
 * Notification bookkeeping. The server delivers a notification again after every reconnect until it is
 * acknowledged, and a live push can race the catch-up after `welcome`, so the same notification can arrive
 * several times: the client emits each id once. Acknowledgements are cumulative ("everything up to this
 * id"), and ids grow with time, so one high-water mark says what is acknowledged.
 *
 * @module
 */

import { compareNotificationIds } from "./codec/schema.js";
import type { NotificationId } from "./generated/messages.js";

/** Ids remembered as emitted, beyond the acknowledged mark (the server keeps at most 500 per inbox). */
const REMEMBERED = 2_048;

/** Which notifications were emitted and which are acknowledged. */
export class NotificationLedger {
  readonly #emitted = new Set<NotificationId>();
  #ackedUpTo: NotificationId | null = null;
  #newest: NotificationId | null = null;

  /**
   * True (once per id) when notification `id` should be emitted: not emitted before and not acknowledged.
   */
  admit(id: NotificationId): boolean {
    if (this.isAcked(id) || this.#emitted.has(id)) return false;
    this.#emitted.add(id);
    if (this.#emitted.size > REMEMBERED) {
      // Forget the oldest (a Set iterates in insertion order); it is far below anything still in flight.
      const oldest = this.#emitted.values().next();
      if (oldest.done !== true) this.#emitted.delete(oldest.value);
    }
    if (this.#newest === null || compareNotificationIds(id, this.#newest) > 0) this.#newest = id;
    return true;
  }

  /** True when `id` is at or below the acknowledged mark. */
  isAcked(id: NotificationId): boolean {
    return this.#ackedUpTo !== null && compareNotificationIds(id, this.#ackedUpTo) <= 0;
  }

  /** Records that everything up to `upTo` is acknowledged. */
  acked(upTo: NotificationId): void {
    if (this.isAcked(upTo)) return;
    this.#ackedUpTo = upTo;
    for (const id of this.#emitted) if (this.isAcked(id)) this.#emitted.delete(id);
  }

  /** The newest notification emitted, for `hello.last_notification`. */
  get newest(): NotificationId | null {
    return this.#newest;
  }
}
