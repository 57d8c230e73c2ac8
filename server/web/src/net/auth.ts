/**
 * Who is playing: a token for the WebSocket and the read API, from one of three places.
 *
 * - `#token=<jwt>` in the page's URL fragment (a host page or app opens the game with it; the fragment never
 *   reaches a server, and is removed from the address bar at once);
 * - a `postMessage` from the page that frames the game: `{ type: "leapfrog:token", token }`, sent by
 *   `window.parent` (only the parent is listened to); the game asks with `{ type: "leapfrog:token-request" }`
 *   whenever it needs one (at start, and when a token expired);
 * - with a node started with `--dev-auth`: `?player=<id>` logs in as that player with a token from
 *   `POST /dev/token` (the last dev player is remembered in this browser, so a shared link opens as them).
 *
 * @module
 */

import type { TokenProvider } from "leapfrog-client";

/** How the page logs in. */
export type Login =
  | { readonly kind: "fragment"; readonly token: string }
  | { readonly kind: "dev"; readonly player: string }
  | { readonly kind: "host" };

const DEV_PLAYER_KEY = "leapfrog.devPlayer";

/** Reads how to log in from the page's `location`, and takes the token out of the address bar. */
export function loginFrom(location: Location, storage: Storage | null, history: History): Login {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = fragment.get("token");
  if (token !== null && token !== "") {
    fragment.delete("token");
    const rest = fragment.toString();
    history.replaceState(history.state, "", `${location.pathname}${location.search}${rest === "" ? "" : `#${rest}`}`);
    return { kind: "fragment", token };
  }
  const player = new URLSearchParams(location.search).get("player") ?? storage?.getItem(DEV_PLAYER_KEY) ?? null;
  if (player !== null && player !== "") {
    storage?.setItem(DEV_PLAYER_KEY, player);
    return { kind: "dev", player };
  }
  return { kind: "host" };
}

/** Why no token could be had. */
export class LoginError extends Error {
  override readonly name = "LoginError";
}

/** A token provider for `login`: called before every (re)connection, so an expired token is renewed. */
export function tokenProvider(login: Login): TokenProvider {
  switch (login.kind) {
    case "fragment":
      return () => login.token;
    case "dev":
      return () => devToken(login.player);
    case "host":
      return () => hostToken();
  }
}

/** A token for `player` from the node's `POST /dev/token` (only under `--dev-auth`). */
export async function devToken(player: string): Promise<string> {
  const response = await fetch("/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ player, ttl_seconds: 24 * 60 * 60 }),
  });
  if (response.status === 404) {
    throw new LoginError("this server does not hand out development logins: open the game from its host app");
  }
  if (!response.ok) throw new LoginError(`the login for "${player}" was refused: ${await response.text()}`);
  const body = (await response.json()) as { token?: unknown };
  if (typeof body.token !== "string") throw new LoginError("the development login answered without a token");
  return body.token;
}

/** A token from the framing page: asks for one and waits (up to a minute) for its answer. */
function hostToken(): Promise<string> {
  if (window.parent === window) {
    return Promise.reject(
      new LoginError("no login: open the game from its host app, or with #token=… (or ?player=… on a dev server)"),
    );
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener("message", listener);
      reject(new LoginError("the host page sent no token"));
    }, 60_000);
    const listener = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; token?: unknown } | null;
      if (event.source !== window.parent || data?.type !== "leapfrog:token" || typeof data.token !== "string") return;
      clearTimeout(timer);
      window.removeEventListener("message", listener);
      resolve(data.token);
    };
    window.addEventListener("message", listener);
    window.parent.postMessage({ type: "leapfrog:token-request" }, "*");
  });
}
