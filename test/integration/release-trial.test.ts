/**
 * A release started on trial checks itself: it is confirmed when its self-test passes (database,
 * probe handshake, models), and rolled back — the previous release put back behind `current`,
 * this one marked bad, the app exiting for the service manager to restart — when it fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ReleaseLayout, type UpdateState } from '../../device/update/release-layout.js';
import { startDevice } from '../helpers/device.js';

const VERSION = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }).version;

function trialLayout(deadlineInMs: number): ReleaseLayout {
  const layout = new ReleaseLayout(fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-trial-')));
  for (const v of ['0.0.1', VERSION]) fs.mkdirSync(layout.releaseDir(v), { recursive: true });
  fs.symlinkSync(path.join('releases', VERSION), layout.currentLink);
  const state: UpdateState = {
    format: 1,
    current: '0.0.1',
    trial: { version: VERSION, previous: '0.0.1', switchedAt: new Date().toISOString(), deadlineMs: Date.now() + deadlineInMs, dbBackup: null },
    bad: [],
    history: [],
  };
  layout.writeState(state);
  return layout;
}

async function until(predicate: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!predicate() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return predicate();
}

test.serial('a release on trial that passes its self-test confirms itself', async (t) => {
  const layout = trialLayout(60_000);
  const device = await startDevice([], { PLEURA_RELEASE_ROOT: layout.root });
  try {
    t.true(await until(() => layout.readState().trial === null, 30_000), 'the trial ended');
    const state = layout.readState();
    t.is(state.current, VERSION);
    t.deepEqual(state.bad, []);
    t.is(layout.linkedVersion(), VERSION);
    t.regex(device.log(), /passed its self-test and is confirmed: ok database[^;]*; ok probe: probe link (ready|streaming); ok model lung-findings: 1\.0\.0 on cpu: golden output within/);
  } finally {
    await device.stop();
  }
});

test.serial('a release on trial whose probe never answers is rolled back and the app exits', async (t) => {
  const layout = trialLayout(5000);
  const device = await startDevice(['--probe', `socket:unix:${path.join(layout.root, 'no-probe.sock')}`], { PLEURA_RELEASE_ROOT: layout.root });
  try {
    t.true(await until(() => layout.readState().trial === null, 15_000), 'the trial ended');
    const state = layout.readState();
    t.deepEqual(state.bad, [VERSION]);
    t.is(state.current, '0.0.1');
    t.is(layout.linkedVersion(), '0.0.1', 'the previous release is behind current again');
    t.regex(device.log(), /failed its trial and was rolled back: .*FAILED probe: probe link (disconnected|connecting)/);
    t.true(await until(() => device.child.exitCode !== null, 10_000), 'the app exits for the service manager to restart it');
  } finally {
    await device.stop();
  }
});
