/**
 * The browser suite's world: a real `redis-server` and a real `leapfrog-server` (with `--dev-auth` and
 * `--web-root` naming this package's `dist/`) as child processes on free loopback ports, and headless
 * Chromium (Debian's `/usr/bin/chromium`) driven by playwright-core with a fresh profile and no background
 * networking. Every wait is bounded; everything started is stopped when the suite ends.
 *
 * The server binary is `${CARGO_TARGET_DIR:-<repo>/target}/debug/leapfrog-server`: build it first with
 * `cargo build -p leapfrog-server`.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { type AddressInfo, createConnection, createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { type Platform, type World, V1, distanceToNext, pressForDistance } from "leapfrog-rules";

/** The repository root (from `build/browser/`). */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
/** This package's built client. */
export const webRoot = fileURLToPath(new URL("../../dist/", import.meta.url));
/** Where screenshots go for review. */
export const screenshotDir = join(process.env["CARGO_TARGET_DIR"] ?? join(repoRoot, "target"), "web-screenshots");

/** Chromium's flags: headless, no sandbox (root in containers), no GPU, and nothing that calls home. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Phone and desktop viewports. */
export const PHONE = { width: 375, height: 667 };
export const DESKTOP = { width: 1280, height: 800 };

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, "127.0.0.1", resolve).once("error", reject));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits until `check` holds, polling every 25 ms, for at most `ms`. */
export async function waitFor(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const stdout = process.env["TEST_SERVER_LOG"] === undefined ? "ignore" : "inherit";
  const child = spawn(command, args, { stdio: ["ignore", stdout, "inherit"], env: { ...process.env, ...env } });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stop(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await gone;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
    socket.setTimeout(1_000, () => socket.destroy());
    socket.once("data", (data) => {
      resolve(data.toString().startsWith("+PONG"));
      socket.destroy();
    });
    socket.once("error", () => resolve(false));
    socket.once("close", () => resolve(false));
  });
}

/** A redis-server and a node serving the built client, for one suite. */
export class Backend {
  readonly origin: string;
  readonly #children: ChildProcess[];

  private constructor(origin: string, children: ChildProcess[]) {
    this.origin = origin;
    this.#children = children;
  }

  /** Starts both (the node with `extra` options) and waits until the node is ready. */
  static async start(extra: readonly string[] = []): Promise<Backend> {
    const target = process.env["CARGO_TARGET_DIR"] ?? join(repoRoot, "target");
    const binary = join(target, "debug", "leapfrog-server");
    if (!existsSync(binary)) {
      throw new Error(`the server binary is missing at ${binary}: build it with \`cargo build -p leapfrog-server\` (same CARGO_TARGET_DIR)`);
    }
    if (!existsSync(join(webRoot, "index.html"))) throw new Error(`the client is not built at ${webRoot}: npm run build`);
    const redisPort = await freePort();
    const redis = start("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
    await waitFor(`redis-server on port ${redisPort}`, 10_000, () => !exited(redis) && ping(redisPort));
    for (let attempt = 0; ; attempt++) {
      const [port, admin] = [await freePort(), await freePort()];
      const node = start(
        binary,
        [
          "--dev-auth",
          "--redis-url",
          `redis://127.0.0.1:${redisPort}`,
          "--listen",
          `127.0.0.1:${port}`,
          "--admin-listen",
          `127.0.0.1:${admin}`,
          "--web-root",
          webRoot,
          "--drain-timeout-ms",
          "1000",
          ...extra,
        ],
        { LEAPFROG_LOG: process.env["TEST_SERVER_LOG"] ?? "warn" },
      );
      try {
        await waitFor(`leapfrog-server on port ${port}`, 20_000, async () => {
          if (exited(node)) throw new Error("exited");
          return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
        });
        return new Backend(`http://127.0.0.1:${port}`, [node, redis]);
      } catch (error) {
        await stop(node);
        if (attempt === 2) {
          await stop(redis);
          throw error;
        }
      }
    }
  }

  /** Stops both. */
  async stop(): Promise<void> {
    for (const child of this.#children) await stop(child);
  }
}

/**
 * Headless Chromium. playwright-core's `launch` gives it a fresh user-data-dir of its own (a new temporary
 * profile, removed when the browser closes), and each context is a fresh, separate profile on top.
 */
export class TestBrowser {
  readonly browser: Browser;

  private constructor(browser: Browser) {
    this.browser = browser;
  }

  static async launch(): Promise<TestBrowser> {
    const executablePath = process.env["CHROMIUM"] ?? "/usr/bin/chromium";
    if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium`);
    const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    return new TestBrowser(browser);
  }

  /** A new context (its own cookies and storage: one player) at `viewport`. */
  context(viewport = PHONE): Promise<BrowserContext> {
    return this.browser.newContext({ viewport, deviceScaleFactor: 1, hasTouch: false });
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** Opens the game as `player` (dev login) in `context` and waits until it can be played. */
export async function openAs(context: BrowserContext, origin: string, player: string, query = ""): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[${player}] page error: ${error.message}`));
  await page.goto(`${origin}/?player=${encodeURIComponent(player)}${query}`);
  return page;
}

/** The world of the page's live run (read-only test view). */
export async function worldOf(page: Page): Promise<World> {
  const world = await page.evaluate(() => (window as unknown as { leapfrog: { world(): unknown } }).leapfrog.world());
  if (world === null) throw new Error("no live run on the page");
  return world as World;
}

/** The press that lands on the next platform's centre, ms. */
export function centrePress(world: World): number {
  return pressForDistance(V1, distanceToNext(world));
}

/** A press that flies well past the next platform (the run ends). */
export function fallPress(world: World): number {
  const next: Platform = world.next;
  return pressForDistance(V1, distanceToNext(world) + next.radius + 3_000);
}

/** The middle of the stage, where a test presses. */
export async function stageCentre(page: Page): Promise<{ x: number; y: number }> {
  const box = await page.getByTestId("stage").boundingBox();
  if (box === null) throw new Error("no stage");
  return { x: box.x + box.width / 2, y: box.y + box.height * 0.7 };
}

/**
 * Holds the mouse on the stage for `pressMs` (real pointer events), then waits for the landing (the
 * animation, plus the settle time) so the next press is taken.
 */
export async function hold(page: Page, pressMs: number): Promise<void> {
  const at = await stageCentre(page);
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  await page.waitForTimeout(pressMs);
  await page.mouse.up();
  await page.waitForTimeout(1_000);
}

/** Plays jumps on the page's live run: `centreHits` aimed at the centre, then a fall; returns when over. */
export async function playRun(page: Page, centreHits: number): Promise<void> {
  await page.getByTestId("play").click();
  await waitFor("a live run", 10_000, async () => (await page.evaluate(() => (window as unknown as { leapfrog: { world(): unknown } }).leapfrog.world())) !== null);
  await page.waitForTimeout(300);
  for (let jump = 0; jump < centreHits; jump++) await hold(page, centrePress(await worldOf(page)));
  await hold(page, fallPress(await worldOf(page)));
  await page.getByTestId("run-over").waitFor({ timeout: 15_000 });
}

/** Saves a screenshot named `name` for review. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
