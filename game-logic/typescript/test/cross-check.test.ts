/**
 * The cross-check against the Rust engine: every run in the JSON Lines file written by
 * `cargo run -p game-logic --example cross_check -- FILE` recorded again here and compared, byte for byte
 * and, on a difference, field by field. The file's path comes from `LEAPFROG_CROSS_CHECK`;
 * `npm run cross-check` generates a fresh file and runs this test with it.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";

import { formatVector, parseJson, readVectorInput, recordVector, vectorToJson } from "../src/vector.js";
import { firstDifference } from "./support/diff.js";

const path = process.env["LEAPFROG_CROSS_CHECK"];

test(
  "every run of the Rust cross-check file replays exactly",
  { skip: path === undefined ? "LEAPFROG_CROSS_CHECK is not set; `npm run cross-check` sets it" : false },
  () => {
    assert.ok(path !== undefined);
    assert.ok(
      existsSync(path),
      `LEAPFROG_CROSS_CHECK names ${path}, which does not exist: write it with ` +
        "`cargo run -q -p game-logic --example cross_check -- FILE` from the repository root",
    );
    const lines = readFileSync(path, "utf8").split("\n");
    assert.equal(lines.pop(), "", `${path} does not end with a newline: was it written completely?`);
    assert.ok(lines.length > 1_000, `${path} holds only ${lines.length} runs`);
    const failures: string[] = [];
    lines.forEach((line, index) => {
      const recorded = recordVector(readVectorInput(line));
      if (formatVector(recorded, "compact") === line) return;
      const difference = firstDifference(parseJson(line), vectorToJson(recorded)) ?? "same values, different text";
      failures.push(`line ${index + 1} (${recorded.description}, seed ${recorded.seed}): ${difference}`);
    });
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${lines.length} runs differ`);
  },
);
