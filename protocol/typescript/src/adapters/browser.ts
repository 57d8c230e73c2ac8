/**
 * The browser's `WebSocket` as a {@link SocketAdapter}. Browsers cannot set headers on the upgrade request, so
 * the client sends the token in the URL or in `hello` instead.
 *
 * @module
 */

import { type SocketAdapter, guardHandlers } from "./socket.js";

/** The part of the browser's `WebSocket` this adapter uses, so the package needs no DOM typings. */
export interface BrowserWebSocket {
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}

/** A `WebSocket` constructor: the browser's, or a compatible one. */
export type BrowserWebSocketConstructor = new (url: string, protocols: string | string[]) => BrowserWebSocket;

/**
 * An adapter over the browser's `WebSocket`.
 *
 * @param WebSocketImpl - the constructor to use; defaults to the global `WebSocket`.
 * @throws Error when there is no `WebSocket` to use.
 */
export function browserSocket(WebSocketImpl?: BrowserWebSocketConstructor): SocketAdapter {
  const Impl = WebSocketImpl ?? (globalThis as { WebSocket?: BrowserWebSocketConstructor }).WebSocket;
  if (Impl === undefined)
    throw new Error("browserSocket: no global WebSocket here; pass a constructor, or use nodeSocket()");
  return {
    canSendHeaders: false,
    open(request, handlers) {
      const guarded = guardHandlers(handlers);
      const socket = new Impl(request.url, request.protocol);
      socket.binaryType = "arraybuffer";
      socket.onopen = () => guarded.onOpen();
      socket.onmessage = (event) => {
        const { data } = event;
        if (typeof data === "string") guarded.onMessage(data);
        else if (data instanceof ArrayBuffer) guarded.onMessage(new Uint8Array(data));
      };
      // The browser follows an error with a close event carrying the code (1006); wait for it.
      socket.onerror = () => {};
      socket.onclose = (event) => guarded.onClose({ code: event.code, reason: event.reason });
      return {
        send: (data) => socket.send(data),
        close: (code, reason) => {
          try {
            socket.close(code, reason);
          } finally {
            // Report the close now: the caller has moved on, and a socket still connecting may never say.
            guarded.onClose({ code, reason });
          }
        },
      };
    },
  };
}
