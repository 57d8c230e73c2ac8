/**
 * The bincode codec (`leapfrog.v1.bincode`, binary frames): bincode 2 in serde mode with the protocol's
 * configuration (`PROTOCOL.md` section 4), driven by the generated `SCHEMA`.
 *
 * - Integers are varints: below 251 one byte; otherwise a marker then the value little-endian (`251` + u16,
 *   `252` + u32, `253` + u64). Signed integers are zigzag-encoded first. A `u8` is one raw byte. Like
 *   bincode, the decoder takes a wider marker than needed but refuses one wider than the type.
 * - `bool` and an `Option`'s tag are one byte, 0 or 1. Strings and lists: a varint length, then the UTF-8
 *   bytes or the elements. A run id is 16 raw bytes; a notification id two u64.
 * - Structs are their fields in order; enums the variant index (a varint), then the variant's fields.
 *
 * Decoding never reads past the frame, refuses a claimed length longer than the bytes left before
 * allocating anything, and refuses trailing bytes, as the Rust decoder does.
 *
 * @module
 */

import { CodecError } from "../errors.js";
import { SCHEMA } from "../generated/messages.js";
import { type Fields, type WireFormat, U64_MAX, isPrimitive, isStructShape, parseNotificationId } from "./schema.js";
import { decodeUtf8, encodeUtf8 } from "./utf8.js";

const U16_MARKER = 251;
const U32_MARKER = 252;
const U64_MARKER = 253;

function malformed(path: string, detail: string): CodecError {
  return new CodecError("malformed_frame", `bincode: ${path}: ${detail}`);
}

/** Encodes `value`, a message of the schema container `type`, into its bytes. */
export function encodeBincode(type: string, value: unknown): Uint8Array {
  const out: number[] = [];
  writeValue(out, type, value, type);
  return Uint8Array.from(out);
}

/** Decodes `bytes`, all of them, as a message of the schema container `type`. */
export function decodeBincode(type: string, bytes: Uint8Array): unknown {
  const reader = new Reader(bytes);
  const value = reader.value(type, type);
  if (reader.remaining() !== 0) throw malformed(type, `${reader.remaining()} trailing bytes after the message`);
  return value;
}

function writeVarint(out: number[], value: number | bigint): void {
  const big = BigInt(value);
  if (big < BigInt(U16_MARKER)) {
    out.push(Number(big));
    return;
  }
  const width = big <= 0xffffn ? 2 : big <= 0xffff_ffffn ? 4 : 8;
  out.push(width === 2 ? U16_MARKER : width === 4 ? U32_MARKER : U64_MARKER);
  for (let i = 0n; i < BigInt(width); i++) out.push(Number((big >> (8n * i)) & 0xffn));
}

function expectInteger(path: string, value: unknown, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw malformed(path, `expected an integer in 0..=${max}, got ${String(value)}`);
  }
  return value;
}

function expectU64Text(path: string, value: unknown): bigint {
  if (typeof value !== "string" || !/^\d{1,20}$/.test(value) || BigInt(value) > U64_MAX) {
    throw malformed(path, `expected a u64 as a decimal string, got ${String(value)}`);
  }
  return BigInt(value);
}

function writeValue(out: number[], format: WireFormat, value: unknown, path: string): void {
  if (typeof format !== "string") {
    const [kind, inner] = format;
    if (kind === "option") {
      if (value === null || value === undefined) {
        out.push(0);
      } else {
        out.push(1);
        writeValue(out, inner, value, path);
      }
    } else {
      if (!Array.isArray(value)) throw malformed(path, "expected a list");
      writeVarint(out, value.length);
      value.forEach((item, i) => writeValue(out, inner, item, `${path}[${i}]`));
    }
    return;
  }
  if (isPrimitive(format)) {
    switch (format) {
      case "bool":
        if (typeof value !== "boolean") throw malformed(path, "expected a boolean");
        out.push(value ? 1 : 0);
        return;
      case "u8":
        out.push(expectInteger(path, value, 0xff));
        return;
      case "u16":
        writeVarint(out, expectInteger(path, value, 0xffff));
        return;
      case "u32":
        writeVarint(out, expectInteger(path, value, 0xffff_ffff));
        return;
      case "u64":
        writeVarint(out, expectInteger(path, value, Number.MAX_SAFE_INTEGER));
        return;
      case "i64": {
        if (typeof value !== "number" || !Number.isSafeInteger(value)) throw malformed(path, "expected a safe integer");
        const big = BigInt(value);
        writeVarint(out, big >= 0n ? big << 1n : (-big << 1n) - 1n);
        return;
      }
      case "str": {
        if (typeof value !== "string") throw malformed(path, "expected a string");
        const bytes = encodeUtf8(value);
        writeVarint(out, bytes.length);
        for (const byte of bytes) out.push(byte);
        return;
      }
      case "run_id":
        if (typeof value !== "string" || !/^[0-9a-f]{32}$/.test(value)) {
          throw malformed(path, "expected a run id (32 lowercase hex digits)");
        }
        for (let i = 0; i < 32; i += 2) out.push(parseInt(value.slice(i, i + 2), 16));
        return;
      case "notification_id": {
        const id = typeof value === "string" ? parseNotificationId(value) : null;
        if (id === null) throw malformed(path, `expected a notification id "<ms>-<seq>", got ${String(value)}`);
        writeVarint(out, id[0]);
        writeVarint(out, id[1]);
        return;
      }
      case "u64_text":
        writeVarint(out, expectU64Text(path, value));
        return;
    }
  }
  const container = SCHEMA[format];
  if (container === undefined) throw malformed(path, `unknown type ${format}`);
  if ("struct" in container) {
    writeFields(out, container.struct, value, path);
    return;
  }
  const [name, payload] = variantOf(value, path);
  const index = container.enum.findIndex(([variant]) => variant === name);
  const shape = container.enum[index]?.[1];
  if (shape === undefined) throw malformed(path, `unknown variant ${name} of ${format}`);
  writeVarint(out, index);
  if (shape === null) {
    if (payload !== undefined) throw malformed(path, `${name} is a unit variant`);
  } else if (isStructShape(shape)) {
    writeFields(out, shape.fields, payload, `${path}.${name}`);
  } else {
    writeValue(out, shape, payload, `${path}.${name}`);
  }
}

/** An enum value's variant name and payload: `"name"` (unit) or `{ name: payload }`. */
export function variantOf(value: unknown, path: string): readonly [string, unknown] {
  if (typeof value === "string") return [value, undefined];
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0] as string;
      return [key, (value as Record<string, unknown>)[key]];
    }
  }
  throw malformed(path, "expected an enum value: a variant name, or an object with exactly one key");
}

function writeFields(out: number[], fields: Fields, value: unknown, path: string): void {
  if (typeof value !== "object" || value === null) throw malformed(path, "expected an object");
  const record = value as Record<string, unknown>;
  for (const [field, format] of fields) writeValue(out, format, record[field], `${path}.${field}`);
}

/** Reads values from a frame, never past its end. */
class Reader {
  readonly #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  remaining(): number {
    return this.#bytes.length - this.#at;
  }

  #byte(path: string): number {
    const byte = this.#bytes[this.#at];
    if (byte === undefined) throw malformed(path, "unexpected end of frame");
    this.#at++;
    return byte;
  }

  #take(count: number, path: string): Uint8Array {
    if (count > this.remaining()) throw malformed(path, `needs ${count} bytes, ${this.remaining()} left`);
    const slice = this.#bytes.subarray(this.#at, this.#at + count);
    this.#at += count;
    return slice;
  }

  /** A varint no wider than `widest` (a marker byte), as a bigint. */
  #varint(widest: number, path: string): bigint {
    const marker = this.#byte(path);
    if (marker < U16_MARKER) return BigInt(marker);
    if (marker > widest) throw malformed(path, `integer marker ${marker} is too wide for this type`);
    const width = marker === U16_MARKER ? 2 : marker === U32_MARKER ? 4 : 8;
    const bytes = this.#take(width, path);
    let value = 0n;
    for (let i = width - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
    return value;
  }

  #safe(value: bigint, path: string): number {
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(path, `${value} is beyond 2^53`);
    return Number(value);
  }

  /** A length (a u64 varint) that the bytes left can hold, checked before anything is allocated. */
  #length(path: string): number {
    const length = this.#varint(U64_MARKER, path);
    if (length > BigInt(this.remaining()))
      throw malformed(path, `claims ${length} elements, ${this.remaining()} bytes left`);
    return Number(length);
  }

  value(format: WireFormat, path: string): unknown {
    if (typeof format !== "string") {
      const [kind, inner] = format;
      if (kind === "option") {
        const tag = this.#byte(path);
        if (tag > 1) throw malformed(path, `option tag ${tag}`);
        return tag === 1 ? this.value(inner, path) : null;
      }
      const length = this.#length(path);
      const items: unknown[] = [];
      for (let i = 0; i < length; i++) items.push(this.value(inner, `${path}[${i}]`));
      return items;
    }
    if (isPrimitive(format)) {
      switch (format) {
        case "bool": {
          const byte = this.#byte(path);
          if (byte > 1) throw malformed(path, `boolean byte ${byte}`);
          return byte === 1;
        }
        case "u8":
          return this.#byte(path);
        case "u16":
          return Number(this.#varint(U16_MARKER, path));
        case "u32":
          return Number(this.#varint(U32_MARKER, path));
        case "u64":
          return this.#safe(this.#varint(U64_MARKER, path), path);
        case "i64": {
          const zigzag = this.#varint(U64_MARKER, path);
          return this.#safe(zigzag & 1n ? -((zigzag + 1n) >> 1n) : zigzag >> 1n, path);
        }
        case "str": {
          const text = decodeUtf8(this.#take(this.#length(path), path));
          if (text === null) throw malformed(path, "invalid UTF-8");
          return text;
        }
        case "run_id":
          return Array.from(this.#take(16, path), (byte) => byte.toString(16).padStart(2, "0")).join("");
        case "notification_id":
          return `${this.#varint(U64_MARKER, path)}-${this.#varint(U64_MARKER, path)}`;
        case "u64_text":
          return this.#varint(U64_MARKER, path).toString();
      }
    }
    const container = SCHEMA[format];
    if (container === undefined) throw malformed(path, `unknown type ${format}`);
    if ("struct" in container) return this.#fields(container.struct, path);
    const index = this.#varint(U32_MARKER, path);
    const variant = container.enum[Number(index)];
    if (variant === undefined) throw malformed(path, `unknown variant ${index} of ${format}`);
    const [name, shape] = variant;
    if (shape === null) return name;
    const payload = isStructShape(shape)
      ? this.#fields(shape.fields, `${path}.${name}`)
      : this.value(shape, `${path}.${name}`);
    return { [name]: payload };
  }

  #fields(fields: Fields, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, format] of fields) out[field] = this.value(format, `${path}.${field}`);
    return out;
  }
}
