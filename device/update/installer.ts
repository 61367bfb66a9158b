/**
 * Installs a verified bundle as a new release and switches to it in trial mode; confirms it when
 * it passes its self-test in time, rolls back to the previous release when it does not.
 *
 * Every step leaves the device in a state that `recover()` completes: the state file is written
 * (atomically) before the `current` link is switched (one rename), so a kill -9 or a power cut at
 * any point leaves either the old release running or the new one in trial — never a half-written
 * release behind `current`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, replaceSymlink } from '../fs/atomic-file.js';
import { UpdateRefused } from './errors.js';
import { ReleaseLayout, type UpdateState } from './release-layout.js';
import { verifyBundle, type DevicePolicy } from './verify-bundle.js';

export type InstallStep = 'verified' | 'extracted' | 'staged' | 'intent' | 'switched';

export interface InstallOptions {
  layout: ReleaseLayout;
  policy: Omit<DevicePolicy, 'installedVersion'>;
  /** Why the device cannot switch now (an exam is in progress), or null. */
  busy?: () => string | null;
  /** How long the new version has to pass its self-test. Default 120 s. */
  trialMs?: number;
  /** Backs up the database before the switch; returns the backup's path (restored on rollback). */
  backupDatabase?: () => string | null;
  /** Test hook: called after each step (a test kills the process there). */
  afterStep?: (step: InstallStep) => void;
}

export async function installBundle(file: string, opts: InstallOptions): Promise<{ version: string }> {
  const { layout } = opts;
  recover(layout);
  const state = layout.readState();
  if (state.trial) throw new UpdateRefused('trial-running', `version ${state.trial.version} is still in its trial; wait until it is confirmed or rolled back`);
  const policy: DevicePolicy = { ...opts.policy, installedVersion: state.current };
  // Everything is checked before anything is written.
  const { header } = await verifyBundle(file, policy);
  const version = header.manifest.version;
  if (state.bad.includes(version)) throw new UpdateRefused('bad-version', `version ${version} failed its self-test on this device before; install a newer release`);
  const busy = opts.busy?.();
  if (busy) throw new UpdateRefused('busy', `${busy}; the update was not installed, try again afterwards`);
  opts.afterStep?.('verified');

  fs.mkdirSync(layout.releasesDir, { recursive: true });
  const staging = path.join(layout.releasesDir, `.staging-${version}`);
  fs.rmSync(staging, { recursive: true, force: true });
  // The bundle is read again while extracting and every file re-hashed: what is installed is
  // exactly what was verified, even if the USB stick changed in between.
  await verifyBundle(file, policy, { extractTo: staging });
  fsyncDir(staging);
  opts.afterStep?.('extracted');
  const target = layout.releaseDir(version);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(staging, target);
  fsyncDir(layout.releasesDir);
  layout.writeState(state, { event: 'staged', version });
  opts.afterStep?.('staged');

  const dbBackup = opts.backupDatabase?.() ?? null;
  state.trial = { version, previous: state.current, switchedAt: new Date().toISOString(), deadlineMs: Date.now() + (opts.trialMs ?? 120_000), dbBackup };
  layout.writeState(state);
  opts.afterStep?.('intent');
  replaceSymlink(layout.currentLink, path.join('releases', version));
  layout.writeState(state, { event: 'switched', version, detail: `trial until ${new Date(state.trial.deadlineMs).toISOString()}` });
  opts.afterStep?.('switched');
  return { version };
}

/**
 * Brings the layout to a consistent state after a crash: finishes an interrupted switch, puts
 * `current` back on the confirmed version outside a trial, removes staging leftovers.
 */
export function recover(layout: ReleaseLayout): void {
  if (!fs.existsSync(layout.root)) return;
  const state = layout.readState();
  const linked = layout.linkedVersion();
  const want = state.trial ? state.trial.version : state.current;
  if (want && linked !== want && fs.existsSync(layout.releaseDir(want))) {
    replaceSymlink(layout.currentLink, path.join('releases', want));
    layout.writeState(state, { event: 'recovered', version: want, detail: `current pointed to ${linked ?? 'nothing'}` });
  } else if (state.trial && !fs.existsSync(layout.releaseDir(state.trial.version))) {
    // The trial's release is gone: nothing to try; stay on the previous one.
    rollback(layout, state, 'the release folder of the trial is missing');
  }
  if (fs.existsSync(layout.releasesDir)) {
    for (const entry of fs.readdirSync(layout.releasesDir)) {
      if (entry.startsWith('.staging-')) fs.rmSync(path.join(layout.releasesDir, entry), { recursive: true, force: true });
    }
  }
  for (const entry of fs.readdirSync(layout.root)) {
    if (/\.tmp-\d+$/.test(entry)) fs.rmSync(path.join(layout.root, entry), { force: true });
  }
}

export function confirmTrial(layout: ReleaseLayout, state: UpdateState): void {
  if (!state.trial) return;
  const { version } = state.trial;
  state.current = version;
  state.trial = null;
  layout.writeState(state, { event: 'confirmed', version });
}

export function rollback(layout: ReleaseLayout, state: UpdateState, reason: string, restoreDatabase?: (backup: string) => void): void {
  const trial = state.trial;
  if (!trial) return;
  if (!state.bad.includes(trial.version)) state.bad.push(trial.version);
  if (trial.dbBackup && restoreDatabase) restoreDatabase(trial.dbBackup);
  state.trial = null;
  state.current = trial.previous;
  layout.writeState(state, { event: 'rolled-back', version: trial.version, detail: reason });
  if (trial.previous) replaceSymlink(layout.currentLink, path.join('releases', trial.previous));
  else fs.rmSync(layout.currentLink, { force: true });
}
