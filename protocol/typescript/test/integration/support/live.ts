/**
 * A real Leapfrog node and a real Redis for the live suite, as child processes on free loopback ports.
 * Every wait is bounded, and both processes are killed when the suite ends (and if the test process exits
 * early), so a broken server fails a test instead of hanging it.
 *
 * The server binary is `${CARGO_TARGET_DIR:-<repo>/target}/debug/leapfrog-server`: build it first with
 * `cargo build -p leapfrog-server`.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { type AddressInfo, createConnection, createServer } from "node:net";
import { join } from "node:path";

import { repoRoot } from "../../support/paths.js";

/** Options that lift the rate limit (the live timing check stays on: `Run` paces its jumps). */
export const NO_RATE_LIMIT = ["--rate-per-second", "1000000", "--rate-burst", "1000000"];

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

/** Waits until `check` resolves true, polling every 25 ms, for at most `ms`. */
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
  // TEST_SERVER_LOG (a LEAPFROG_LOG filter) shows the server's logs when debugging a test.
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

/** A `redis-server` without persistence. */
export class LiveRedis {
  readonly port: number;
  readonly #child: ChildProcess;

  private constructor(port: number, child: ChildProcess) {
    this.port = port;
    this.#child = child;
  }

  /** Starts one and waits until it answers PING. */
  static async start(): Promise<LiveRedis> {
    const port = await freePort();
    const child = start("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
    ]);
    const failed = new Promise<never>((_, reject) =>
      child.once("error", (error) =>
        reject(
          new Error(`redis-server could not start (${error.message}); install it: apt-get install -y redis-server`),
        ),
      ),
    );
    await Promise.race([failed, waitFor(`redis-server on port ${port}`, 10_000, () => !exited(child) && ping(port))]);
    return new LiveRedis(port, child);
  }

  /** Its URL for the server. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Kills it. */
  stop(): Promise<void> {
    return stop(this.#child);
  }
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

/** The server binary, or a clear failure. */
export function serverBinary(): string {
  const target = process.env["CARGO_TARGET_DIR"] ?? join(repoRoot, "target");
  const binary = join(target, "debug", "leapfrog-server");
  if (!existsSync(binary)) {
    throw new Error(
      `the server binary is missing at ${binary}: build it first with \`cargo build -p leapfrog-server\` ` +
        "(with the same CARGO_TARGET_DIR)",
    );
  }
  return binary;
}

/** A `leapfrog-server` with `--dev-auth` on `redis`. */
export class LiveServer {
  readonly port: number;
  readonly #child: ChildProcess;

  private constructor(port: number, child: ChildProcess) {
    this.port = port;
    this.#child = child;
  }

  /**
   * Starts one with `extra` options and waits until `/readyz` answers 200. A free port can be taken by
   * someone else before the server binds it; the server then exits, and is started again on new ports.
   */
  static async start(redis: LiveRedis, extra: readonly string[] = []): Promise<LiveServer> {
    const binary = serverBinary();
    for (let attempt = 0; attempt < 3; attempt++) {
      const [port, admin] = [await freePort(), await freePort()];
      const child = start(
        binary,
        [
          "--dev-auth",
          "--redis-url",
          redis.url,
          "--listen",
          `127.0.0.1:${port}`,
          "--admin-listen",
          `127.0.0.1:${admin}`,
          "--drain-timeout-ms",
          "2000",
          ...extra,
        ],
        { LEAPFROG_LOG: process.env["TEST_SERVER_LOG"] ?? "warn" },
      );
      try {
        await waitFor(`leapfrog-server on port ${port}`, 20_000, async () => {
          if (exited(child)) throw new Error("exited");
          return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
        });
        return new LiveServer(port, child);
      } catch (error) {
        await stop(child);
        if (attempt === 2) throw error;
      }
    }
    throw new Error("unreachable");
  }

  /** The WebSocket URL. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  /** A dev token for `player` (`POST /dev/token`). */
  async token(player: string): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.port}/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ player }),
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await response.json()) as { token?: string };
    if (response.status !== 200 || body.token === undefined)
      throw new Error(`dev token for ${player}: HTTP ${response.status}`);
    return body.token;
  }

  /** Kills it. */
  stop(): Promise<void> {
    return stop(this.#child);
  }
}
