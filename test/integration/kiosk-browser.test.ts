import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import type { Page } from 'playwright-core';
import { KioskServer, type KioskControl, type KioskFrame } from '../../ui-kiosk/server/kiosk-server.js';
import type { KioskDeviceStatus } from '../../ui-kiosk/web/protocol.js';
import { launchChromium } from '../helpers/chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const WIDTH = 320;
const HEIGHT = 480;
const MM_PER_PIXEL = 0.25; // 8 cm wide, 12 cm deep
const FPS = 30;

/**
 * Lung-like synthetic frames: speckle, a bright pleural line at 2 cm that shimmers (lung
 * sliding), fading A-lines below it and a slowly sweeping B-line, so every frame differs.
 */
class SyntheticLungSource {
  private readonly speckle = new Uint8Array(WIDTH * HEIGHT * 2);
  private readonly pixels = new Uint8Array(WIDTH * HEIGHT);
  private seq = 0;

  constructor() {
    let state = 12345;
    for (let i = 0; i < this.speckle.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      this.speckle[i] = state >>> 24;
    }
  }

  next(): KioskFrame {
    const seq = this.seq++;
    const pleuraRow = Math.round(20 / MM_PER_PIXEL);
    const bLineX = WIDTH / 2 + Math.sin(seq / 20) * WIDTH * 0.3;
    for (let y = 0; y < HEIGHT; y++) {
      const depthFade = 1 - (0.55 * y) / HEIGHT;
      const shift = y < pleuraRow + 6 ? 0 : seq * 2; // tissue above the pleura is still
      for (let x = 0; x < WIDTH; x++) {
        let v = (this.speckle[y * WIDTH * 2 + ((x + shift) % (WIDTH * 2))] as number) * 0.22 * depthFade;
        const fromPleura = y - pleuraRow;
        if (Math.abs(fromPleura) < 4) v += 170 * (1 - Math.abs(fromPleura) / 4);
        for (let k = 2; k <= 4; k++) {
          const d = Math.abs(y - k * pleuraRow);
          if (d < 3) v += (90 / k) * (1 - d / 3);
        }
        if (y > pleuraRow && Math.abs(x - bLineX) < 7) v += 80 * (1 - Math.abs(x - bLineX) / 7);
        this.pixels[y * WIDTH + x] = Math.min(255, v);
      }
    }
    return { seq, width: WIDTH, height: HEIGHT, pixels: this.pixels, mmPerPixel: MM_PER_PIXEL, latencyMs: 28, fps: FPS };
  }
}

function deviceStatus(settings: KioskDeviceStatus['settings'], degraded = false): KioskDeviceStatus {
  const stage = (state: string) => ({ state, restarts: state === 'restarting' ? 1 : 0, framesIn: 900, framesOut: 900, dropped: 0 });
  return {
    probe: { state: 'streaming', model: 'PL-L12 linear', serial: 'SIM-0001', temperatureC: 31.2, batteryPercent: 84 },
    pipeline: { fps: FPS, degraded, stages: { beamform: stage('running'), scanConvert: stage(degraded ? 'restarting' : 'running') } },
    latencyMs: { p50: 26, p99: 41 },
    settings,
  };
}

async function canvasDigest(page: Page): Promise<{ width: number; height: number; hash: number; mean: number }> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="live-image"]');
    const context = canvas?.getContext('2d');
    if (!canvas || !context) throw new Error('live-image canvas missing');
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 0;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) {
      hash = (Math.imul(hash, 31) + (data[i] as number)) | 0;
      sum += data[i] as number;
    }
    return { width: canvas.width, height: canvas.height, hash, mean: sum / (data.length / 4) };
  });
}

test('kiosk page shows the live image, metrics and probe state, and sends freeze', async (t) => {
  const controls: KioskControl[] = [];
  let settings: KioskDeviceStatus['settings'] = { depthMm: HEIGHT * MM_PER_PIXEL, gainDb: 0, frozen: false };
  const server = new KioskServer({ host: '127.0.0.1', port: 0, routes: { '/api/status': () => deviceStatus(settings) } });
  server.onControl((cmd) => {
    controls.push(cmd);
    // Like the device app: apply, then report the new settings.
    if (cmd.type === 'freeze') settings = { ...settings, frozen: cmd.frozen };
    server.publishStatus(deviceStatus(settings));
  });
  const { url } = await server.start();
  t.teardown(() => server.stop());

  const source = new SyntheticLungSource();
  const timer = setInterval(() => server.publishFrame(source.next()), 1000 / FPS);
  t.teardown(() => clearInterval(timer));
  server.publishStatus(deviceStatus(settings));

  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  await page.goto(url);

  await page.waitForFunction(() => (document.querySelector<HTMLCanvasElement>('[data-testid="live-image"]')?.width ?? 0) > 1);
  const first = await canvasDigest(page);
  t.is(first.width, WIDTH);
  t.is(first.height, HEIGHT);
  t.true(first.mean > 5, 'canvas has image content, not black');
  const hashes = new Set<number>([first.hash]);
  for (let i = 0; i < 4; i++) {
    await page.waitForTimeout(250);
    hashes.add((await canvasDigest(page)).hash);
  }
  t.true(hashes.size >= 4, `canvas changed over one second (${hashes.size} distinct images in 5 samples)`);

  // Displayed aspect ratio follows the physical one (square pixels of mmPerPixel).
  const box = await page.getByTestId('live-image').boundingBox();
  t.truthy(box);
  if (box) t.true(Math.abs(box.width / box.height - WIDTH / HEIGHT) < 0.01, `displayed ${box.width}×${box.height}`);

  const fpsText = await page.getByTestId('fps').textContent();
  const fps = Number(/(\d+) fps/.exec(fpsText ?? '')?.[1]);
  t.true(fps >= 15 && fps <= 70, `displayed frame rate "${fpsText}"`);
  t.regex((await page.getByTestId('latency').textContent()) ?? '', /^\d+ ms$/);
  t.regex((await page.getByTestId('probe-state').textContent()) ?? '', /Scanning/);
  t.is(await page.getByTestId('depth-value').textContent(), '12 cm');
  t.is(await page.getByTestId('gain-value').textContent(), '0 dB');
  t.is(await page.getByTestId('depth-scale').locator('span').count(), 12, 'one label per cm');

  const freeze = page.getByTestId('freeze-button');
  const freezeBox = await freeze.boundingBox();
  t.true((freezeBox?.height ?? 0) >= 48 && (freezeBox?.width ?? 0) >= 48, 'touch target ≥ 48 px');

  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}kiosk.png` });

  t.is(await freeze.textContent(), 'Freeze');
  await freeze.click();
  const deadline = Date.now() + 3000;
  while (!controls.some((c) => c.type === 'freeze') && Date.now() < deadline) await page.waitForTimeout(20);
  t.deepEqual(controls.find((c) => c.type === 'freeze'), { type: 'freeze', frozen: true });
  t.is(await freeze.textContent(), 'Unfreeze');
  t.is(await freeze.getAttribute('aria-pressed'), 'true');
  await page.waitForTimeout(100);
  const frozenA = await canvasDigest(page);
  await page.waitForTimeout(400);
  t.is((await canvasDigest(page)).hash, frozenA.hash, 'image holds still while frozen');
  await page.screenshot({ path: `${ARTIFACTS}kiosk-frozen.png` });

  // Degraded pipeline + unplugged probe: the banner and the "what to do" text.
  server.publishStatus({ ...deviceStatus(settings, true), probe: { state: 'disconnected' } });
  await page.getByTestId('degraded-banner').waitFor({ state: 'visible' });
  t.regex((await page.getByTestId('probe-state').textContent()) ?? '', /Probe not connected\s+Check the probe cable/);
  await page.screenshot({ path: `${ARTIFACTS}kiosk-degraded.png` });

  // Device app restarts: the page says so, then reconnects by itself.
  const port = Number(new URL(url).port);
  await server.stop();
  await page.getByText('No connection to the device').waitFor();
  await page.screenshot({ path: `${ARTIFACTS}kiosk-disconnected.png` });
  const restarted = new KioskServer({ host: '127.0.0.1', port });
  await restarted.start();
  t.teardown(() => restarted.stop());
  restarted.publishStatus(deviceStatus(settings));
  await page.getByText('Scanning', { exact: true }).waitFor({ timeout: 10_000 });
  t.is(await page.getByTestId('freeze-button').isEnabled(), true, 'controls usable again after reconnect');

  // The WebSocket closing is reported by Chromium as a console error; that one is expected.
  const unexpected = pageErrors.filter((e) => !/WebSocket connection to .* failed/.test(e));
  t.deepEqual(unexpected, [], 'no errors or CSP violations in the page');
});
