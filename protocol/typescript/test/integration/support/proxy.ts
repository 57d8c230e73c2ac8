/**
 * A TCP proxy between the client and the server that can cut every connection through it, the way a
 * network drop does (no close frame, no FIN from the server's side, the answer in flight lost). It can also
 * cut right after forwarding the client's next write, so a request reaches the server but its answer never
 * reaches the client.
 */

import { type AddressInfo, type Server, type Socket, createConnection, createServer } from "node:net";

/** What the proxy does with the client's next write once armed. */
export type Cut = "before_forwarding" | "after_forwarding";

export class CuttingProxy {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #armed: Cut | null = null;
  /** Set from an armed write until the cut: nothing more reaches the client. */
  #blocking = false;
  #onCut: (() => void) | null = null;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** A proxy on a free loopback port in front of `targetPort`. */
  static async start(targetPort: number): Promise<CuttingProxy> {
    let proxy!: CuttingProxy;
    const server = createServer((client) => proxy.#accept(client, targetPort));
    proxy = new CuttingProxy(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  /** The WebSocket URL through the proxy. */
  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}/ws`;
  }

  /** Cuts every connection at the client's next write (forwarding it first or not); resolves once cut. */
  cutAtNextWrite(cut: Cut): Promise<void> {
    this.#armed = cut;
    return new Promise((resolve) => {
      this.#onCut = resolve;
    });
  }

  /** Cuts every connection now. */
  cutAll(): void {
    for (const [client, upstream] of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  /** Stops accepting and cuts everything. */
  async stop(): Promise<void> {
    this.cutAll();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #cut(): void {
    this.cutAll();
    this.#blocking = false;
    this.#onCut?.();
    this.#onCut = null;
  }

  #accept(client: Socket, targetPort: number): void {
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    client.on("data", (chunk: Buffer) => {
      const armed = this.#armed;
      this.#armed = null;
      if (armed === "before_forwarding") {
        this.#cut();
        return;
      }
      // A WebSocket frame may come in several writes: what follows the armed write still goes through, until
      // the cut, so the server gets the whole frame.
      upstream.write(chunk);
      if (armed === "after_forwarding") {
        this.#blocking = true;
        setTimeout(() => this.#cut(), 250);
      }
    });
    upstream.on("data", (chunk: Buffer) => {
      // After an armed forward, the answer must not get through.
      if (!this.#blocking && this.#pairs.has(pair)) client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  }
}
