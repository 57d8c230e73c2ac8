/**
 * Every golden vector of the Rust crate (`game-logic/tests/vectors/`) recorded again by this port and
 * compared with the stored one: field by field (naming the first difference), then as text, byte for byte.
 */

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { formatVector, parseJson, readVectorInput, recordVector, vectorToJson } from "../src/vector.js";
import { firstDifference } from "./support/diff.js";
import { VECTORS_DIR } from "./support/paths.js";

const files = readdirSync(VECTORS_DIR)
  .filter((name) => name.endsWith(".json"))
  .sort();

test("the golden vectors are there", () => {
  assert.ok(files.length >= 42, `only ${files.length} vectors in ${VECTORS_DIR}`);
});

for (const name of files) {
  test(`golden vector ${name} replays exactly`, () => {
    const text = readFileSync(join(VECTORS_DIR, name), "utf8");
    const recorded = recordVector(readVectorInput(text));
    const difference = firstDifference(parseJson(text), vectorToJson(recorded));
    assert.equal(difference, null, `${name}: ${difference}`);
    assert.equal(`${formatVector(recorded, "pretty")}\n`, text, `${name}: same values, different text`);
  });
}
