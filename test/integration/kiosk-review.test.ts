/**
 * Review and measurement on the kiosk, the whole device in Chromium at 1280×800:
 * * freeze, open the cine review, step back frame by frame (buttons, slider), see the position in
 *   time, and measure a distance: the calliper reads the pixel distance × the frame's mmPerPixel,
 *   and a line drawn between the depth ruler's 2 cm and 4 cm ticks reads 20 mm;
 * * capture a clip in an exam and review it from the summary, frame by frame;
 * * a preset (Pleura) sets its depth on the device and on the screen.
 * Screenshots: test-artifacts/review-*.png.
 */
import fs from 'node:fs';
import test from 'ava';
import type { Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { startStandInDevice } from '../helpers/stand-in-device.js';
import { decodeFrame } from '../../ui-kiosk/web/protocol.js';

const ARTIFACTS = 'test-artifacts';

async function reviewIndex(page: Page): Promise<number> {
  return Number(await page.getByTestId('review-frame').getAttribute('data-index'));
}

async function waitIndex(page: Page, index: number): Promise<void> {
  await page.waitForFunction((i) => document.querySelector('[data-testid="review-frame"]')?.getAttribute('data-index') === String(i), index, { timeout: 5000 });
}

test.serial('cine review frame by frame with a calibrated calliper, clip review from the summary, presets', async (t) => {
  t.timeout(180_000);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const device = await startStandInDevice(t, 'kiosk-review');
  const browser = await launchChromium();
  try {
    await device.until((s) => s.cine.frames >= 30 && (s.models[0]?.framesAnalyzed ?? 0) >= 5, 60_000, 'frames and findings');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(device.url);
    await page.getByTestId('image-frame').waitFor({ state: 'visible', timeout: 10_000 });

    // Review is offered only while frozen.
    t.false(await page.getByTestId('review-cine').isVisible());
    await page.getByTestId('freeze-button').click();
    await device.until((s) => s.settings.frozen, 5000, 'frozen');
    await page.getByTestId('review-cine').click();
    await page.getByTestId('review-frame').waitFor({ state: 'visible', timeout: 10_000 });
    const cine = await (await fetch(`${device.url}/api/cine`)).json() as { frozen: boolean; frames: Array<{ seq: number }> };
    t.true(cine.frozen);
    const count = cine.frames.length;
    t.true(count >= 20, `${count} frames in the frozen cine`);
    // It opens on the frozen image (the newest frame), at 0 s.
    t.is(await reviewIndex(page), count - 1);
    t.regex((await page.getByTestId('review-position').textContent()) ?? '', new RegExp(`Frame ${count} of ${count} · (-)?0\\.00 s`));
    t.true(await page.getByTestId('review-next').isDisabled(), 'no frame after the newest');
    await page.getByTestId('review-prev').click();
    await waitIndex(page, count - 2);
    t.regex((await page.getByTestId('review-position').textContent()) ?? '', new RegExp(`Frame ${count - 1} of ${count} · -0\\.\\d\\d s`));
    await page.keyboard.press('ArrowLeft');
    await waitIndex(page, count - 3);
    await page.getByTestId('review-slider').fill('0');
    await waitIndex(page, 0);
    t.true(await page.getByTestId('review-prev').isDisabled(), 'no frame before the oldest');
    t.regex((await page.getByTestId('review-blines').textContent()) ?? '', /B-lines \(AI\) in this frame: \d+|^$/);
    // What is shown is the buffer's frame: the oldest frame's pixels, as the device serves them.
    const served = decodeFrame(new Uint8Array(await (await fetch(`${device.url}/api/cine/frame?seq=${cine.frames[0]!.seq}`)).arrayBuffer()));
    const shown = await page.getByTestId('review-image').evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += data[i]!;
      return { w: c.width, h: c.height, sum };
    });
    t.deepEqual(shown, { w: served.width, h: served.height, sum: served.pixels.reduce((a, v) => a + v, 0) }, 'the oldest frame, pixel for pixel');
    await page.getByTestId('review-slider').fill(String(count - 1));
    await waitIndex(page, count - 1);

    // The calliper: tap two points; the distance is the pixel distance × mmPerPixel.
    await page.getByTestId('measure-toggle').click();
    t.is(await page.getByTestId('measure-toggle').getAttribute('aria-pressed'), 'true');
    t.is((await page.getByTestId('measure-value').textContent())?.trim(), 'Tap two points on the image');
    const box = (await page.getByTestId('measure-layer').boundingBox())!;
    const size = await page.getByTestId('review-image').evaluate((c: HTMLCanvasElement) => ({ w: c.width, h: c.height }));
    const mmPerPixel = Number(await page.getByTestId('review-frame').getAttribute('data-mm-per-pixel'));
    t.true(mmPerPixel > 0.05 && mmPerPixel < 1, `mmPerPixel ${mmPerPixel}`);
    const a = { x: box.x + box.width * 0.3, y: box.y + box.height * 0.2 };
    const b = { x: box.x + box.width * 0.6, y: box.y + box.height * 0.7 };
    await page.mouse.click(a.x, a.y);
    await page.mouse.click(b.x, b.y);
    const expected = Math.hypot(((b.x - a.x) * size.w) / box.width, ((b.y - a.y) * size.h) / box.height) * mmPerPixel;
    const measured = Number(await page.getByTestId('measure-value').getAttribute('data-mm'));
    t.true(Math.abs(measured - expected) < 0.5, `measured ${measured} mm, expected ${expected.toFixed(2)} mm`);
    t.regex((await page.getByTestId('measure-value').textContent()) ?? '', /^Distance \d+\.\d mm \(±0\.\d\d mm per pixel\)$/);
    await page.screenshot({ path: `${ARTIFACTS}/review-cine-measure.png` });

    // Against the depth ruler: from the 2 cm tick to the 4 cm tick is 20 mm (labelled every 1 or 2 cm).
    const ticks = await page.evaluate(() => {
      const scale = document.querySelector('[data-testid="review-depth-scale"]')!;
      const out: Record<string, number> = {};
      for (const tick of scale.querySelectorAll<HTMLElement>('.tick')) {
        const label = tick.querySelector('span')?.textContent;
        if (label) out[label] = tick.getBoundingClientRect().top + tick.getBoundingClientRect().height / 2;
      }
      return out;
    });
    t.truthy(ticks['2'] && ticks['4'], `ruler ticks ${JSON.stringify(ticks)}`);
    const x = box.x + box.width / 2;
    // A new line: tap away from both ends, then the second point.
    await page.mouse.click(x, ticks['2']!);
    await page.mouse.click(x, ticks['4']!);
    const rulerMm = Number(await page.getByTestId('measure-value').getAttribute('data-mm'));
    t.true(Math.abs(rulerMm - 20) < 0.6, `2 cm → 4 cm on the ruler measures ${rulerMm} mm`);

    await page.getByTestId('review-close').click();
    t.false(await page.getByTestId('review').isVisible());
    await page.getByTestId('freeze-button').click();
    await device.until((s) => !s.settings.frozen, 5000, 'live again');
    await page.getByTestId('review-cine').waitFor({ state: 'hidden', timeout: 5000 });

    // Presets: Pleura brings the image to 4 cm, on the device and on the screen.
    await page.getByTestId('presets').waitFor({ state: 'visible', timeout: 5000 });
    t.is(await page.getByTestId('preset-lung').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('preset-pleura').click();
    await device.until((s) => s.settings.preset === 'pleura' && s.settings.depthMm === 40, 5000, 'preset pleura');
    await page.waitForFunction(() => document.querySelector('[data-testid="depth-value"]')?.textContent?.startsWith('4 '), undefined, { timeout: 10_000 });
    t.is(await page.getByTestId('preset-pleura').getAttribute('aria-pressed'), 'true');
    t.is(await page.getByTestId('preset-lung').getAttribute('aria-pressed'), 'false');
    await page.screenshot({ path: `${ARTIFACTS}/review-preset-pleura.png` });
    await page.getByTestId('preset-lung').click();
    await device.until((s) => s.settings.preset === 'lung' && s.settings.depthMm === 120, 5000, 'preset lung');

    // A captured clip, reviewed from the summary.
    await device.until((s) => s.cine.frames >= 25, 30_000, 'frames at the lung preset');
    await page.getByTestId('exam-start').click();
    await page.getByTestId('exam-patient-id').fill('MRN-5');
    await page.getByTestId('exam-patient-name').fill('Bakker^Jan');
    await page.getByTestId('exam-operator').fill('nurse C');
    await page.getByTestId('protocol-lus-6').click();
    await page.getByTestId('exam-start-submit').click();
    await page.getByTestId('exam-active').waitFor({ state: 'visible', timeout: 10_000 });
    const zone = (await page.locator('.body-map .zone[data-current="true"]').getAttribute('data-testid'))!.replace('zone-', '');
    await page.getByTestId('exam-capture').click();
    await page.waitForFunction((z) => document.querySelector(`[data-testid="zone-${z}"]`)?.getAttribute('data-status') === 'captured', zone, { timeout: 20_000 });
    await page.getByTestId('exam-finish').click();
    await page.getByTestId('exam-summary').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId(`summary-review-${zone}`).click();
    await page.getByTestId('review-frame').waitFor({ state: 'visible', timeout: 10_000 });
    t.regex((await page.getByTestId('review-title').textContent()) ?? '', new RegExp(`clip of zone ${zone}`));
    t.is(await reviewIndex(page), 0, 'a clip opens on its first frame');
    const frames = Number(await page.getByTestId('review-slider').getAttribute('max')) + 1;
    // Few frames right after a depth change: the simulator renders a new depth slowly at first.
    t.true(frames >= 2, `${frames} frames in a 1 s clip`);
    t.log(`clip of ${frames} frames`);
    await page.getByTestId('review-next').click();
    await waitIndex(page, 1);
    t.regex((await page.getByTestId('review-position').textContent()) ?? '', new RegExp(`Frame 2 of ${frames} · 0\\.\\d\\d s`));
    await page.screenshot({ path: `${ARTIFACTS}/review-clip.png` });
    await page.getByTestId('review-close').click();
    t.true(await page.getByTestId('exam-summary').isVisible(), 'closing the review returns to the summary');
  } finally {
    await browser.close();
    t.is(await device.stop(), 0);
  }
});
