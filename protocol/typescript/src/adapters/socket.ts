/**
 * The socket adapter: the only thing the client needs from a platform. Browsers, Node and mini-game runtimes
 * each have their own WebSocket API; an adapter turns one into this small interface, so the same client runs
 * on all of them. `browserSocket()` and `nodeSocket()` ship with the package; the README shows one for
 * WeChat's `wx.connectSocket`.
 *
 * @module
 */

/** What to open. */
export interface SocketRequest {
  /** The `ws://` or `wss://` URL, with `?token=` already added when the token travels in the URL. */
  readonly url: string;
  /** The one subprotocol to offer (`leapfrog.v1.bincode` or `leapfrog.v1.json`). */
  readonly protocol: string;
  /** Headers for the upgrade request (`Authorization`); only given to adapters that can send them. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Why a socket closed. */
export interface SocketClose {
  /** The WebSocket close code (1006 when the connection failed without a close frame). */
  readonly code: number;
  /** The close reason text, or what failed. */
  readonly reason: string;
  /**
   * The HTTP status when the server refused the upgrade (401 for a refused token, 400 for an unsupported
   * protocol version, 503 when full or draining), where the platform exposes it; browsers do not.
   */
  readonly httpStatus?: number;
}

/** What the adapter reports, in this order: `onOpen` at most once, then messages, then `onClose` exactly once. */
export interface SocketHandlers {
  /** The upgrade succeeded. */
  onOpen(): void;
  /** A data frame: a string for a text frame, bytes for a binary frame. */
  onMessage(data: string | Uint8Array): void;
  /** The socket is closed, or could not be opened. Called exactly once, and nothing after it. */
  onClose(close: SocketClose): void;
}

/** An open (or opening) socket. */
export interface Socket {
  /** Sends one data frame: text for a string, binary for bytes. */
  send(data: string | Uint8Array): void;
  /** Closes the socket; `onClose` follows (with this code, or whatever the platform reports). */
  close(code: number, reason: string): void;
}

/** Opens sockets on one platform. */
export interface SocketAdapter {
  /**
   * True when the platform can send headers on the upgrade request, so the token travels in an
   * `Authorization` header instead of the URL (which ends up in access logs).
   */
  readonly canSendHeaders: boolean;
  /** Starts opening a socket; every outcome, failure included, is reported through `handlers`. */
  open(request: SocketRequest, handlers: SocketHandlers): Socket;
}

/**
 * Wraps `handlers` so the adapter's contract holds whatever the platform does: `onOpen` at most once, nothing
 * after `onClose`, `onClose` exactly once (platforms report an error, then a close, or only one of them).
 */
export function guardHandlers(handlers: SocketHandlers): SocketHandlers & { readonly closed: boolean } {
  let opened = false;
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    onOpen() {
      if (opened || closed) return;
      opened = true;
      handlers.onOpen();
    },
    onMessage(data) {
      if (!closed) handlers.onMessage(data);
    },
    onClose(close) {
      if (closed) return;
      closed = true;
      handlers.onClose(close);
    },
  };
}
