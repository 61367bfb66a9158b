import test from 'ava';
import { readStatus } from '../../../ui-kiosk/web/status.js';

test('a full status is read as sent', (t) => {
  const view = readStatus({
    probe: { state: 'streaming', model: 'PL-L12', serial: 'A1', temperatureC: 31.4, batteryPercent: 77 },
    pipeline: { fps: 30, degraded: false, stages: { beamform: { state: 'running', restarts: 0, framesIn: 5, framesOut: 5, dropped: 0 } } },
    latencyMs: { p50: 30, p99: 45 },
    settings: { depthMm: 120, gainDb: -3, frozen: false },
  });
  t.deepEqual(view, {
    probe: { state: 'streaming', model: 'PL-L12', temperatureC: 31.4, batteryPercent: 77 },
    degraded: false,
    restartingStages: [],
    provisioned: true,
    lowDisk: false,
    overTemperature: false,
    settings: { depthMm: 120, gainDb: -3, frozen: false },
    presets: [],
  });
});

test('a stage in state "restarting" marks the pipeline degraded even without the flag', (t) => {
  const view = readStatus({ pipeline: { degraded: false, stages: { scanconvert: { state: 'restarting' }, ai: { state: 'running' } } } });
  t.true(view.degraded);
  t.deepEqual(view.restartingStages, ['scanconvert']);
});

test('missing or malformed parts read as unknown instead of throwing', (t) => {
  for (const raw of [undefined, null, 42, 'x', [], {}, { probe: 'ready' }, { probe: { state: 'exploded' } },
    { settings: { depthMm: 'deep', gainDb: NaN, frozen: 'no' } }, { pipeline: { stages: [1, 2] } }]) {
    const view = readStatus(raw);
    t.is(view.probe.state, 'unknown');
    t.false(view.degraded);
    t.deepEqual(view.settings, {});
  }
});

test('low disk and an over-warm probe are read from the status; provisioning only when the device says so', (t) => {
  t.true(readStatus({ storage: { lowDisk: true } }).lowDisk);
  t.false(readStatus({ storage: { lowDisk: false } }).lowDisk);
  t.true(readStatus({ probe: { state: 'streaming', errorFlags: 1, temperatureC: 30 } }).overTemperature, 'the STATUS flag');
  t.true(readStatus({ probe: { state: 'streaming', temperatureC: 41.5 } }).overTemperature, 'above 41 °C');
  t.false(readStatus({ probe: { state: 'streaming', temperatureC: 38 } }).overTemperature);
  t.true(readStatus({}).provisioned);
  t.false(readStatus({ device: { provisioned: false } }).provisioned);
});

test('storage left is free disk above the reserve, within the data budget; the sync backlog and whether a destination answers', (t) => {
  const gb = 1e9;
  const base = { storage: { freeBytes: 80 * gb, reserveBytes: 0.2 * gb, usedBytes: 1 * gb, maxDataBytes: 0, unsyncedExams: 2 } };
  t.is(readStatus(base).storageLeftBytes, 79.8 * gb);
  t.is(readStatus({ storage: { ...base.storage, maxDataBytes: 5 * gb } }).storageLeftBytes, 4 * gb, 'the budget is smaller than the disk');
  t.is(readStatus({ storage: { ...base.storage, freeBytes: 0.1 * gb } }).storageLeftBytes, 0, 'below the reserve: nothing left, never negative');
  t.deepEqual(readStatus(base).sync, { unsyncedExams: 2, online: undefined, destinations: 0 }, 'no destination configured');
  t.deepEqual(readStatus({ ...base, sync: { destinations: [{ online: false }, { online: true }] } }).sync, { unsyncedExams: 2, online: true, destinations: 2 });
  t.deepEqual(readStatus({ ...base, sync: { destinations: [{ online: false }] } }).sync, { unsyncedExams: 2, online: false, destinations: 1 });
  t.deepEqual(readStatus({ ...base, sync: { destinations: [{ online: null }] } }).sync, { unsyncedExams: 2, online: undefined, destinations: 1 }, 'not tried yet is not offline');
  t.is(readStatus({}).storageLeftBytes, undefined);
});

test('the capture length the device uses when none is asked for', (t) => {
  t.is(readStatus({ capture: { defaultSeconds: 3, cineSeconds: 6 } }).captureSeconds, 3);
  t.is(readStatus({ capture: { defaultSeconds: 0 } }).captureSeconds, undefined);
  t.is(readStatus({}).captureSeconds, undefined);
});
