/**
 * `leapfrog-client`: the TypeScript client SDK of a Leapfrog server, for browsers and mini-game runtimes
 * (this entry point imports nothing from Node; `leapfrog-client/node` adds the Node socket adapter).
 *
 * - {@link LeapfrogClient}: one connection object: connect with a token, typed request methods returning
 *   promises, notifications and pushes as events, heartbeat, reconnection with backoff and transparent resume.
 * - {@link Run}: a live run with local prediction (leapfrog-rules), paced by the timing model and confirmed by
 *   the server.
 * - The wire messages as TypeScript types, generated from the Rust `protocol` crate, and both codecs.
 * - {@link browserSocket} and the {@link SocketAdapter} interface for other platforms.
 *
 * @module
 */

export { type BrowserWebSocket, type BrowserWebSocketConstructor, browserSocket } from "./adapters/browser.js";
export {
  type Socket,
  type SocketAdapter,
  type SocketClose,
  type SocketHandlers,
  type SocketRequest,
  guardHandlers,
} from "./adapters/socket.js";
export {
  type CallerRequestKind,
  type ClientEvents,
  type ClientOptions,
  type ClientState,
  type DisconnectEvent,
  LeapfrogClient,
  type NotificationEvent,
  type TokenProvider,
  type TokenTransport,
} from "./client.js";
export { type Clock, type TimerHandle, systemClock } from "./clock.js";
export {
  type Codec,
  type CodecName,
  type FrameData,
  MAX_CLIENT_FRAME_BYTES,
  MAX_SERVER_FRAME_BYTES,
  bincode,
  codecNamed,
  decodeServerFrame,
  encodeClientFrame,
  json,
} from "./codec/index.js";
export { compareNotificationIds } from "./codec/schema.js";
export {
  type ClientErrorCode,
  ClientClosedError,
  CodecError,
  ConnectionLostError,
  LeapfrogError,
  RunDisagreementError,
  ServerError,
  TimeoutError,
} from "./errors.js";
export type * from "./generated/messages.js";
export { SCHEMA } from "./generated/messages.js";
export { type Goodbye, type ReconnectOptions, DEFAULT_RECONNECT, backoffDelayMs } from "./reconnect.js";
export {
  ANSWERS,
  type AnswerTo,
  type RequestKind,
  type RequestOptions,
  type RequestPayload,
  type ResponseKind,
} from "./requests.js";
export { type JumpTicket, Run, type RunEvents, type RunOptions } from "./run.js";
