/**
 * Lung findings on the live image, the whole device (`pleura start`) with the kiosk page in
 * Debian's Chromium:
 *
 * * stage isolation: with the findings model missing, or refused (SHA-256 mismatch), images keep
 *   flowing, /api/status says which and why, and the kiosk says AI findings are off;
 * * with a stand-in model (constant findings: B-lines at three positions), the overlay layer
 *   draws the B-line markers and the count, the panel labels them as decision support, and the
 *   overlay switch clears them;
 * * with the real model (models/lung-findings/), on the simulator's b-lines-3 scene, the overlay
 *   draws B-line markers and a count. Skipped, saying so, while the model is not installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type { Page } from 'playwright-core';
import { DEFAULT_FINDINGS_MANIFEST, INSTALL_ROOT } from '../../device/config/models.js';
import { launchChromium } from '../helpers/chromium.js';
import { startDevice } from '../helpers/device.js';
import { writeStandInFindingsModel } from '../helpers/findings-model.js';

const ARTIFACTS = 'test-artifacts';
const REAL_MANIFEST = path.join(INSTALL_ROOT, DEFAULT_FINDINGS_MANIFEST);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-findings-'));

/** Amber B-line marker pixels per overlay column, and the overlay's own record of what it drew. */
async function overlayMarkers(page: Page): Promise<{ columns: number; seq: string; bLines: string }> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="findings-overlay"]');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || canvas.width < 2) return { columns: 0, seq: '', bLines: '' };
    const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let columns = 0;
    for (let x = 0; x < width; x++) {
      let amber = 0;
      for (let y = Math.floor(height / 2); y < height; y++) {
        const i = (y * width + x) * 4;
        if (data[i + 3]! > 128 && data[i]! > 200 && data[i + 1]! > 140 && data[i + 1]! < 210 && data[i + 2]! < 110) amber++;
      }
      if (amber > height / 4) columns++;
    }
    return { columns, seq: canvas.dataset['seq'] ?? '', bLines: canvas.dataset['bLines'] ?? '' };
  });
}

for (const broken of ['missing', 'refused'] as const) {
  test.serial(`a ${broken} findings model: the image keeps flowing, the status and the kiosk say why`, async (t) => {
    const dir = tmp();
    const manifest = broken === 'missing' ? path.join(dir, 'absent.json') : writeStandInFindingsModel(dir, { tamper: true }).manifestPath;
    const device = await startDevice(['--mode', 'bmode', '--findings-model', manifest]);
    const browser = await launchChromium();
    try {
      const s = await device.until((st) => st.pipeline.framesShown >= 20 && st.models[0]?.state === broken, 60_000, `frames and a ${broken} model`);
      t.is(s.pipeline.stages.infer?.state, 'running', 'the infer stage is up, not crash-looping');
      t.is(s.pipeline.stages.infer?.restarts, 0);
      t.false(s.pipeline.degraded);
      t.like(s.models[0], { stage: 'infer', state: broken, executionProvider: null, framesAnalyzed: 0 });
      t.regex(s.models[0]!.error!, broken === 'missing' ? /cannot be read/ : /refusing to load it/);
      const later = await device.until((st) => st.pipeline.framesShown >= s.pipeline.framesShown + 20, 20_000, 'more frames');
      t.true(later.pipeline.fps > 0);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(device.url);
      await page.getByTestId('image-frame').waitFor({ state: 'visible', timeout: 10_000 });
      await page.getByTestId('findings-unavailable').waitFor({ state: 'visible', timeout: 5000 });
      const notice = (await page.getByTestId('findings-unavailable').textContent()) ?? '';
      t.regex(notice, broken === 'missing' ? /AI findings are off: the model is not installed/ : /integrity check/);
      await page.screenshot({ path: `${ARTIFACTS}/kiosk-findings-${broken}.png` });
    } finally {
      await browser.close();
      t.is(await device.stop(), 0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.serial('a findings model on the live image: B-line markers and count on the overlay, words in the panel, a switch to hide them', async (t) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dir = tmp();
  const { manifestPath } = writeStandInFindingsModel(dir);
  const device = await startDevice(['--mode', 'bmode', '--depth-mm', '80', '--findings-model', manifestPath]);
  const browser = await launchChromium();
  try {
    const s = await device.until((st) => st.pipeline.framesShown >= 10 && (st.models[0]?.framesAnalyzed ?? 0) >= 5, 60_000, 'findings');
    t.like(s.models[0], { name: 'lung-findings-stand-in', version: '0.0.1', state: 'running', executionProvider: 'cpu', error: null });
    t.log(`infer stage p50 ${s.models[0]!.latencyMsP50} ms, p99 ${s.models[0]!.latencyMsP99} ms, skipped ${s.models[0]!.droppedFrames} frames`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(device.url);
    await page.getByTestId('image-frame').waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector<HTMLCanvasElement>('[data-testid="findings-overlay"]')?.dataset['bLines'] === '3', undefined, { timeout: 10_000 });
    const drawn = await overlayMarkers(page);
    t.true(drawn.columns >= 3, `B-line markers drawn (${drawn.columns} amber columns)`);
    t.is((await page.getByTestId('bline-count').textContent())?.trim(), '3');
    t.regex((await page.getByTestId('findings-panel').textContent()) ?? '', /Decision support — not a diagnosis/);
    await page.screenshot({ path: `${ARTIFACTS}/kiosk-findings-overlay.png` });

    await page.getByTestId('overlay-toggle').click();
    await page.waitForTimeout(300);
    t.is((await overlayMarkers(page)).columns, 0, 'switched off: nothing drawn over the image');
    t.is(await page.getByTestId('findings-overlay').isVisible(), false);
    await page.getByTestId('overlay-toggle').click();
    await page.waitForFunction(() => document.querySelector<HTMLCanvasElement>('[data-testid="findings-overlay"]')?.dataset['bLines'] === '3', undefined, { timeout: 5000 });

    const nl = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await nl.goto(`${device.url}/?lang=nl`);
    await nl.getByTestId('findings-panel').waitFor({ state: 'visible', timeout: 10_000 });
    t.regex((await nl.getByTestId('findings-panel').textContent()) ?? '', /Beslissingsondersteuning — geen diagnose/);
  } finally {
    await browser.close();
    t.is(await device.stop(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('the real findings model on the b-lines-3 scene: the overlay draws B-line markers and a count', async (t) => {
  if (!fs.existsSync(REAL_MANIFEST)) {
    t.log(`SKIPPED: the lung-findings model is not installed (${REAL_MANIFEST} is missing); this test runs once it is`);
    t.pass();
    return;
  }
  const cache = tmp();
  const device = await startDevice(['--mode', 'bmode', '--depth-mm', '80'], { PLEURA_SIM_SCENE: 'b-lines-3', PLEURA_SIM_CACHE: cache });
  const browser = await launchChromium();
  try {
    const s = await device.until((st) => (st.models[0]?.framesAnalyzed ?? 0) >= 20 || (st.models[0] !== undefined && !['loading', 'running'].includes(st.models[0].state)), 120_000, 'the real model on b-lines-3');
    t.is(s.models[0]?.state, 'running', `model state: ${JSON.stringify(s.models[0])}`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(device.url);
    await page.getByTestId('image-frame').waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForFunction(() => Number(document.querySelector<HTMLCanvasElement>('[data-testid="findings-overlay"]')?.dataset['bLines'] || 0) > 0, undefined, { timeout: 30_000 });
    const drawn = await overlayMarkers(page);
    const count = Number((await page.getByTestId('bline-count').textContent())?.trim());
    t.log(`overlay: ${drawn.bLines} B-lines (frame ${drawn.seq}), ${drawn.columns} marker columns; panel count ${count}`);
    t.true(drawn.columns >= 1, 'B-line markers are drawn');
    t.true(count >= 1, 'and counted');
    await page.screenshot({ path: `${ARTIFACTS}/kiosk-findings-b-lines-3.png` });
  } finally {
    await browser.close();
    t.is(await device.stop(), 0);
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
