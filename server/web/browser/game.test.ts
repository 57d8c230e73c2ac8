/**
 * The web client end to end in headless Chromium, against a real node and a real Redis (see `harness.ts`),
 * at real timing: the node keeps its default timing tolerance, and every press is a real pointer event on
 * the canvas held as long as leapfrog-rules says lands on the next platform's centre.
 *
 * - alice and bob become friends through the UI; bob plays; alice plays a better run; her run-over names
 *   bob, and bob's open page shows the toast without a reload;
 * - alice's challenge link, opened by bob, starts a run on her course, and her best run races him as a
 *   ghost; bob watches her best from the friends panel;
 * - carol (on the bincode codec) reloads mid-run and plays on; a request sent while her page was closed is
 *   in her inbox when she comes back;
 * - screenshots of the game, the boards and the run-over screen at phone and desktop size, and the canvas
 *   is not blank.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import type { BrowserContext, Page } from "playwright-core";
import { GameSession, Ruleset, type World } from "leapfrog-rules";

import {
  Backend,
  DESKTOP,
  PHONE,
  TestBrowser,
  centrePress,
  fallPress,
  hold,
  openAs,
  playRun,
  screenshot,
  waitFor,
  worldOf,
} from "./harness.js";

let backend: Backend;
let browser: TestBrowser;
const contexts: BrowserContext[] = [];

async function context(viewport = PHONE): Promise<BrowserContext> {
  const made = await browser.context(viewport);
  contexts.push(made);
  return made;
}

before(async () => {
  backend = await Backend.start();
  browser = await TestBrowser.launch();
});

after(async () => {
  for (const made of contexts) await made.close().catch(() => {});
  await browser?.close();
  await backend?.stop();
});

/** Opens the friends panel, asks `player` to be friends, and closes the panel. */
async function addFriend(page: Page, player: string): Promise<void> {
  await page.getByTestId("open-friends").click();
  await page.getByTestId("add-friend-input").fill(player);
  await page.getByTestId("add-friend").click();
  await page.getByTestId("toast").filter({ hasText: player }).waitFor();
  await page.getByTestId("close-panel").click();
}

/** Sets the display name through the friends panel. */
async function setName(page: Page, name: string): Promise<void> {
  await page.getByTestId("open-friends").click();
  await page.getByTestId("name-input").fill(name);
  await page.getByTestId("save-name").click();
  await page.getByTestId("toast").filter({ hasText: name }).waitFor();
  await page.getByTestId("close-panel").click();
}

/** The player's page: its score as shown. */
async function shownScore(page: Page): Promise<number> {
  return Number(await page.getByTestId("score").textContent());
}

/** How much the canvas's pixels vary (standard deviation of the luminance of drawn pixels), and how many are drawn. */
async function canvasVariance(page: Page): Promise<{ deviation: number; drawn: number }> {
  return page.evaluate(() => {
    const canvas = document.querySelector("canvas") as HTMLCanvasElement;
    const data = (canvas.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < data.length; i += 16) {
      if ((data[i + 3] ?? 0) === 0) continue;
      const luminance = 0.2126 * (data[i] ?? 0) + 0.7152 * (data[i + 1] ?? 0) + 0.0722 * (data[i + 2] ?? 0);
      count += 1;
      sum += luminance;
      squares += luminance * luminance;
    }
    const mean = count === 0 ? 0 : sum / count;
    return { deviation: count === 0 ? 0 : Math.sqrt(squares / count - mean * mean), drawn: count };
  });
}

describe("the web client in Chromium", { timeout: 180_000 }, () => {
  let alice: Page;
  let bob: Page;
  let link: string;

  test("friends through the UI; bob plays; alice passes him; her run-over names him; his page shows the toast live", async () => {
    alice = await openAs(await context(), backend.origin, "alice");
    bob = await openAs(await context(), backend.origin, "bob");
    await alice.getByTestId("play").waitFor();
    await bob.getByTestId("play").waitFor();
    await setName(alice, "Alice");

    await addFriend(alice, "bob");
    await bob.getByTestId("open-friends").click();
    await bob.getByTestId("accept-request").click();
    await bob.getByTestId("friends").filter({ hasText: "Alice" }).waitFor();
    await bob.getByTestId("close-panel").click();
    await alice.getByTestId("toast").filter({ hasText: "accepted" }).waitFor();

    await playRun(bob, 1);
    const bobScore = Number(await bob.getByTestId("final-score").textContent());
    assert.ok(bobScore <= 2, `bob scored ${bobScore}`);

    const toast = bob.getByTestId("toast").filter({ hasText: "Alice passed you" }).waitFor({ timeout: 30_000 });
    await playRun(alice, 4);
    const aliceScore = Number(await alice.getByTestId("final-score").textContent());
    assert.ok(aliceScore > bobScore, `alice scored ${aliceScore}, bob ${bobScore}`);
    // Bob has no display name: he is named by his id.
    await alice.getByTestId("passed").filter({ hasText: "bob" }).waitFor();
    await alice.getByTestId("rank").filter({ hasText: "#1" }).waitFor();
    await toast;
    await bob.getByTestId("open-inbox").click();
    await bob.getByTestId("inbox").filter({ hasText: "Alice passed you" }).waitFor();
    await bob.getByTestId("close-panel").click();
    await screenshot(alice, "run-over-phone");
    await alice.getByTestId("open-challenge").click();
    link = (await alice.getByTestId("challenge-link").getAttribute("href")) ?? "";
    assert.match(link, /\/\?challenge=[0-9a-f]{32}$/);
  });

  test("alice's challenge link starts bob's run on her course, and her best run races him as a ghost", async () => {
    assert.ok(link !== undefined && link !== "", "the first scenario made a link");
    await bob.goto(`${link}&player=bob`);
    await bob.getByTestId("challenge").filter({ hasText: "Alice challenges you" }).waitFor();
    await bob.getByTestId("ghost").waitFor();
    await bob.getByTestId("play").click();
    await waitFor("a live challenge run", 10_000, async () => (await bob.evaluate(() => (window as unknown as { leapfrog: { world(): unknown } }).leapfrog.world())) !== null);

    // The course is the challenge's: the same first platforms as a run on its seed.
    const id = link.split("=")[1] ?? "";
    const token = await devToken("bob");
    const page = (await (await fetch(`${backend.origin}/v1/challenges/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      challenge: { seed: string; ruleset: number };
    };
    const course = new GameSession(page.challenge.seed, Ruleset.fromVersion(page.challenge.ruleset)).world;
    assert.deepEqual(await worldOf(bob), course as World);

    // The ghost jumps on its own, with alice's inputs.
    const ghost = bob.getByTestId("ghost");
    await waitFor("the ghost's first jumps", 15_000, async () => Number(await ghost.getAttribute("data-jumps")) >= 2);
    await hold(bob, centrePress(await worldOf(bob)));
    await screenshot(bob, "ghost-race-phone");
    await hold(bob, fallPress(await worldOf(bob)));
    await bob.getByTestId("run-over").waitFor({ timeout: 15_000 });
    await bob.getByTestId("challenge-board").filter({ hasText: "Alice" }).waitFor();
    await bob.getByTestId("challenge-board").filter({ hasText: "bob" }).waitFor();

    // Watching her best from the friends panel replays it; it was shared, so it can be raced.
    await bob.getByTestId("open-friends").click();
    await bob.getByTestId("friends").getByTestId("watch").click();
    await bob.getByTestId("ghost").filter({ hasText: "Watching: Alice" }).waitFor();
    await waitFor("the replay's first jump", 15_000, async () => Number(await ghost.getAttribute("data-jumps")) >= 1);
    assert.match((await bob.getByTestId("race").getAttribute("href")) ?? "", /\?challenge=[0-9a-f]{32}$/);
    await screenshot(bob, "watch-phone");
    await bob.getByTestId("stop-watching").click();
    await bob.getByTestId("play").waitFor();
  });

  test("a reload mid-run takes the run up; the inbox shows what came while the page was closed", async () => {
    const carolContext = await context();
    let carol = await openAs(carolContext, backend.origin, "carol", "&codec=bincode");
    await carol.getByTestId("play").click();
    await waitFor("carol's run", 10_000, async () => (await carol.evaluate(() => (window as unknown as { leapfrog: { world(): unknown } }).leapfrog.world())) !== null);
    await carol.waitForTimeout(300);
    await hold(carol, centrePress(await worldOf(carol)));
    const scoreBefore = await shownScore(carol);
    const worldBefore = await worldOf(carol);
    assert.ok(scoreBefore >= 1, `carol scored ${scoreBefore}`);

    await carol.reload();
    await waitFor("the run taken up", 10_000, async () => (await carol.evaluate(() => (window as unknown as { leapfrog: { jumps(): number } }).leapfrog.jumps())) === 1);
    assert.equal(await shownScore(carol), scoreBefore);
    assert.deepEqual(await worldOf(carol), worldBefore);
    assert.equal(await carol.getByTestId("play").count(), 0, "playing, not on the start screen");
    await carol.waitForTimeout(300);
    await hold(carol, centrePress(await worldOf(carol)));
    assert.ok((await shownScore(carol)) > scoreBefore);
    await hold(carol, fallPress(await worldOf(carol)));
    await carol.getByTestId("run-over").waitFor({ timeout: 15_000 });

    await carol.close();
    await addFriend(alice, "carol");
    carol = await openAs(carolContext, backend.origin, "carol", "&codec=bincode");
    await carol.getByTestId("play").waitFor();
    await carol.getByTestId("open-inbox").click();
    await carol.getByTestId("inbox").filter({ hasText: "Alice wants to be friends" }).waitFor();
    // Sent while Carol's page was closed: listed in the inbox, not popped up over it.
    assert.equal(await carol.getByTestId("toast").count(), 0, "a notification from before the page opened pops up");
    await screenshot(carol, "inbox-phone");
    await carol.getByTestId("close-panel").click();
    await carol.getByTestId("open-friends").click();
    await carol.getByTestId("requests").filter({ hasText: "Alice" }).waitFor();
    await carol.getByTestId("accept-request").click();
    await carol.getByTestId("friends").filter({ hasText: "Alice" }).waitFor();
  });

  test("screenshots of the game, the boards and the run-over screen at phone and desktop size; the canvas is drawn", async () => {
    const desktop = await openAs(await context(DESKTOP), backend.origin, "dora");
    await desktop.getByTestId("play").waitFor();
    await screenshot(desktop, "start-desktop");
    await desktop.getByTestId("play").click();
    await waitFor("dora's run", 10_000, async () => (await desktop.evaluate(() => (window as unknown as { leapfrog: { world(): unknown } }).leapfrog.world())) !== null);
    await desktop.waitForTimeout(500);
    await hold(desktop, centrePress(await worldOf(desktop)));
    await hold(desktop, centrePress(await worldOf(desktop)));
    await screenshot(desktop, "game-desktop");
    const drawn = await canvasVariance(desktop);
    assert.ok(drawn.drawn > 1_000 && drawn.deviation > 12, `a drawn canvas: ${JSON.stringify(drawn)}`);
    await hold(desktop, fallPress(await worldOf(desktop)));
    await desktop.getByTestId("run-over").waitFor({ timeout: 15_000 });
    await screenshot(desktop, "run-over-desktop");
    await desktop.getByTestId("open-boards").click();
    await desktop.getByTestId("global-board").filter({ hasText: "dora" }).waitFor();
    await screenshot(desktop, "boards-desktop");

    await alice.getByTestId("play").click();
    await alice.waitForTimeout(600);
    await screenshot(alice, "game-phone");
    const phone = await canvasVariance(alice);
    assert.ok(phone.drawn > 1_000 && phone.deviation > 12, `a drawn canvas: ${JSON.stringify(phone)}`);
    await alice.getByTestId("open-boards").click();
    await alice.getByTestId("friends-board").filter({ hasText: "bob" }).waitFor();
    await alice.getByTestId("period-all_time").click();
    await alice.getByTestId("global-board").filter({ hasText: "Alice" }).waitFor();
    await screenshot(alice, "boards-phone");
  });
});

async function devToken(player: string): Promise<string> {
  const response = await fetch(`${backend.origin}/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ player }),
  });
  return ((await response.json()) as { token: string }).token;
}
