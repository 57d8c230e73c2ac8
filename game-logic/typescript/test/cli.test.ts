/**
 * The `leapfrog-rules` command, run as a real process: `replay` reprints every golden vector byte for byte
 * (so `leapfrog-rules replay v1-05.json | diff - v1-05.json` is empty), reads standard input, and fails
 * with a message a user can act on.
 */

import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

import { CLI, VECTORS_DIR } from "./support/paths.js";

function run(args: readonly string[], input?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { input: input ?? "", encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("replay FILE prints every golden vector byte for byte", async () => {
  const files = readdirSync(VECTORS_DIR).filter((name) => name.endsWith(".json"));
  assert.ok(files.length >= 42);
  // Four processes at a time: starting Node dominates, and the machine has few cores.
  for (let start = 0; start < files.length; start += 4) {
    await Promise.all(
      files.slice(start, start + 4).map(async (name) => {
        const path = join(VECTORS_DIR, name);
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, "replay", path]);
        assert.equal(stderr, "", name);
        assert.equal(stdout, readFileSync(path, "utf8"), `${name}: output differs from the file`);
      }),
    );
  }
});

test("replay - reads standard input; description, outcomes and the rest are optional", () => {
  const { status, stdout } = run(["replay", "-"], '{"seed":"42","ruleset":1,"inputs":[{"press_ms":706,"dwell_ms":400}]}');
  assert.equal(status, 0);
  assert.ok(stdout.startsWith('{\n  "description": "",\n  "seed": 42,\n'), stdout);
  assert.ok(stdout.includes('"landing": "centre"'));
  assert.ok(stdout.endsWith("}\n"));
});

test("unreadable files, malformed vectors and bad usage fail with a reason and a status", () => {
  const missing = run(["replay", "/nonexistent/v1-99.json"]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^leapfrog-rules: cannot read \/nonexistent\/v1-99.json: ENOENT/);
  const malformed = run(["replay", "-"], '{"seed": 1, "ruleset": 1}');
  assert.equal(malformed.status, 1);
  assert.equal(malformed.stderr, "leapfrog-rules: standard input is not a vector file: missing field `inputs` in the document\n");
  const notJson = run(["replay", "-"], "{");
  assert.equal(notJson.status, 1);
  assert.match(notJson.stderr, /not a vector file: expected a key at line 1 column 2/);
  for (const args of [[], ["replay"], ["check", "x.json"], ["replay", "a.json", "b.json"]]) {
    const usage = run(args);
    assert.equal(usage.status, 2, args.join(" "));
    assert.match(usage.stderr, /^usage: leapfrog-rules replay FILE.json/);
  }
  assert.equal(run(["--help"]).status, 0);
});
