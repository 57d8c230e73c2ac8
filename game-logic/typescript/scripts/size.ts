/**
 * `npm run size`: the package's browser entry point (`src/index.ts`) bundled by esbuild as a web client would
 * ship it (ESM, minified, browser platform), and its size gzipped at level 9, the figure that counts against
 * the client's 20 KiB budget (this package plus the client SDK). Bundling for the browser platform also
 * checks that the rules import nothing from Node.
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
  logLevel: "warning",
});
const output = result.outputFiles[0];
if (output === undefined) throw new Error("esbuild wrote no bundle");
const gzipped = gzipSync(output.contents, { level: 9 }).length;
console.log(
  `leapfrog-rules browser bundle (esbuild --bundle --minify --format=esm --platform=browser src/index.ts): ` +
    `${output.contents.length} bytes minified, ${gzipped} bytes gzip -9 (${(gzipped / 1024).toFixed(2)} KiB)`,
);
