// Builds leapfrog-client (../../protocol/typescript, a `file:` dependency, which builds leapfrog-rules in
// turn) when its compiled output is missing or older than its sources or the rules' sources: npm links a
// `file:` dependency without building it, and this package type-checks and bundles against their `dist/`.
// Plain JavaScript, since it runs before anything here is compiled.

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const client = fileURLToPath(new URL("../../../protocol/typescript/", import.meta.url));
const rules = fileURLToPath(new URL("../../../game-logic/typescript/", import.meta.url));
const built = [join(client, "dist/src/index.js"), join(rules, "dist/src/index.js")];

function newest(dir) {
  return Math.max(
    ...readdirSync(dir).map((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? newest(path) : statSync(path).mtimeMs;
    }),
  );
}

const sources = Math.max(newest(join(client, "src")), newest(join(rules, "src")));
if (built.some((file) => !existsSync(file) || statSync(file).mtimeMs < sources)) {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  if (!existsSync(join(client, "node_modules"))) {
    console.log(`leapfrog-client: npm ci in ${client}`);
    execFileSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: client, stdio: "inherit" });
  }
  console.log(`leapfrog-client: npm run build in ${client}`);
  execFileSync(npm, ["run", "build"], { cwd: client, stdio: "inherit" });
}
