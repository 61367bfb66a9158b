/**
 * Technician mode end to end (issue "Field updates": done when a technician installs a signed
 * update from a file and a new probe firmware on the simulated probe from the kiosk). In
 * Chromium: open Maintenance from the scanning screen, a wrong PIN is refused, the right one
 * unlocks; the element check finds the simulator's dead and weak elements; a signed bundle made
 * here is installed from the USB folder (the release folder switches to it, on trial); a signed
 * firmware image is flashed onto the simulated probe (`flashDir`) with progress, and the page
 * shows the new version. Every action is in the audit log.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { buildFirmwareImage } from '../../drivers/firmware/firmware-image.js';
import { buildBundle } from '../../device/update/build-bundle.js';
import { generateKeyPair } from '../../device/update/keys.js';
import { signBundle } from '../../device/update/sign-bundle.js';
import { newTrustBody, signTrust } from '../../device/update/trust.js';
import { launchChromium } from '../helpers/chromium.js';
import { CLI, startDevice } from '../helpers/device.js';

const PIN = '482916';

test.serial('a technician unlocks maintenance, checks the elements, installs a signed update from USB and flashes new probe firmware', async (t) => {
  t.timeout(300_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-maint-'));
  const configDir = path.join(dir, 'etc');
  fs.mkdirSync(configDir);
  await new Promise<void>((resolve, reject) => {
    const child = execFile(process.execPath, [CLI, 'provision', '--config-dir', configDir, '--serial', 'PL-42', '--site', 'Ward 3', '--pin-stdin'], (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(`${PIN}\n`);
  });

  // The release side: keys, trust document (on the device), a signed bundle and a firmware image on the "USB stick".
  const root = generateKeyPair();
  const release = generateKeyPair();
  const trust = signTrust(newTrustBody([root], [release], { expires: '2099-01-01T00:00:00Z', scopes: ['software', 'firmware'] }), [{ key: createPrivateKey(root.privateKeyPem), keyId: root.keyId }]);
  const trustFile = path.join(configDir, 'keys', 'trust.json');
  fs.writeFileSync(trustFile, JSON.stringify(trust));
  const usb = path.join(dir, 'media', 'TECH-USB');
  fs.mkdirSync(usb, { recursive: true });
  const src = path.join(dir, 'release-1.2.0');
  fs.mkdirSync(path.join(src, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(src, 'VERSION'), '1.2.0');
  fs.writeFileSync(path.join(src, 'dist', 'app.js'), '// pleura 1.2.0\n'.repeat(5000));
  const unsigned = path.join(dir, 'unsigned.pleura');
  await buildBundle({ sourceDir: src, out: unsigned, kind: 'software', name: 'pleura', version: '1.2.0', minReplaceableVersion: '0.0.0', hardware: ['x86_64-dev', 'jetson-orin-nano'] });
  await signBundle(unsigned, path.join(usb, 'pleura-1.2.0.pleura'), { key: createPrivateKey(release.privateKeyPem), keyId: release.keyId });
  const firmwareFile = path.join(usb, 'probe-c5-2v-2.1.plfw');
  fs.writeFileSync(firmwareFile, buildFirmwareImage('SIM-C5-2v', 'pleura-sim 2.1', Buffer.from('new probe firmware '.repeat(20_000)), release.privateKeyPem));

  const releaseRoot = path.join(dir, 'opt-pleura');
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({
    device: { configDir, requireProvisioning: true },
    probe: { transport: { kind: 'sim', flashDir: path.join(dir, 'probe-flash'), firmwareTrust: trustFile, deadElements: [5], weakElements: [40] } },
    maintenance: { releaseRoot, mediaDirs: [path.join(dir, 'media')], restartAfterInstall: false },
  }));
  fs.mkdirSync('test-artifacts', { recursive: true });

  const device = await startDevice(['--config', config]);
  const browser = await launchChromium();
  t.teardown(async () => {
    await browser.close();
    await device.stop();
  });
  // The probe's identity reaches the status with the acquire stage's telemetry (twice a second),
  // which may come after the first frame.
  const first = await device.until((s) => s.pipeline.framesShown > 0 && s.probe.firmwareVersion !== undefined, 60_000, 'frames and the probe identity');
  t.is(first.probe.firmwareVersion, 'pleura-sim 2.0', 'the factory firmware runs');

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(device.url);
  const link = page.getByTestId('maintenance-link');
  const box = await link.boundingBox();
  t.true(box !== null && box.height >= 48 && box.width >= 48, `touch target ${JSON.stringify(box)}`);
  await link.click();
  await page.getByTestId('m-unlock').waitFor({ state: 'visible' });

  await page.getByTestId('m-pin').fill('000000');
  await page.getByTestId('m-unlock-button').click();
  await page.getByTestId('m-unlock-message').filter({ hasText: 'wrong PIN' }).waitFor({ timeout: 10_000 });
  t.true(await page.getByTestId('m-panels').isHidden());

  await page.getByTestId('m-pin').fill(PIN);
  await page.getByTestId('m-unlock-button').click();
  await page.getByTestId('m-panels').waitFor({ state: 'visible', timeout: 10_000 });
  t.is(await page.getByTestId('m-serial').textContent(), 'PL-42');
  t.is(await page.getByTestId('m-firmware').textContent(), 'pleura-sim 2.0');
  t.is(await page.getByTestId('m-software').textContent(), '0.1.0');

  // Element check: the simulator's element 5 is dead, 40 weak.
  await page.getByTestId('m-diag-run').click();
  const diag = page.getByTestId('m-diag-result');
  await diag.filter({ hasText: 'Dead' }).waitFor({ timeout: 60_000 });
  t.regex((await diag.textContent()) ?? '', /Dead: #5\. Weak: #40\./);
  await device.until((s) => s.probe.state === 'streaming', 30_000, 'imaging back after the element check');

  // Software update from the USB stick.
  await page.getByRole('button', { name: /pleura-1\.2\.0\.pleura/ }).click();
  t.is(await page.getByTestId('m-update-path').inputValue(), path.join(usb, 'pleura-1.2.0.pleura'));
  await page.getByTestId('m-update-install').click();
  await page.getByTestId('m-update-result').filter({ hasText: 'Installed 1.2.0' }).waitFor({ timeout: 60_000 });
  t.is(fs.readlinkSync(path.join(releaseRoot, 'current')), path.join('releases', '1.2.0'));
  t.is(JSON.parse(fs.readFileSync(path.join(releaseRoot, 'update-state.json'), 'utf8')).trial.version, '1.2.0');

  // A second install of the same version is refused, with the sentence on the page.
  await page.getByTestId('m-update-install').click();
  await page.getByTestId('m-update-result').filter({ hasText: 'Refused' }).waitFor({ timeout: 30_000 });
  t.regex((await page.getByTestId('m-update-result').textContent()) ?? '', /update refused \(trial-running\)/);

  // Probe firmware with progress.
  await page.getByRole('button', { name: /probe-c5-2v-2\.1\.plfw/ }).click();
  await page.getByTestId('m-fw-flash').click();
  await page.getByTestId('m-fw-progress').waitFor({ state: 'visible', timeout: 30_000 });
  const fwResult = page.getByTestId('m-fw-result');
  await fwResult.filter({ hasText: /Writing \d+ %|→/ }).waitFor({ timeout: 60_000 });
  await fwResult.filter({ hasText: 'pleura-sim 2.0 → pleura-sim 2.1' }).waitFor({ timeout: 120_000 });
  await page.getByTestId('m-firmware').filter({ hasText: 'pleura-sim 2.1' }).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: 'test-artifacts/maintenance.png', fullPage: true });
  await device.until((s) => s.probe.firmwareVersion === 'pleura-sim 2.1' && s.probe.state === 'streaming', 30_000, 'imaging on the new firmware');

  // The audit log has every action.
  const { token } = (await (await fetch(`${device.url}/api/maintenance/unlock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ pin: PIN }) })).json()) as { token: string };
  const { entries } = (await (await fetch(`${device.url}/api/maintenance/audit?limit=100`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { entries: Array<{ actor: string; action: string; detail: { outcome?: string } }> };
  const trail = entries.reverse().map((e) => `${e.action}:${e.detail.outcome ?? ''}`);
  for (const want of ['maintenance.unlock:wrong-pin', 'maintenance.unlock:ok', 'maintenance.info:ok', 'maintenance.element-check:ok', 'maintenance.update-install:ok', 'maintenance.update-install:refused', 'maintenance.firmware-start:ok', 'maintenance.firmware-result:ok']) {
    t.true(trail.includes(want), `${want} in ${trail.join(', ')}`);
  }
  t.true(entries.every((e) => e.actor === 'technician'));
  t.regex(device.log(), /maintenance: refused \(trial-running\)|update refused \(trial-running\)/);
});
