/**
 * The two codecs of the protocol behind one interface, with the frame rules they share: the subprotocol
 * names, which frame kind each carries, and the size limits of each direction (`PROTOCOL.md` sections 1-2).
 *
 * @module
 */

import { CodecError } from "../errors.js";
import type { ClientFrame, Messages, ServerFrame } from "../generated/messages.js";
import { decodeBincode, encodeBincode } from "./bincode.js";
import { decodeJson, encodeJson } from "./json.js";
import { encodeUtf8 } from "./utf8.js";

/** Largest frame a client may send, in bytes (either codec). */
export const MAX_CLIENT_FRAME_BYTES = 4 * 1024;
/** Largest frame a server sends, in bytes (either codec). */
export const MAX_SERVER_FRAME_BYTES = 64 * 1024;

/** A codec by its short name: `bincode` (binary frames, compact) or `json` (text frames, readable). */
export type CodecName = "bincode" | "json";

/** A WebSocket data frame's payload: text for JSON, bytes for bincode. */
export type FrameData = string | Uint8Array;

/** Encodes and decodes whole frames of one subprotocol. */
export interface Codec {
  /** Its short name. */
  readonly name: CodecName;
  /** The `Sec-WebSocket-Protocol` name, which carries the protocol version. */
  readonly subprotocol: "leapfrog.v1.bincode" | "leapfrog.v1.json";
  /**
   * Encodes a message of schema type `type`.
   *
   * @throws CodecError `malformed_frame` when the value does not have the type, `frame_too_large` when the
   *   encoding is longer than `limit` bytes.
   */
  encode<T extends keyof Messages>(type: T, value: Messages[T], limit: number): FrameData;
  /**
   * Decodes a frame as schema type `type`.
   *
   * @throws CodecError `unsupported_codec` for the other codec's frame kind, `frame_too_large` past `limit`
   *   bytes, `malformed_frame` for anything that is not exactly one such message.
   */
  decode<T extends keyof Messages>(type: T, data: FrameData, limit: number): Messages[T];
}

function tooLarge(length: number, limit: number): CodecError {
  return new CodecError("frame_too_large", `a frame of ${length} bytes exceeds the limit of ${limit} bytes`);
}

function wrongKind(subprotocol: string, expected: string, got: string): CodecError {
  return new CodecError(
    "unsupported_codec",
    `a ${got} frame on the ${subprotocol} subprotocol, which carries ${expected} frames`,
  );
}

/** bincode in binary frames. */
export const bincode: Codec = {
  name: "bincode",
  subprotocol: "leapfrog.v1.bincode",
  encode(type, value, limit) {
    const bytes = encodeBincode(type, value);
    if (bytes.length > limit) throw tooLarge(bytes.length, limit);
    return bytes;
  },
  decode(type, data, limit) {
    if (typeof data === "string") throw wrongKind(this.subprotocol, "binary", "text");
    if (data.length > limit) throw tooLarge(data.length, limit);
    return decodeBincode(type, data) as Messages[typeof type];
  },
};

/** JSON in text frames. Limits count UTF-8 bytes, as the server does. */
export const json: Codec = {
  name: "json",
  subprotocol: "leapfrog.v1.json",
  encode(type, value, limit) {
    const text = encodeJson(type, value);
    const length = encodeUtf8(text).length;
    if (length > limit) throw tooLarge(length, limit);
    return text;
  },
  decode(type, data, limit) {
    if (typeof data !== "string") throw wrongKind(this.subprotocol, "text", "binary");
    // A UTF-16 unit is at most 3 UTF-8 bytes, so only a long text needs counting.
    if (data.length > limit / 3) {
      const length = encodeUtf8(data).length;
      if (length > limit) throw tooLarge(length, limit);
    }
    return decodeJson(type, data) as Messages[typeof type];
  },
};

/** The codec of a short name. */
export function codecNamed(name: CodecName): Codec {
  return name === "bincode" ? bincode : json;
}

/** Encodes a client frame within the client limit. */
export function encodeClientFrame(codec: Codec, frame: ClientFrame): FrameData {
  return codec.encode("ClientFrame", frame, MAX_CLIENT_FRAME_BYTES);
}

/** Decodes a server frame within the server limit. */
export function decodeServerFrame(codec: Codec, data: FrameData): ServerFrame {
  return codec.decode("ServerFrame", data, MAX_SERVER_FRAME_BYTES);
}
