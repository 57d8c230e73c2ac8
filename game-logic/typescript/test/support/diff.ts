/** Field-by-field comparison of two JSON values, naming the first difference. */

import { type JsonValue, formatJson } from "../../src/json.js";

/**
 * The path and both values of the first place where `actual` differs from `expected` (objects compared
 * key by key in the expected order, arrays item by item), or `null` when they are equal.
 */
export function firstDifference(expected: JsonValue, actual: JsonValue, path = "$"): string | null {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const shared = Math.min(expected.length, actual.length);
    for (let i = 0; i < shared; i++) {
      const found = firstDifference(expected[i] as JsonValue, actual[i] as JsonValue, `${path}[${i}]`);
      if (found !== null) return found;
    }
    return expected.length === actual.length
      ? null
      : `${path}: expected ${expected.length} items, got ${actual.length}`;
  }
  if (isObject(expected) && isObject(actual)) {
    const expectedKeys = Object.keys(expected);
    const actualKeys = Object.keys(actual);
    for (const key of expectedKeys) {
      if (!(key in actual)) return `${path}.${key}: missing`;
      const found = firstDifference(expected[key] ?? null, actual[key] ?? null, `${path}.${key}`);
      if (found !== null) return found;
    }
    if (expectedKeys.join() !== actualKeys.join()) {
      return `${path}: expected keys ${expectedKeys.join(", ")}, got ${actualKeys.join(", ")}`;
    }
    return null;
  }
  if (expected === actual || sameInteger(expected, actual)) return null;
  return `${path}: expected ${formatJson(expected, "compact")}, got ${formatJson(actual, "compact")}`;
}

/** A seed is a `number` when the reader could keep it exact and a `bigint` when recorded: same value. */
function sameInteger(a: JsonValue, b: JsonValue): boolean {
  const isInteger = (v: JsonValue): v is number | bigint => typeof v === "bigint" || typeof v === "number";
  return isInteger(a) && isInteger(b) && BigInt(a) === BigInt(b);
}

function isObject(value: JsonValue): value is { readonly [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
