// Builds dist/: the game bundled and minified by esbuild from src/main.ts and static/style.css into
// dist/assets/ under content-hashed names (the node serves assets/ as immutable), and dist/index.html from
// static/index.html naming them (served no-cache, so a new build is picked up at the next load). Prints the
// sizes, raw and gzip -9. Run by `npm run build` after the type check.

import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const assets = join(dist, "assets");

rmSync(dist, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await build({
  entryPoints: { main: join(root, "src/main.ts"), style: join(root, "static/style.css") },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022", "chrome100", "safari15", "firefox100"],
  outdir: assets,
  entryNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const script = outputs.find((name) => name.startsWith("main-") && name.endsWith(".js"));
const style = outputs.find((name) => name.startsWith("style-") && name.endsWith(".css"));
if (script === undefined || style === undefined) throw new Error(`esbuild wrote ${outputs.join(", ")}`);

const page = readFileSync(join(root, "static/index.html"), "utf8").replace("{{script}}", script).replace("{{style}}", style);
writeFileSync(join(dist, "index.html"), page);
copyFileSync(join(root, "static/favicon.svg"), join(dist, "favicon.svg"));

let total = 0;
let totalGzip = 0;
for (const name of readdirSync(assets).sort()) {
  const bytes = readFileSync(join(assets, name));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  total += bytes.length;
  totalGzip += gzip;
  console.log(`dist/assets/${name}: ${statSync(join(assets, name)).size} bytes, ${gzip} bytes gzip -9`);
}
console.log(`assets: ${total} bytes, ${totalGzip} bytes gzip -9 (${(totalGzip / 1024).toFixed(1)} KiB)`);
