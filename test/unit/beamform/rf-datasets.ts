/**
 * Where the shared reference RF datasets are for tests (../shared/datasets/rf, beside the
 * repository; PLEURA_RF_DATASETS overrides). Reading them is pipeline/beamform/reference-dataset.ts.
 * Tests that need them log what is missing and pass, so the suite runs without shared/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { readJsonFile } from '../../../pipeline/beamform/reference-dataset.js';

// Compiled to dist/test/unit/beamform/: five levels up is the directory holding the repository.
export const RF_DATASETS_DIR =
  process.env.PLEURA_RF_DATASETS ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/datasets/rf');

export type DatasetName = 'convex_dw_lung' | 'linear_pw_points' | 'linear_pw_cysts';
export const DATASET_NAMES: readonly DatasetName[] = ['convex_dw_lung', 'linear_pw_points', 'linear_pw_cysts'];

/** The dataset folder, or null after logging which path is missing. */
export function datasetDir(t: ExecutionContext, name: DatasetName): string | null {
  const dir = path.join(RF_DATASETS_DIR, name);
  if (!fs.existsSync(path.join(dir, 'channels.json'))) {
    t.log(`skipped: reference dataset not found at ${dir} (expected ../shared/datasets/rf beside the repository, or set PLEURA_RF_DATASETS)`);
    return null;
  }
  return dir;
}

export function readJson<T>(dir: string, file: string): T {
  return readJsonFile<T>(path.join(dir, file));
}

export { probeOf, type ChannelsJson } from '../../../pipeline/beamform/reference-dataset.js';
export { compareEnvelopes } from '../../../pipeline/metrics/agreement.js';
