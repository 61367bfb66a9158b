/**
 * A device that must be provisioned and is not: it takes no patient data and the kiosk says
 * what to do (in Chromium). After `pleura provision` and a restart it scans, with its identity
 * in the status and its site key used for pseudonyms.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { launchChromium } from '../helpers/chromium.js';
import { CLI, startDevice } from '../helpers/device.js';

test.serial('not provisioned: a clear screen and no scanning; provisioned: scanning with its identity', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-np-'));
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ device: { configDir: dir, requireProvisioning: true } }));
  fs.mkdirSync('test-artifacts', { recursive: true });

  const device = await startDevice(['--config', config]);
  const browser = await launchChromium();
  try {
    const s = (await device.status()) as unknown as { device: { provisioned: boolean }; pipeline: { stages: Record<string, unknown> } };
    t.false(s.device.provisioned);
    t.deepEqual(s.pipeline.stages, {}, 'no pipeline runs');
    t.regex(device.log(), /not provisioned: .*device\.json is missing/);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(device.url);
    const screen = page.getByTestId('not-provisioned');
    await screen.waitFor({ state: 'visible', timeout: 10_000 });
    t.regex((await screen.textContent()) ?? '', /not set up yet[\s\S]*pleura provision/);
    await page.screenshot({ path: 'test-artifacts/not-provisioned.png' });
  } finally {
    await device.stop();
  }

  await new Promise<void>((resolve, reject) => {
    const child = execFile(process.execPath, [CLI, 'provision', '--config-dir', dir, '--serial', 'PL-7', '--site', 'Test site', '--pin-stdin'], (err) => (err ? reject(err) : resolve()));
    child.stdin!.end('135790\n');
  });
  const again = await startDevice(['--config', config]);
  try {
    const s = await again.until((st) => st.pipeline.framesShown > 0, 30_000, 'frames after provisioning');
    t.like(s.device, { provisioned: true, serial: 'PL-7', site: 'Test site' });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(again.url);
    await page.getByTestId('image-frame').waitFor({ state: 'visible', timeout: 10_000 });
    t.true(await page.getByTestId('not-provisioned').isHidden());
  } finally {
    await browser.close();
    await again.stop();
  }
});
