/**
 * The whole device (`pleura start`, simulated probe, B-mode) with the stand-in findings model
 * (fixed outputs, so zone scores are deterministic) and short clips — the kiosk's Chromium tests
 * are about the page, not about storing long DICOM files. Its temporary folder goes with the test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { startDevice, type RunningDevice } from './device.js';
import { writeStandInFindingsModel } from './findings-model.js';

export async function startStandInDevice(t: ExecutionContext, name: string): Promise<RunningDevice> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pleura-${name}-`));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { manifestPath } = writeStandInFindingsModel(dir);
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ capture: { cineSeconds: 4, defaultSeconds: 1 } }));
  return startDevice(['--mode', 'bmode', '--config', configFile, '--findings-model', manifestPath]);
}
