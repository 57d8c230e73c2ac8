/**
 * The JSON codec (`leapfrog.v1.json`, text frames), driven by the generated `SCHEMA` (`PROTOCOL.md`
 * section 5).
 *
 * Encoding writes exactly what serde_json writes: fields in declared order, no white space, enums externally
 * tagged, an absent `Option` as `null`, run ids, notification ids and seeds as strings. Decoding parses,
 * then checks the whole message against the schema and rebuilds it from the known fields only: unknown
 * fields are ignored (as the server ignores them), an unknown variant or a value of the wrong type is
 * `malformed_frame`, so what reaches the caller always has the generated type.
 *
 * @module
 */

import { CodecError } from "../errors.js";
import { SCHEMA } from "../generated/messages.js";
import { variantOf } from "./bincode.js";
import { type Fields, type WireFormat, U64_MAX, isPrimitive, isStructShape, parseNotificationId } from "./schema.js";

function malformed(path: string, detail: string): CodecError {
  return new CodecError("malformed_frame", `json: ${path}: ${detail}`);
}

const INTEGER_MAX: Readonly<Record<string, number>> = {
  u8: 0xff,
  u16: 0xffff,
  u32: 0xffff_ffff,
  u64: Number.MAX_SAFE_INTEGER,
};

/** Encodes `value`, a message of the schema container `type`, as serde_json would. */
export function encodeJson(type: string, value: unknown): string {
  return JSON.stringify(check(type, value, type));
}

/** Parses `text` and checks it is a message of the schema container `type`. */
export function decodeJson(type: string, text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw malformed(type, error instanceof Error ? error.message : "not JSON");
  }
  return check(type, parsed, type);
}

/**
 * Checks `value` against `format` and returns a copy holding only what the schema names, in schema order, so
 * `JSON.stringify` of the copy is serde_json's text. A missing `Option` field is `null`, as serde reads it.
 */
function check(format: WireFormat, value: unknown, path: string): unknown {
  if (typeof format !== "string") {
    const [kind, inner] = format;
    if (kind === "option") return value === null || value === undefined ? null : check(inner, value, path);
    if (!Array.isArray(value)) throw malformed(path, "expected a list");
    return value.map((item, i) => check(inner, item, `${path}[${i}]`));
  }
  if (isPrimitive(format)) {
    switch (format) {
      case "bool":
        if (typeof value !== "boolean") throw malformed(path, "expected a boolean");
        return value;
      case "u8":
      case "u16":
      case "u32":
      case "u64": {
        const max = INTEGER_MAX[format] as number;
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
          throw malformed(path, `expected an integer in 0..=${max}, got ${String(value)}`);
        }
        return value;
      }
      case "i64":
        if (typeof value !== "number" || !Number.isSafeInteger(value)) throw malformed(path, "expected a safe integer");
        return value;
      case "str":
        if (typeof value !== "string") throw malformed(path, "expected a string");
        return value;
      case "run_id":
        if (typeof value !== "string" || !/^[0-9a-f]{32}$/.test(value)) {
          throw malformed(path, "expected a run id (32 lowercase hex digits)");
        }
        return value;
      case "notification_id":
        if (typeof value !== "string" || parseNotificationId(value) === null) {
          throw malformed(path, `expected a notification id "<ms>-<seq>", got ${String(value)}`);
        }
        return value;
      case "u64_text":
        if (typeof value !== "string" || !/^\d{1,20}$/.test(value) || BigInt(value) > U64_MAX) {
          throw malformed(path, `expected a u64 as a decimal string, got ${String(value)}`);
        }
        return value;
    }
  }
  const container = SCHEMA[format];
  if (container === undefined) throw malformed(path, `unknown type ${format}`);
  if ("struct" in container) return fields(container.struct, value, path);
  const [name, payload] = variantOf(value, path);
  const variant = container.enum.find(([variantName]) => variantName === name);
  if (variant === undefined) throw malformed(path, `unknown variant ${name} of ${format}`);
  const shape = variant[1];
  if (shape === null) {
    if (typeof value !== "string") throw malformed(path, `${name} is a unit variant: write it as "${name}"`);
    return name;
  }
  if (typeof value === "string") throw malformed(path, `${name} carries a value`);
  const checked = isStructShape(shape)
    ? fields(shape.fields, payload, `${path}.${name}`)
    : check(shape, payload, `${path}.${name}`);
  return { [name]: checked };
}

function fields(list: Fields, value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed(path, "expected an object");
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [field, format] of list) {
    const own = Object.prototype.hasOwnProperty.call(record, field);
    const optional = typeof format !== "string" && format[0] === "option";
    if (!own && !optional) throw malformed(path, `missing field ${field}`);
    out[field] = check(format, own ? record[field] : null, `${path}.${field}`);
  }
  return out;
}
