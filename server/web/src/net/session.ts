/**
 * The connection: a `LeapfrogClient` on this page's node (`/ws` on the same host, so the page's
 * Content-Security-Policy `connect-src 'self'` allows it), in the chosen codec, with the login's token
 * provider, asking to resume the run this tab kept; and the reads that load a ghost.
 *
 * @module
 */

import {
  type Challenge,
  type CodecName,
  LeapfrogClient,
  type Period,
  type Replay,
  ServerError,
  browserSocket,
} from "leapfrog-client";
import { Ruleset } from "leapfrog-rules";

import { GhostTrack } from "../game/ghost.js";
import { type Login, tokenProvider } from "./auth.js";

/** How to connect. */
export interface SessionOptions {
  readonly login: Login;
  readonly codec: CodecName;
  /** The run this tab was playing before a reload, if any. */
  readonly resume: string | null;
}

/** The client of this page's node (not connected yet). */
export function openSession(options: SessionOptions): LeapfrogClient {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return new LeapfrogClient({
    url: `${scheme}://${location.host}/ws`,
    token: tokenProvider(options.login),
    socket: browserSocket(),
    codec: options.codec,
    clientVersion: "leapfrog-web/0.1.0",
    resume: options.resume,
  });
}

/** A recorded run ready to play back. */
export interface Ghost {
  readonly replay: Replay;
  readonly track: GhostTrack;
}

/** The periods whose best may be a challenge's shared run, most likely first. */
const PERIODS: readonly Period[] = ["weekly", "all_time", "daily"];

/**
 * The ghost of a challenge: its owner's best run on the challenge's course (their best of some period with
 * the same seed), if the owner is this player or a friend and kept it; `null` otherwise.
 */
export async function findChallengeGhost(client: LeapfrogClient, challenge: Challenge): Promise<Ghost | null> {
  for (const period of PERIODS) {
    let replay: Replay;
    try {
      replay = await client.readReplay(challenge.owner, period);
    } catch (error) {
      if (error instanceof ServerError && (error.code === "not_found" || error.code === "forbidden")) {
        if (error.code === "forbidden") return null;
        continue;
      }
      throw error;
    }
    if (replay.seed === challenge.seed && replay.ruleset === challenge.ruleset) {
      return { replay, track: new GhostTrack(replay.seed, Ruleset.fromVersion(replay.ruleset), replay.jumps) };
    }
  }
  return null;
}
