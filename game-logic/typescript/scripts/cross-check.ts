/**
 * `npm run cross-check`: writes a fresh cross-check file with the Rust engine (`cargo run -q -p game-logic
 * --example cross_check -- FILE`, from the repository root, honouring `CARGO_TARGET_DIR`), then runs the
 * TypeScript cross-check test on it, and removes the file. Exits with the first failing step's status.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const crossCheckTest = fileURLToPath(new URL("../test/cross-check.test.js", import.meta.url));

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  console.error(`$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: "inherit", env });
  if (result.error !== undefined) {
    console.error(`cross-check: cannot run ${command}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

const dir = mkdtempSync(join(tmpdir(), "leapfrog-cross-check-"));
const file = join(dir, "runs.jsonl");
try {
  const status =
    run("cargo", ["run", "-q", "-p", "game-logic", "--example", "cross_check", "--", file]) ||
    run(process.execPath, ["--test", crossCheckTest], { ...process.env, LEAPFROG_CROSS_CHECK: file });
  process.exitCode = status;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
