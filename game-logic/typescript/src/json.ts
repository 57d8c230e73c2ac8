/**
 * The JSON of the vector files, read without losing a digit and written byte for byte like Rust's
 * `serde_json`.
 *
 * `JSON.parse` turns every number into a double, so a u64 seed above 2^53 (the vectors hold
 * 18446744073709551614) would silently change; Node 20 has no way to see a number's source text from
 * `JSON.parse`. This reader keeps integers exact instead: a `number` when it is a safe integer, a `bigint`
 * otherwise. The vector format holds no fractions, so the reader refuses them rather than guess.
 *
 * The writer reproduces `serde_json::to_string_pretty` (two-space indent, `"key": value`, `[]` and `{}` for
 * empty containers) and `serde_json::to_string` (no whitespace), including serde_json's string escapes, so a
 * vector written here is byte-identical to the Rust generator's.
 *
 * @module
 */

/** A JSON value as this module reads and writes it. Object keys keep their insertion order. */
export type JsonValue = null | boolean | number | bigint | string | readonly JsonValue[] | JsonObject;

/** A JSON object. Keys must not look like array indices ("0", "1"), which JavaScript would reorder. */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** A syntax error, with the 1-based line and column where the reader stopped. */
export class JsonSyntaxError extends Error {
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column of the error, in UTF-16 code units. */
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(`${message} at line ${line} column ${column}`);
    this.name = "JsonSyntaxError";
    this.line = line;
    this.column = column;
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Reads one JSON document (RFC 8259) with exact integers; see the module comment. */
export function parseJson(text: string): JsonValue {
  let pos = 0;

  const fail = (message: string): never => {
    const before = text.slice(0, pos);
    const line = before.split("\n").length;
    const column = pos - before.lastIndexOf("\n");
    throw new JsonSyntaxError(message, line, column);
  };

  const skipWhitespace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos += 1;
      else return;
    }
  };

  const expect = (literal: string): void => {
    if (!text.startsWith(literal, pos)) fail(`expected \`${literal}\``);
    pos += literal.length;
  };

  const parseString = (): string => {
    pos += 1; // the opening quote
    let out = "";
    let chunkStart = pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) fail("unterminated string");
      if (c === 0x22) {
        out += text.slice(chunkStart, pos);
        pos += 1;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c !== 0x5c) {
        pos += 1;
        continue;
      }
      out += text.slice(chunkStart, pos);
      const escape = text.charAt(pos + 1);
      const simple = SIMPLE_ESCAPES[escape];
      if (simple !== undefined) {
        out += simple;
        pos += 2;
      } else if (escape === "u") {
        const unit = readHex4(pos + 2);
        pos += 6;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          // A high surrogate must be followed by an escaped low one, as serde_json requires.
          if (text.charAt(pos) !== "\\" || text.charAt(pos + 1) !== "u") fail("lone leading surrogate");
          const low = readHex4(pos + 2);
          if (low < 0xdc00 || low > 0xdfff) fail("lone leading surrogate");
          pos += 6;
          out += String.fromCharCode(unit, low);
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          fail("lone trailing surrogate");
        } else {
          out += String.fromCharCode(unit);
        }
      } else {
        pos += 1;
        fail("invalid escape");
      }
      chunkStart = pos;
    }
  };

  const readHex4 = (at: number): number => {
    const digits = text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) {
      pos = at;
      fail("invalid \\u escape");
    }
    return Number.parseInt(digits, 16);
  };

  const parseNumber = (): number | bigint => {
    const match = /-?(?:0|[1-9][0-9]*)/y;
    match.lastIndex = pos;
    const found = match.exec(text);
    if (found === null) return fail("invalid number");
    const literal = found[0];
    pos += literal.length;
    const after = text.charAt(pos);
    if (after === "." || after === "e" || after === "E") {
      fail("fractions and exponents are not part of the vector format, which holds integers only");
    }
    const value = Number(literal);
    // A double that is a safe integer came from exactly that integer; any other is kept as a bigint.
    return Number.isSafeInteger(value) ? value : BigInt(literal);
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > 128) fail("nesting deeper than 128");
    skipWhitespace();
    const c = text.charAt(pos);
    switch (c) {
      case "{": {
        pos += 1;
        const object: Record<string, JsonValue> = {};
        skipWhitespace();
        if (text.charAt(pos) === "}") {
          pos += 1;
          return object;
        }
        for (;;) {
          skipWhitespace();
          if (text.charAt(pos) !== '"') fail("expected a key");
          const key = parseString();
          if (Object.hasOwn(object, key)) fail(`duplicate field \`${key}\``);
          skipWhitespace();
          expect(":");
          object[key] = parseValue(depth + 1);
          skipWhitespace();
          if (text.charAt(pos) === ",") {
            pos += 1;
          } else {
            expect("}");
            return object;
          }
        }
      }
      case "[": {
        pos += 1;
        const array: JsonValue[] = [];
        skipWhitespace();
        if (text.charAt(pos) === "]") {
          pos += 1;
          return array;
        }
        for (;;) {
          array.push(parseValue(depth + 1));
          skipWhitespace();
          if (text.charAt(pos) === ",") {
            pos += 1;
          } else {
            expect("]");
            return array;
          }
        }
      }
      case '"':
        return parseString();
      case "t":
        expect("true");
        return true;
      case "f":
        expect("false");
        return false;
      case "n":
        expect("null");
        return null;
      case "":
        return fail("unexpected end of input");
      default:
        return parseNumber();
    }
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos < text.length) fail("trailing characters");
  return value;
}

/**
 * The layout of {@link formatJson}: `pretty` is `serde_json::to_string_pretty`, `compact` is
 * `serde_json::to_string`.
 */
export type JsonStyle = "pretty" | "compact";

/**
 * Writes `value` exactly as serde_json does in `style`, without a trailing newline (the Rust generator
 * appends one to each file).
 *
 * @throws RangeError for a number that is not an integer: serde_json's float format is not reproduced, and
 *   the vector format has none.
 */
export function formatJson(value: JsonValue, style: JsonStyle): string {
  const parts: string[] = [];
  write(value, style === "pretty" ? "\n" : null, parts);
  return parts.join("");
}

/** `newline` is `null` for compact output, else the line break plus the current indentation. */
function write(value: JsonValue, newline: string | null, out: string[]): void {
  if (value === null) {
    out.push("null");
  } else if (typeof value === "boolean") {
    out.push(value ? "true" : "false");
  } else if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new RangeError(`${value} is not an integer`);
    out.push(Object.is(value, -0) ? "0" : String(value));
  } else if (typeof value === "bigint") {
    out.push(value.toString());
  } else if (typeof value === "string") {
    out.push(quote(value));
  } else if (isArray(value)) {
    if (value.length === 0) {
      out.push("[]");
      return;
    }
    const inner = newline === null ? null : `${newline}  `;
    out.push("[");
    value.forEach((item, index) => {
      if (index > 0) out.push(",");
      if (inner !== null) out.push(inner);
      write(item, inner, out);
    });
    if (newline !== null) out.push(newline);
    out.push("]");
  } else {
    const keys = Object.keys(value);
    if (keys.length === 0) {
      out.push("{}");
      return;
    }
    const inner = newline === null ? null : `${newline}  `;
    out.push("{");
    keys.forEach((key, index) => {
      if (index > 0) out.push(",");
      if (inner !== null) out.push(inner);
      out.push(quote(key), inner === null ? ":" : ": ");
      write(value[key] ?? null, inner, out);
    });
    if (newline !== null) out.push(newline);
    out.push("}");
  }
}

function isArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}

/**
 * A JSON string literal with serde_json's escapes: `"` and `\` escaped, `\b \f \n \r \t` short, every
 * other control character below U+0020 as `\u00xx` (lower-case hex), everything else (U+007F, non-ASCII,
 * `/`) written as is.
 */
function quote(text: string): string {
  const escaped = text.replace(/["\\\u0000-\u001f]/g, (c) => {
    switch (c) {
      case '"':
        return '\\"';
      case "\\":
        return "\\\\";
      case "\b":
        return "\\b";
      case "\f":
        return "\\f";
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }
  });
  return `"${escaped}"`;
}
