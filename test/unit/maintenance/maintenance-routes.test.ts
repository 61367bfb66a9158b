/**
 * Technician mode's routes on a real kiosk server: a wrong PIN is 401, the sixth attempt in a row
 * is rate-limited (429) even with the right PIN, the right PIN gives a session token that every
 * maintenance route checks and that expires; every action — refused and failed ones too — is in
 * the audit log. Also: the element check finds dead and weak elements, and the simulated probe's
 * faulty elements are silent / attenuated in its RF frames.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { elementCheck } from '../../../device/maintenance/element-check.js';
import { maintenanceRoutes } from '../../../device/maintenance/maintenance-routes.js';
import { MaintenanceService, type MaintenanceDeps } from '../../../device/maintenance/maintenance-service.js';
import { RecentLog } from '../../../device/maintenance/recent-log.js';
import { TechnicianAuth } from '../../../device/maintenance/technician-session.js';
import { hashPin } from '../../../device/provision/technician-pin.js';
import { UpdateRefused } from '../../../device/update/errors.js';
import type { UpdateService } from '../../../device/update/update-service.js';
import { withElementFaults } from '../../../drivers/sim/element-faults.js';
import type { FrameSource } from '../../../drivers/sim/simulated-probe.js';
import type { FrameRf } from '../../../drivers/protocol/messages.js';
import { KioskServer } from '../../../ui-kiosk/server/kiosk-server.js';

const PIN = '246813';

async function fixture(t: import('ava').ExecutionContext, over: Partial<MaintenanceDeps> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-maint-'));
  const pinFile = path.join(dir, 'technician-pin.json');
  fs.writeFileSync(pinFile, JSON.stringify(hashPin(PIN)));
  let nowMs = 1_000_000;
  const audit: Array<{ action: string; detail: Record<string, unknown> }> = [];
  const recent = new RecentLog();
  const lines: string[] = [];
  const log = { error: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), info: (m: string) => lines.push(m), debug: () => undefined };
  const updates = { install: async (file: string) => {
    if (file.endsWith('busy.pleura')) throw new UpdateRefused('busy', 'exam E-1 is in progress; finish or close it first — the update was not installed');
    return { version: '1.2.0', previous: '1.1.0', databaseBackup: '/data/backups/x.db' };
  } } as unknown as UpdateService;
  const service = new MaintenanceService({
    auth: new TechnicianAuth({ pinFile, sessionMs: 15 * 60_000, now: () => nowMs }),
    updates,
    audit: async (action, detail) => void audit.push({ action, detail }),
    auditTrail: async () => [],
    deviceInfo: () => ({ serial: 'PL-1', site: 'Ward 3', software: { version: '1.1.0', release: null }, models: [], probe: { state: 'streaming', model: 'C5-2v', serial: 'S1', firmwareVersion: 'pleura-sim 2.0' }, uptimeS: 5 }),
    examInProgress: async () => null,
    logs: recent,
    log,
    mediaDirs: [dir],
    probe: null,
    firmwareKeys: () => [],
    firmwareJournal: path.join(dir, 'journal.json'),
    weakElementFraction: 0.5,
    ...over,
  });
  const { routes, postRoutes } = maintenanceRoutes(service);
  const kiosk = new KioskServer({ host: '127.0.0.1', port: 0, routes, postRoutes });
  const url = (await kiosk.start()).url.replace(/\/$/, '');
  t.teardown(() => kiosk.stop());
  const post = (p: string, body: unknown, token?: string) =>
    fetch(`${url}${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const get = (p: string, token?: string) => fetch(`${url}${p}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { dir, audit, lines, recent, post, get, advance: (ms: number) => (nowMs += ms) };
}

test('wrong PIN → 401; five wrong → locked (429) even for the right PIN; after the wait the right PIN unlocks', async (t) => {
  const f = await fixture(t);
  const wrong = await f.post('/api/maintenance/unlock', { pin: '000000' });
  t.is(wrong.status, 401);
  t.regex(((await wrong.json()) as { error: string }).error, /wrong PIN/);
  for (let i = 0; i < 4; i++) await f.post('/api/maintenance/unlock', { pin: '111111' });
  const locked = await f.post('/api/maintenance/unlock', { pin: PIN });
  t.is(locked.status, 429);
  t.regex(((await locked.json()) as { error: string }).error, /too many wrong PINs; try again in 60 s/);
  f.advance(60_001);
  const ok = await f.post('/api/maintenance/unlock', { pin: PIN });
  t.is(ok.status, 200);
  t.truthy(((await ok.json()) as { token: string }).token);
  t.deepEqual(f.audit.map((a) => `${a.action}:${String(a.detail.outcome)}`), [
    ...Array(5).fill('maintenance.unlock:wrong-pin'),
    'maintenance.unlock:locked',
    'maintenance.unlock:ok',
  ]);
  t.true(f.lines.some((l) => /unlock refused: too many wrong PINs/.test(l)), 'refusals are in the device log too');
});

test('every maintenance route needs a valid token (401 otherwise, audited); the token expires', async (t) => {
  const f = await fixture(t);
  for (const p of ['/api/maintenance/info', '/api/maintenance/logs', '/api/maintenance/media', '/api/maintenance/firmware']) {
    t.is((await f.get(p)).status, 401, p);
    t.is((await f.get(p, 'forged-token')).status, 401, p);
  }
  t.is((await f.post('/api/maintenance/update', { path: '/media/usb/a.pleura' })).status, 401);
  t.is((await f.post('/api/maintenance/diagnostics', {})).status, 401);
  t.true(f.audit.every((a) => a.action === 'maintenance.denied'), 'denials are audited');

  const { token } = (await (await f.post('/api/maintenance/unlock', { pin: PIN })).json()) as { token: string };
  const info = await f.get('/api/maintenance/info', token);
  t.is(info.status, 200);
  t.like(await info.json(), { serial: 'PL-1', probe: { firmwareVersion: 'pleura-sim 2.0' } });
  f.advance(15 * 60_000);
  const expired = await f.get('/api/maintenance/info', token);
  t.is(expired.status, 401);
  t.regex(((await expired.json()) as { error: string }).error, /expired; enter the PIN again/);
});

test('every action is audited with its outcome: info, logs, media, install ok, install refused (409 with the sentence), element check without a probe, lock', async (t) => {
  const f = await fixture(t);
  f.recent.push('2026-01-01T00:00:00Z INFO  hello');
  fs.writeFileSync(path.join(f.dir, 'pleura-1.2.0.pleura'), 'x');
  fs.writeFileSync(path.join(f.dir, 'probe-2.1.plfw'), 'x');
  const { token } = (await (await f.post('/api/maintenance/unlock', { pin: PIN })).json()) as { token: string };
  await f.get('/api/maintenance/info', token);
  t.deepEqual(await (await f.get('/api/maintenance/logs?lines=10', token)).json(), { lines: ['2026-01-01T00:00:00Z INFO  hello'] });
  const media = (await (await f.get('/api/maintenance/media', token)).json()) as { bundles: Array<{ name: string }>; firmware: Array<{ name: string }> };
  t.deepEqual([media.bundles.map((b) => b.name), media.firmware.map((b) => b.name)], [['pleura-1.2.0.pleura'], ['probe-2.1.plfw']]);
  const ok = await f.post('/api/maintenance/update', { path: '/media/usb/pleura-1.2.0.pleura' }, token);
  t.like(await ok.json(), { version: '1.2.0', previous: '1.1.0' });
  const busy = await f.post('/api/maintenance/update', { path: '/media/usb/busy.pleura' }, token);
  t.is(busy.status, 409);
  t.regex(((await busy.json()) as { error: string }).error, /update refused \(busy\): exam E-1 is in progress/);
  const diag = await f.post('/api/maintenance/diagnostics', {}, token);
  t.is(diag.status, 409);
  t.is((await f.post('/api/maintenance/update', { path: 'relative.pleura' }, token)).status, 400);
  await f.post('/api/maintenance/lock', {}, token);
  t.is((await f.get('/api/maintenance/info', token)).status, 401, 'locked: the token is gone');

  t.deepEqual(f.audit.map((a) => `${a.action}:${String(a.detail.outcome)}`), [
    'maintenance.unlock:ok',
    'maintenance.info:ok',
    'maintenance.logs:ok',
    'maintenance.media:ok',
    'maintenance.update-install:ok',
    'maintenance.update-install:refused',
    'maintenance.element-check:refused',
    'maintenance.lock:ok',
    'maintenance.denied:undefined',
  ]);
  t.like(f.audit[4]!.detail, { file: '/media/usb/pleura-1.2.0.pleura', version: '1.2.0' });
  t.like(f.audit[5]!.detail, { code: 'busy' });
});

function rfFrame(elementCount: number, amplitude: (e: number) => number): FrameRf {
  const transmitCount = 2;
  const sampleCount = 64;
  const samples = new Int16Array(transmitCount * elementCount * sampleCount);
  for (let t = 0; t < transmitCount; t++)
    for (let e = 0; e < elementCount; e++)
      for (let s = 0; s < sampleCount; s++) samples[(t * elementCount + e) * sampleCount + s] = Math.round(amplitude(e) * Math.sin(s / 3 + e));
  return { frameIndex: 0, soundSpeedMps: 1540, samplingRateHz: 20e6, centerFrequencyHz: 3.5e6, t0S: 0, transmits: { kind: 'diverging', parameters: [0, 0.01] }, transmitDelaysS: new Float32Array(transmitCount * elementCount), transmitCount, elementCount, sampleCount, gainDb: 0, samples };
}

test('element check: per-element RMS against the median; dead (≈0) and weak (< 50 %) listed', (t) => {
  const c = elementCheck(rfFrame(128, (e) => (e === 7 ? 0 : e === 64 ? 300 : 1000 + (e % 5) * 20)));
  t.deepEqual(c.dead, [7]);
  t.deepEqual(c.weak, [64]);
  t.false(c.ok);
  t.true(elementCheck(rfFrame(64, () => 800)).ok);
});

test('the simulated probe with --dead-elements/--weak-elements: those channels are silent / attenuated', (t) => {
  const base: FrameSource = {
    identity: {} as FrameSource['identity'],
    check: () => null,
    configure: () => undefined,
    frame: () => ({ type: 'rf', body: rfFrame(96, () => 1000) }),
  };
  const f = withElementFaults(base, { dead: [3, 50], weak: [20] }).frame(0, 0)!;
  t.is(f.type, 'rf');
  const c = elementCheck((f as { body: FrameRf }).body);
  t.deepEqual([c.dead, c.weak], [[3, 50], [20]]);
  t.true(elementCheck((base.frame(0, 0) as { body: FrameRf }).body).ok, 'the source frame itself is untouched');
});
