/**
 * Frame pacing of the game in headless Chromium (software rendering: `--disable-gpu`): the intervals
 * between `requestAnimationFrame` callbacks while a jump is charged, flown and landed, at phone and
 * desktop size, and the time the stage spends drawing each frame. Prints p50, p99 and the worst of each,
 * and the command. Not a test: it fails only if the page cannot be played.
 *
 * Run: `npm run bench:frames` (it builds the client; the node binary must be built, as for the browser
 * suite).
 */

import { Backend, DESKTOP, PHONE, TestBrowser, centrePress, openAs, stageCentre, waitFor, worldOf } from "./harness.js";

/** Jumps measured per viewport. */
const JUMPS = 6;

interface Figures {
  readonly intervals: number[];
  readonly draws: number[];
}

function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] ?? NaN;
}

function line(name: string, values: readonly number[]): string {
  const f = (value: number) => value.toFixed(1).padStart(5);
  return `${name.padEnd(26)} p50 ${f(percentile(values, 0.5))} ms   p99 ${f(percentile(values, 0.99))} ms   max ${f(Math.max(...values))} ms   (${values.length} frames)`;
}

async function measure(browser: TestBrowser, origin: string, viewport: { width: number; height: number }, player: string): Promise<Figures> {
  const context = await browser.context(viewport);
  const page = await openAs(context, origin, player);
  await page.getByTestId("play").click();
  await waitFor("a live run", 10_000, async () => (await page.evaluate(() => (window as unknown as { leapfrog: { world(): unknown } }).leapfrog.world())) !== null);
  await page.waitForTimeout(500);
  const intervals: number[] = [];
  const draws: number[] = [];
  for (let jump = 0; jump < JUMPS; jump++) {
    const press = centrePress(await worldOf(page));
    const before = await page.evaluate(() => (window as unknown as { leapfrog: { drawTimes(): number[] } }).leapfrog.drawTimes().length);
    // Record every animation frame from the press to the end of the landing and the camera's glide.
    await page.evaluate(() => {
      const probe = { frames: [] as number[], stop: false };
      (window as unknown as { probe: typeof probe }).probe = probe;
      let last: number | null = null;
      const loop = (now: number) => {
        if (last !== null) probe.frames.push(now - last);
        last = now;
        if (!probe.stop) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    });
    const at = await stageCentre(page);
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.waitForTimeout(press);
    await page.mouse.up();
    await page.waitForTimeout(1_200);
    const measured = await page.evaluate((from) => {
      const view = window as unknown as { probe: { frames: number[]; stop: boolean }; leapfrog: { drawTimes(): number[] } };
      view.probe.stop = true;
      return { frames: view.probe.frames, draws: view.leapfrog.drawTimes().slice(from) };
    }, before);
    intervals.push(...measured.frames);
    draws.push(...measured.draws);
  }
  await context.close();
  return { intervals, draws };
}

const backend = await Backend.start();
const browser = await TestBrowser.launch();
try {
  console.log(`command: npm run bench:frames (server/web), Chromium ${browser.browser.version()} headless, --disable-gpu`);
  for (const [name, viewport] of [
    ["phone 375x667", PHONE],
    ["desktop 1280x800", DESKTOP],
  ] as const) {
    const figures = await measure(browser, backend.origin, viewport, `bench-${viewport.width}`);
    console.log(`${name}, ${JUMPS} jumps (charge, flight, landing, camera):`);
    console.log(`  ${line("frame interval (rAF)", figures.intervals)}`);
    console.log(`  ${line("stage draw time", figures.draws)}`);
  }
} finally {
  await browser.close();
  await backend.stop();
}
