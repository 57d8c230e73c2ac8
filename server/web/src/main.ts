/**
 * The Leapfrog web client: logs in, connects with the SDK, and wires the stage, the play controller and the
 * UI to the store. URL parameters: `player` (a dev login, with `--dev-auth`), `codec` (`json`, the default,
 * or `bincode`), `challenge` (a shared challenge's id: play its course against its owner's ghost); a token
 * comes in the fragment (`#token=`) or from the framing page (see `net/auth.ts`).
 *
 * @module
 */

import { type CodecName, type LeapfrogClient, type Period, ServerError } from "leapfrog-client";
import { GameSession, type JumpOutcome, Ruleset } from "leapfrog-rules";

import { LoginError, loginFrom } from "./net/auth.js";
import { type Ghost, findChallengeGhost, openSession } from "./net/session.js";
import { type AppState, challengeLink, changesFriends, describe, nameOf } from "./state/app.js";
import { Store } from "./state/store.js";
import { GhostTrack } from "./game/ghost.js";
import { type Ending, Play } from "./game/play.js";
import { forgetRun, loadRun } from "./game/saved.js";
import { Stage } from "./game/stage.js";
import { Watch } from "./game/watch.js";
import type { Actions } from "./ui/actions.js";
import { h, replace } from "./ui/dom.js";
import { Hud } from "./ui/hud.js";
import { Panels } from "./ui/panels.js";
import { screen } from "./ui/screens.js";
import { Toasts } from "./ui/toast.js";
import { bindInput } from "./ui/input.js";

const params = Ruleset.params(Ruleset.V1);
const storage = sessionOrNull();
const store = new Store();
const url = new URLSearchParams(location.search);
const codec: CodecName = url.get("codec") === "bincode" ? "bincode" : "json";
const challengeId = url.get("challenge");
const login = loginFrom(location, localOrNull(), history);
const saved = loadRun(storage);

const canvas = h("canvas", {
  class: "stage",
  "data-testid": "stage",
  role: "img",
  "aria-label": "The game. Press and hold (mouse, touch or the space bar) to charge, release to jump.",
});
const stage = new Stage(canvas, params, new GameSession("1", Ruleset.V1).world);
const client: LeapfrogClient = openSession({ login, codec, resume: saved?.runId ?? null });
let challengeGhost: Ghost | null = null;
let watching: Watch | null = null;
let welcomedAtServerMs = 0;

const play = new Play(stage, client, params, storage, {
  landed: (outcome) => store.dispatch({ type: "score", score: outcome.score, combo: outcome.combo }),
  over: (ending) => void showOver(ending),
  problem: (message) => toast(message),
});

const actions: Actions = {
  play: () => void startRun(),
  panel: (panel) => {
    play.cancelPress();
    store.dispatch({ type: "panel", panel });
    if (panel === "boards") void loadBoards(store.state.period);
    if (panel === "friends") void loadFriends();
  },
  addFriend: (player) => social(client.sendFriendRequest(player), (change) => (change === "became_friends" ? `You and ${player} are friends` : `Request sent to ${player}`)),
  accept: (player) => social(client.acceptFriendRequest(player), () => `You and ${player} are friends`),
  decline: (player) => social(client.declineFriendRequest(player), () => `Declined ${player}`),
  removeFriend: (player) => social(client.removeFriend(player), () => `Removed ${player}`),
  block: (player) => social(client.block(player), () => `Blocked ${player}`),
  setName: (name) =>
    void client.setDisplayName(name).then(
      () => {
        store.dispatch({ type: "name", name });
        const me = store.state.me?.player;
        if (me !== undefined) localOrNull()?.setItem(`leapfrog.name.${me}`, name);
        toast(`Your name is now ${name}`);
      },
      (error: unknown) => toast(messageOf(error)),
    ),
  period: (period) => {
    store.dispatch({ type: "period", period });
    void loadBoards(period);
  },
  markRead: () => {
    const newest = store.state.inbox[store.state.inbox.length - 1];
    if (newest === undefined) return;
    void client.ackNotifications(newest.id).then(
      (upTo) => store.dispatch({ type: "acked", upTo }),
      (error: unknown) => toast(messageOf(error)),
    );
  },
  watch: (player) => void watch(player),
  stopWatching: () => stopWatching(),
  copyLink: (link) => void navigator.clipboard?.writeText(link).then(() => toast("Link copied"), () => toast(link)),
  shareRun: () => void shareRun(),
};

const hud = new Hud(actions);
const panels = new Panels(actions);
const toasts = new Toasts();
const overlay = h("div", { class: "overlays" });
document.body.replaceChildren(h("main", { class: "app" }, canvas, hud.element, overlay, panels.element, toasts.element));
bindInput(canvas, {
  press: (at) => {
    if (store.state.panel === null) play.press(at);
  },
  release: (at) => play.release(at),
});
stage.run();
stage.onGhost = (ghost) => {
  const view = store.state.ghost;
  if (view === null || (view.jumps === ghost.jumps && view.score === ghost.score && view.over === ghost.over)) return;
  store.dispatch({ type: "ghost", ghost: { ...view, jumps: ghost.jumps, score: ghost.score, over: ghost.over } });
};
store.subscribe(render);
render(store.state, store.state);
exposeForTests();
void boot();

function render(state: AppState, before: AppState): void {
  hud.render(state);
  panels.render(state, before === state ? null : before);
  toasts.render(state.toasts);
  const screenChanged =
    state === before ||
    state.screen !== before.screen ||
    state.report !== before.report ||
    state.challenge !== before.challenge ||
    state.failure !== before.failure ||
    (state.ghost === null) !== (before.ghost === null) ||
    state.ghost?.race !== before.ghost?.race;
  if (screenChanged) replace(overlay, screen(state, actions));
}

async function boot(): Promise<void> {
  client.on("welcome", (welcome) => {
    store.dispatch({ type: "online", online: true });
    if (welcomedAtServerMs === 0) welcomedAtServerMs = welcome.server_time_ms;
  });
  client.on("disconnected", () => store.dispatch({ type: "online", online: false }));
  client.on("closed", (error) => {
    if (store.state.screen === "connecting") store.dispatch({ type: "failed", message: messageOf(error) });
    else toast(`Disconnected: ${messageOf(error)}`);
  });
  client.on("notification", ({ notification }) => {
    store.dispatch({ type: "notified", notification });
    // Only what happens while the page is open pops up; the inbox holds the rest. A notification can
    // arrive before the welcome is handled (the page connecting): that one is from before, too.
    const live = welcomedAtServerMs > 0 && notification.created_ms > welcomedAtServerMs;
    if (live) toast(describe(notification.event));
    if (changesFriends(notification.event)) void loadFriends();
  });
  let welcome;
  try {
    welcome = await client.connect();
  } catch (error) {
    store.dispatch({ type: "failed", message: messageOf(error) });
    return;
  }
  store.dispatch({ type: "welcomed", player: welcome.player });
  const name = localOrNull()?.getItem(`leapfrog.name.${welcome.player}`) ?? null;
  if (name !== null) store.dispatch({ type: "name", name });
  void loadFriends();
  if (challengeId !== null) await loadChallenge(challengeId);
  const resumed = welcome.resumed;
  if (saved !== null && resumed !== null && resumed.run_id === saved.runId) {
    try {
      play.resume(resumed, saved.jumps, saved.challenge);
      store.dispatch({ type: "score", score: resumed.score, combo: resumed.combo });
      store.dispatch({ type: "screen", screen: "playing" });
      if (saved.challenge !== null && challengeGhost !== null) startGhost(challengeGhost, "race", performance.now());
      return;
    } catch (error) {
      toast(`Your last run could not be taken up: ${messageOf(error)}`);
    }
  }
  forgetRun(storage);
  store.dispatch({ type: "screen", screen: "start" });
}

async function startRun(): Promise<void> {
  if (play.live) return;
  stopWatching(false);
  const challenge = store.state.challenge?.challenge.challenge ?? null;
  try {
    await play.start(challenge === null ? "solo" : { challenge_run: { challenge } }, challenge);
  } catch (error) {
    toast(messageOf(error));
    return;
  }
  store.dispatch({ type: "report", report: null });
  store.dispatch({ type: "score", score: 0, combo: 0 });
  store.dispatch({ type: "screen", screen: "playing" });
  if (challenge !== null && challengeGhost !== null) startGhost(challengeGhost, "race", performance.now());
  else stopGhost();
}

async function showOver(ending: Ending): Promise<void> {
  const over = ending.ended !== null && "over" in ending.ended ? ending.ended.over : null;
  store.dispatch({ type: "report", report: { score: ending.score, over, runId: ending.runId, challenge: ending.challenge, link: null } });
  store.dispatch({ type: "screen", screen: "over" });
  if (ending.challenge !== null) await loadChallenge(ending.challenge);
  if (store.state.panel === "boards") void loadBoards(store.state.period);
}

/**
 * Shares the run on the run-over screen as a challenge when the player asks for a link, not for every run:
 * each challenge is kept on the server for days.
 */
async function shareRun(): Promise<void> {
  const report = store.state.report;
  if (report === null || report.link !== null) return;
  try {
    const challenge = await client.createChallenge(report.runId);
    const current = store.state.report;
    if (current?.runId === report.runId) {
      store.dispatch({ type: "report", report: { ...current, link: challengeLink(location.origin, challenge) } });
    }
  } catch (error) {
    toast(messageOf(error));
  }
}

async function loadChallenge(id: string): Promise<void> {
  try {
    const page = await client.readChallenge(id, 10);
    store.dispatch({ type: "challenge", page });
    challengeGhost ??= await findChallengeGhost(client, page.challenge);
    if (challengeGhost !== null && store.state.screen !== "playing") {
      store.dispatch({ type: "ghost", ghost: ghostView(challengeGhost, "race") });
    }
  } catch (error) {
    toast(error instanceof ServerError && error.code === "not_found" ? "That challenge has expired." : messageOf(error));
  }
}

function ghostView(ghost: Ghost, mode: "race" | "watch") {
  const shared = ghost.replay.challenge;
  return {
    name: nameOf(ghost.replay.player, ghost.replay.name),
    mode,
    jumps: 0,
    score: 0,
    finalScore: ghost.track.finalScore,
    over: false,
    race: mode === "watch" && shared !== null ? challengeLink(location.origin, { challenge: shared }) : null,
  };
}

/** Shows `ghost`: racing as a see-through figure from `at`, or watched as the stage's own figure. */
function startGhost(ghost: Ghost, mode: "race" | "watch", at: number): void {
  store.dispatch({ type: "ghost", ghost: ghostView(ghost, mode) });
  stage.setGhost(mode === "race" ? ghost.track : null, at);
}

function stopGhost(): void {
  stage.setGhost(null);
  store.dispatch({ type: "ghost", ghost: null });
}

async function watch(player: string): Promise<void> {
  if (play.live) return;
  let replay;
  try {
    replay = await readAnyReplay(player, store.state.period);
  } catch (error) {
    toast(error instanceof ServerError && error.code === "not_found" ? `${player} has no run to watch yet` : messageOf(error));
    return;
  }
  stopWatching(false);
  const ghost: Ghost = { replay, track: new GhostTrack(replay.seed, Ruleset.fromVersion(replay.ruleset), replay.jumps) };
  store.dispatch({ type: "panel", panel: null });
  store.dispatch({ type: "score", score: 0, combo: 0 });
  store.dispatch({ type: "screen", screen: "watching" });
  startGhost(ghost, "watch", performance.now());
  watching = new Watch(
    stage,
    ghost.track,
    (outcome: JumpOutcome) => {
      store.dispatch({ type: "score", score: outcome.score, combo: outcome.combo });
      const view = store.state.ghost;
      if (view !== null) store.dispatch({ type: "ghost", ghost: { ...view, jumps: outcome.index + 1, score: outcome.score, over: outcome.game_over } });
    },
    () => stopWatching(),
  );
}

/** The player's best of `period`, or else of the other periods. */
async function readAnyReplay(player: string, period: Period) {
  const periods: Period[] = [period, ...(["weekly", "all_time", "daily"] as const).filter((other) => other !== period)];
  let last: unknown;
  for (const each of periods) {
    try {
      return await client.readReplay(player, each);
    } catch (error) {
      if (!(error instanceof ServerError) || error.code !== "not_found") throw error;
      last = error;
    }
  }
  throw last;
}

function stopWatching(backToStart = true): void {
  if (watching === null) return;
  watching.stop();
  watching = null;
  stopGhost();
  stage.onLanded = null;
  stage.show(new GameSession("1", Ruleset.V1).world);
  if (backToStart) {
    store.dispatch({ type: "score", score: 0, combo: 0 });
    store.dispatch({ type: "screen", screen: "start" });
    if (challengeGhost !== null) store.dispatch({ type: "ghost", ghost: ghostView(challengeGhost, "race") });
  }
}

async function loadFriends(): Promise<void> {
  try {
    const [friends, requests] = await Promise.all([client.listFriends(null, 500), client.listFriendRequests()]);
    store.dispatch({ type: "friends", friends: friends.friends });
    store.dispatch({ type: "requests", incoming: requests.incoming, outgoing: requests.outgoing });
  } catch (error) {
    toast(messageOf(error));
  }
}

async function loadBoards(period: Period): Promise<void> {
  try {
    const window = { top: { limit: 20, after: null } } as const;
    const [friends, global] = await Promise.all([
      client.readBoard({ period, scope: "friends" }, window),
      client.readBoard({ period, scope: "global" }, window),
    ]);
    store.dispatch({ type: "board", page: friends });
    store.dispatch({ type: "board", page: global });
    const me = store.state.me;
    const mine = [...friends.entries, ...global.entries].find((entry) => entry.player === me?.player);
    if (mine !== undefined && mine.name !== null && me?.name === null) store.dispatch({ type: "name", name: mine.name });
  } catch (error) {
    toast(messageOf(error));
  }
}

function social<T>(request: Promise<T>, done: (answer: T) => string): void {
  request.then(
    (answer) => {
      toast(done(answer));
      void loadFriends();
    },
    (error: unknown) => toast(messageOf(error)),
  );
}

let toastId = 0;
function toast(text: string): void {
  const id = ++toastId;
  store.dispatch({ type: "toast", id, text });
  setTimeout(() => store.dispatch({ type: "untoast", id }), 5_000);
}

function messageOf(error: unknown): string {
  if (error instanceof LoginError) return error.message;
  if (error instanceof ServerError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function sessionOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function localOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * A read-only view for tests and tools (`window.leapfrog`): the world of the live run (`null` without one;
 * to aim a press), its jumps, and the stage's frame draw times. It changes nothing, and shows nothing the player does not see.
 */
function exposeForTests(): void {
  Object.defineProperty(window, "leapfrog", {
    value: Object.freeze({
      world: () => (play.live ? (play.run?.world ?? null) : null),
      jumps: () => play.run?.jumps ?? 0,
      drawTimes: () => [...stage.drawTimes],
    }),
  });
}
