/**
 * `npm run size`: the browser bundle a web game ships, client and rules together (`src/index.ts`, which pulls
 * in leapfrog-rules), bundled by esbuild (ESM, minified, browser platform) and gzipped at level 9: the figure
 * that counts against the 20 KiB budget. Bundling for the browser also checks that the entry point imports
 * nothing from Node.
 */

import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));

const result = await build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  write: false,
  metafile: true,
  logLevel: "warning",
});
const output = result.outputFiles[0];
if (output === undefined) throw new Error("esbuild wrote no bundle");
const gzipped = gzipSync(output.contents, { level: 9 }).length;
const inputs = Object.keys(result.metafile.inputs);
const rules = inputs.filter((path) => path.includes("game-logic/typescript")).length;
if (rules === 0) throw new Error("the bundle holds no leapfrog-rules module: the figure would leave out the rules");
console.log(
  `leapfrog-client + leapfrog-rules browser bundle (esbuild --bundle --minify --format=esm --platform=browser ` +
    `src/index.ts; ${inputs.length} modules, ${rules} from leapfrog-rules): ` +
    `${output.contents.length} bytes minified, ` +
    `${gzipped} bytes gzip -9 (${(gzipped / 1024).toFixed(2)} KiB)`,
);
