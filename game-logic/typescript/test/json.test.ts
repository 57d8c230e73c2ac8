/** The vector JSON reader and writer: exact integers, serde_json's layout and escapes, clear errors. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { JsonSyntaxError, formatJson, parseJson } from "../src/json.js";
import { VectorFormatError, readVectorInput } from "../src/vector.js";

test("integers stay exact: safe ones as numbers, larger ones as bigints", () => {
  assert.deepEqual(parseJson("[0, -7, 9007199254740991, 9007199254740993, 18446744073709551614]"), [
    0, -7, 9_007_199_254_740_991, 9_007_199_254_740_993n, 18_446_744_073_709_551_614n,
  ]);
});

test("fractions, exponents and malformed documents are refused with a position", () => {
  for (const text of ["1.5", "1e3", "[1,]", '{"a":1,"a":2}', '"\\ud800"', "01", "nul", '"a', "[1] 2", ""]) {
    assert.throws(() => parseJson(text), JsonSyntaxError, text);
  }
  assert.throws(() => parseJson('{\n  "a": 1.5\n}'), { message: /at line 2 column 9$/ });
});

test("pretty and compact output are serde_json's", () => {
  const value = { a: [], b: {}, c: [1, { d: null, e: true }], f: 18_446_744_073_709_551_615n };
  assert.equal(formatJson(value, "compact"), '{"a":[],"b":{},"c":[1,{"d":null,"e":true}],"f":18446744073709551615}');
  assert.equal(
    formatJson(value, "pretty"),
    '{\n  "a": [],\n  "b": {},\n  "c": [\n    1,\n    {\n      "d": null,\n      "e": true\n    }\n  ],\n  "f": 18446744073709551615\n}',
  );
  assert.throws(() => formatJson(1.5, "compact"), RangeError);
});

test("strings are escaped like serde_json and read back unchanged", () => {
  const text = 'quote " backslash \\ newline \n tab \t cr \r bs \b ff \f unit \u0001 del \u007f é ✓ / 😀';
  const written = formatJson(text, "compact");
  assert.equal(
    written,
    '"quote \\" backslash \\\\ newline \\n tab \\t cr \\r bs \\b ff \\f unit \\u0001 del \u007f é ✓ / 😀"',
  );
  assert.equal(parseJson(written), text);
  assert.equal(parseJson('"\\u00e9\\/\\ud83d\\ude00"'), "é/😀");
});

test("vector input fields are checked, with the field named", () => {
  const ok = readVectorInput('{"seed": "42", "ruleset": 1, "inputs": [{"press_ms": 706, "dwell_ms": 400}]}');
  assert.deepEqual(ok, { description: "", seed: 42n, ruleset: 1, inputs: [{ press_ms: 706, dwell_ms: 400 }] });
  const bad: [string, RegExp][] = [
    ['{"ruleset": 1, "inputs": []}', /missing field `seed`/],
    ['{"seed": -1, "ruleset": 1, "inputs": []}', /`seed`/],
    ['{"seed": 18446744073709551616, "ruleset": 1, "inputs": []}', /`seed`/],
    ['{"seed": 1, "ruleset": 2, "inputs": []}', /unknown ruleset version 2/],
    ['{"seed": 1, "ruleset": 1, "inputs": [{"press_ms": 5000000000, "dwell_ms": 1}]}', /`inputs\[0\]`.press_ms/],
    ['{"seed": 1, "ruleset": 1, "inputs": [{"press_ms": 500}]}', /missing field `dwell_ms` in `inputs\[0\]`/],
    ['{"seed": 1, "ruleset": 1, "inputs": {}}', /`inputs` must be an array/],
    ['{"seed": 1, "ruleset": 1, "inputs": [], "description": 5}', /`description` must be a string/],
    ["[]", /the document must be an object/],
  ];
  for (const [text, message] of bad) assert.throws(() => readVectorInput(text), (e: unknown) => e instanceof VectorFormatError && message.test(e.message), text);
});
