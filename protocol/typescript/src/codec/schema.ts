/**
 * The shape of `SCHEMA`, the generated table of every message's fields and variants in declared order
 * (`src/generated/messages.ts`). Both codecs walk it, so a message is encoded exactly as the Rust `protocol`
 * crate declares it, and a change there reaches the codecs by regenerating one file.
 *
 * @module
 */

/**
 * How one value travels, by name:
 * - `bool`, `u8`, `u16`, `u32`, `u64`, `i64`: numbers (a u64 that is a number in JSON too: times in ms);
 * - `str`: UTF-8 text;
 * - `run_id`: 16 raw bytes in bincode, 32 lowercase hex digits in JSON and in memory;
 * - `notification_id`: two u64 in bincode, `"<ms>-<seq>"` in JSON and in memory;
 * - `u64_text`: a u64 in bincode, a decimal string in JSON and in memory (seeds);
 * - any other name: a container of the schema.
 */
export type Primitive =
  | "bool"
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "i64"
  | "str"
  | "run_id"
  | "notification_id"
  | "u64_text";

/** A value's format: a primitive or container name, an optional value, or a list. */
export type WireFormat = string | readonly ["option", WireFormat] | readonly ["seq", WireFormat];

/** A struct's fields (or a struct variant's), in declared order. */
export type Fields = readonly (readonly [name: string, format: WireFormat])[];

/** An enum variant: unit (`null`), newtype (the format it holds), or struct (its fields). */
export type VariantShape = null | WireFormat | { readonly fields: Fields };

/** A container: a struct, or an enum whose variants are listed at their bincode index. */
export type ContainerSchema =
  | { readonly struct: Fields }
  | { readonly enum: readonly (readonly [name: string, shape: VariantShape])[] };

/** Every container by name. */
export type Schema = { readonly [name: string]: ContainerSchema };

const PRIMITIVES: ReadonlySet<string> = new Set<Primitive>([
  "bool",
  "u8",
  "u16",
  "u32",
  "u64",
  "i64",
  "str",
  "run_id",
  "notification_id",
  "u64_text",
]);

/** True when `format` names a primitive rather than a container. */
export function isPrimitive(format: string): format is Primitive {
  return PRIMITIVES.has(format);
}

/** True for a struct variant's shape (as opposed to a newtype's format, which may also be an array). */
export function isStructShape(shape: VariantShape): shape is { readonly fields: Fields } {
  return shape !== null && typeof shape === "object" && !Array.isArray(shape);
}

/** The largest u64. */
export const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** Parses a `"<ms>-<seq>"` notification id into its two u64, or `null` when it is not one. */
export function parseNotificationId(id: string): readonly [bigint, bigint] | null {
  const match = /^(\d{1,20})-(\d{1,20})$/.exec(id);
  if (match === null) return null;
  const ms = BigInt(match[1] as string);
  const seq = BigInt(match[2] as string);
  return ms <= U64_MAX && seq <= U64_MAX ? [ms, seq] : null;
}

/**
 * Orders two notification ids as the server does (by `ms`, then `seq`): negative, zero or positive. Ids grow
 * with time, so "acknowledge everything up to an id" and "already seen" are comparisons.
 *
 * @throws RangeError when either is not a notification id.
 */
export function compareNotificationIds(a: string, b: string): number {
  const x = parseNotificationId(a);
  const y = parseNotificationId(b);
  if (x === null || y === null) throw new RangeError(`not a notification id: ${x === null ? a : b}`);
  if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
  return x[1] === y[1] ? 0 : x[1] < y[1] ? -1 : 1;
}
