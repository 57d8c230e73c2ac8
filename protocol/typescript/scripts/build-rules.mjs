// Builds leapfrog-rules (../../game-logic/typescript, a `file:` dependency) when its compiled output is missing
// or older than its sources: npm links a `file:` dependency without building it, and this package compiles
// and bundles against its `dist/`. Plain JavaScript, since it runs before anything here is compiled.

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const rules = fileURLToPath(new URL("../../../game-logic/typescript/", import.meta.url));
const built = join(rules, "dist/src/index.js");

function newestSource(dir) {
  return Math.max(
    ...readdirSync(dir).map((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    }),
  );
}

if (!existsSync(built) || statSync(built).mtimeMs < newestSource(join(rules, "src"))) {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  if (!existsSync(join(rules, "node_modules"))) {
    console.log(`leapfrog-rules: npm ci in ${rules}`);
    execFileSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: rules, stdio: "inherit" });
  }
  console.log(`leapfrog-rules: npm run build in ${rules}`);
  execFileSync(npm, ["run", "build"], { cwd: rules, stdio: "inherit" });
}
