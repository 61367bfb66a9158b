/**
 * The whole device as a user sees it: `pleura start` with its defaults (simulated convex probe,
 * RF beamformed on the device), the kiosk page in Debian's Chromium. The image moves; Freeze stops it (the
 * probe stops sending frames); depth and gain reach the probe as CONFIGURE. A screenshot is kept
 * in test-artifacts/.
 */
import fs from 'node:fs';
import test from 'ava';
import type { Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { startDevice } from '../helpers/device.js';

const ARTIFACTS = 'test-artifacts';

async function canvasHash(page: Page): Promise<{ hash: number; mean: number; bright: number }> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="live-image"]');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || canvas.width === 0) return { hash: 0, mean: 0, bright: 0 };
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 2166136261;
    let sum = 0;
    let bright = 0;
    for (let i = 0; i < data.length; i += 4) {
      hash = Math.imul(hash ^ data[i]!, 16777619);
      sum += data[i]!;
      if (data[i]! > 128) bright++;
    }
    return { hash: hash >>> 0, mean: sum / (data.length / 4), bright };
  });
}

async function distinctOverOneSecond(page: Page): Promise<number> {
  const hashes = new Set<number>();
  for (let i = 0; i < 5; i++) {
    hashes.add((await canvasHash(page)).hash);
    await page.waitForTimeout(250);
  }
  return hashes.size;
}

test.serial('the kiosk shows a moving image from the simulated probe; freeze, depth and gain reach the probe', async (t) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const device = await startDevice();
  const browser = await launchChromium();
  try {
    await device.until((s) => s.probe.state === 'streaming' && s.pipeline.framesShown > 0, 30_000, 'the probe to stream');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const shownAt = Date.now();
    await page.goto(device.url);
    await page.getByTestId('image-frame').waitFor({ state: 'visible', timeout: 10_000 });
    t.log(`first image in the page ${Date.now() - shownAt} ms after navigation`);
    await page.screenshot({ path: `${ARTIFACTS}/device-live.png` });
    const content = await canvasHash(page);
    t.log(`mean grey ${content.mean.toFixed(1)}, ${content.bright} pixels above 128`);
    t.true(content.mean > 1 && content.bright > 100, 'the image has tissue and a bright pleural line, not black');
    // On a machine without the simulator's cached loop, the first breath plays in slow motion
    // while it is simulated (docs/simulator.md): the image changes, if not at full rate yet.
    const moving = await distinctOverOneSecond(page);
    t.true(moving >= 2, `the image changes over one second (${moving} distinct of 5)`);
    t.regex((await page.getByTestId('probe-state').textContent()) ?? '', /Scanning/);

    // Freeze: the probe stops sending frames and the image holds still.
    await page.getByTestId('freeze-button').click();
    const frozen = await device.until((s) => s.settings.frozen, 3000, 'the freeze to reach the device');
    await page.waitForTimeout(600);
    const rfBefore = (await device.status()).probe.link?.FRAME_RF ?? 0;
    t.is(await distinctOverOneSecond(page), 1, 'the image holds still while frozen');
    const rfAfter = (await device.status()).probe.link?.FRAME_RF ?? 0;
    t.is(rfAfter, rfBefore, 'no RF frames arrive from the probe while frozen');
    t.true(frozen.settings.frozen);
    await page.screenshot({ path: `${ARTIFACTS}/device-frozen.png` });

    await page.getByTestId('freeze-button').click();
    await device.until((s) => !s.settings.frozen, 3000, 'the unfreeze');
    await page.waitForTimeout(500);
    t.true((await distinctOverOneSecond(page)) >= 2, 'the image moves again after unfreeze');

    // Depth: the probe is reconfigured and the image shows the new depth.
    const depthBefore = (await device.status()).settings.depthMm;
    await page.getByTestId('depth-down').click();
    const deeper = await device.until((s) => s.settings.depthMm < depthBefore, 3000, 'the depth change');
    t.true(deeper.settings.depthMm < depthBefore);
    await page.waitForFunction((mm) => (document.querySelector('[data-testid="depth-value"]')?.textContent ?? '').includes(String(mm / 10)), deeper.settings.depthMm, { timeout: 3000 });
    const configured = new RegExp(`configured: rf, depth ${deeper.settings.depthMm} mm`);
    const deadline = Date.now() + 3000;
    while (!configured.test(device.log()) && Date.now() < deadline) await page.waitForTimeout(50);
    t.regex(device.log(), configured, 'the probe received CONFIGURE with the new depth');

    // Gain: the probe amplifies, and the image gets brighter (levels are against a fixed reference).
    await page.waitForTimeout(1000);
    const darker = await canvasHash(page);
    const gainBefore = (await device.status()).settings.gainDb;
    await page.getByTestId('gain-up').click();
    await device.until((s) => s.settings.gainDb > gainBefore, 3000, 'the first gain step');
    await page.getByTestId('gain-up').click();
    const brighter = await device.until((s) => s.settings.gainDb > gainBefore + 3, 3000, 'the second gain step');
    const gainDb = brighter.settings.gainDb;
    const gainDeadline = Date.now() + 3000;
    while (!new RegExp(`gain ${gainDb} dB`).test(device.log()) && Date.now() < gainDeadline) await page.waitForTimeout(50);
    t.regex(device.log(), new RegExp(`gain ${gainDb} dB`), 'the probe received CONFIGURE with the new gain');
    // A new configuration may make the simulator start a new loop; wait for its frames.
    let after = await canvasHash(page);
    for (const until = Date.now() + 8000; after.mean <= darker.mean + 2 && Date.now() < until; ) {
      await page.waitForTimeout(250);
      after = await canvasHash(page);
    }
    t.log(`gain ${gainBefore} → ${gainDb} dB: mean grey ${darker.mean.toFixed(1)} → ${after.mean.toFixed(1)}`);
    t.true(after.mean > darker.mean + 2, 'the image is brighter with more gain');
    await page.screenshot({ path: `${ARTIFACTS}/device-gain.png` });
  } finally {
    await browser.close();
    await device.stop();
  }
});
