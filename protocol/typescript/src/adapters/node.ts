/**
 * Node's WebSocket (the `ws` package) as a {@link SocketAdapter}. `ws` sends headers on the upgrade, so the
 * token travels in `Authorization`, and it reports the HTTP status of a refused upgrade, so the client can
 * tell a refused token (401) from a server that is full (503).
 *
 * @module
 */

import WebSocket, { type ClientOptions } from "ws";

import { type SocketAdapter, guardHandlers } from "./socket.js";

/** A refused upgrade's answer body is read up to this many bytes, for the close reason. */
const MAX_REFUSAL_BYTES = 1024;

/**
 * An adapter over `ws`.
 *
 * @param options - extra `ws` client options (TLS settings, an agent, `handshakeTimeout`); the adapter sets
 *   the headers and a 64 KiB `maxPayload` (the protocol's largest server frame) itself.
 */
export function nodeSocket(options: ClientOptions = {}): SocketAdapter {
  return {
    canSendHeaders: true,
    open(request, handlers) {
      const guarded = guardHandlers(handlers);
      const socket = new WebSocket(request.url, request.protocol, {
        maxPayload: 64 * 1024,
        handshakeTimeout: 10_000,
        ...options,
        headers: { ...options.headers, ...request.headers },
      });
      socket.on("open", () => guarded.onOpen());
      // The default binaryType, "nodebuffer": every message is one Buffer.
      socket.on("message", (data: Buffer, isBinary: boolean) => {
        guarded.onMessage(
          isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8"),
        );
      });
      socket.on("unexpected-response", (_request, response) => {
        const chunks: Buffer[] = [];
        let length = 0;
        response.on("data", (chunk: Buffer) => {
          if (length < MAX_REFUSAL_BYTES) chunks.push(chunk);
          length += chunk.length;
        });
        const refused = () => {
          const body = Buffer.concat(chunks).subarray(0, MAX_REFUSAL_BYTES).toString("utf8").trim();
          const status = response.statusCode ?? 0;
          guarded.onClose({
            code: 1006,
            reason: `upgrade refused with HTTP ${status}${body ? `: ${body}` : ""}`,
            httpStatus: status,
          });
          socket.terminate();
        };
        response.on("end", refused);
        response.on("error", refused);
      });
      socket.on("error", (error: Error) => {
        if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) {
          guarded.onClose({ code: 1006, reason: error.message });
        }
      });
      socket.on("close", (code: number, reason: Buffer) => guarded.onClose({ code, reason: reason.toString("utf8") }));
      return {
        send: (data) => socket.send(data),
        close: (code, reason) => {
          if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
          else socket.close(code, reason);
          guarded.onClose({ code, reason });
        },
      };
    },
  };
}
