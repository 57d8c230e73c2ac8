/** A client on a fake adapter and a manual clock, connected through `hello` and `welcome`. */

import { LeapfrogClient, type ClientOptions } from "../../src/client.js";
import { type CodecName, codecNamed } from "../../src/codec/index.js";
import type { Welcome } from "../../src/generated/messages.js";
import { FakeAdapter, type FakeSocket, ManualClock, flush } from "./fake.js";

export interface Harness {
  readonly client: LeapfrogClient;
  readonly adapter: FakeAdapter;
  readonly clock: ManualClock;
}

/** How to build the harness: the codec, whether the adapter sends headers, and client options. */
export interface HarnessOptions extends Partial<Omit<ClientOptions, "socket" | "codec" | "clock">> {
  readonly codec?: CodecName;
  readonly canSendHeaders?: boolean;
}

/** A client, not connected. Backoff jitter is fixed at the middle (random() = 0.5). */
export function harness({ codec = "bincode", canSendHeaders = true, ...options }: HarnessOptions = {}): Harness {
  const clock = new ManualClock();
  const adapter = new FakeAdapter(codecNamed(codec), canSendHeaders);
  const client = new LeapfrogClient({
    url: "ws://127.0.0.1:7300/ws",
    token: "token-1",
    random: () => 0.5,
    catchUpNotifications: false,
    ...options,
    socket: adapter,
    codec,
    clock,
  });
  return { client, adapter, clock };
}

/** Accepts the socket opened last and welcomes its hello. */
export async function welcome(h: Harness, overrides: Partial<Welcome> = {}): Promise<FakeSocket> {
  await flush();
  const socket = h.adapter.current;
  socket.accept();
  socket.welcome(overrides);
  await flush();
  return socket;
}

/** A connected client. */
export async function connected(options: HarnessOptions = {}): Promise<Harness & { socket: FakeSocket }> {
  const h = harness(options);
  const connecting = h.client.connect();
  const socket = await welcome(h);
  await connecting;
  return { ...h, socket };
}
