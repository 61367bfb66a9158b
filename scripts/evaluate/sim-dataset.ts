/**
 * Reads `pleura sim export` folders (docs/simulator.md, "Datasets") for evaluation: the
 * manifest, one FrameTruth per frame (labels.jsonl) and the kiosk picture of each frame
 * (png/NNNNNN.png), grouped into clips. A folder given on the command line is either one export
 * (it has manifest.json) or a folder of exports (scripts/train/build-dataset.ts's <out>/<split>/:
 * each sub-folder with a manifest.json is one export); anything else is an error saying so.
 *
 * Every simulated clip is its own patient (its own seed: chest wall, speckle, hand motion), so
 * the bootstrap group of a clip is its export folder and clip number.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetManifest } from '../../drivers/sim/export/dataset-layout.js';
import { KIOSK_RENDER } from '../../drivers/sim/render.js';
import { imageGeometryOf, probeScanGrid } from '../../pipeline/beamform/grid.js';
import { ScanConverter } from '../../pipeline/enhance/scan-convert.js';
import type { GrayImage } from '../../models/findings/preprocess.js';
import { readPngGray } from '../png-read.js';
import type { LabelledTruth } from './sim-truth.js';

export class SimDatasetError extends Error {
  override name = 'SimDatasetError';
}

export interface SimFrame {
  /** Frame index within the export. */
  index: number;
  /** Frame number within its clip (the engine's `seq`). */
  seq: number;
  timeMs: number;
  truth: LabelledTruth;
  pngPath: string;
}

export interface SimClip {
  /** `<export folder, relative to the working directory>#<clip>`: unique, the bootstrap group and the id in reports. */
  id: string;
  exportDir: string;
  clip: number;
  seed: number;
  scene: string;
  probe: string;
  frameRateHz: number;
  /** Display mm per pixel of the PNGs (the kiosk's scan conversion at this depth). */
  mmPerPixel: number;
  frames: SimFrame[];
}

export function readSimFrame(f: SimFrame): GrayImage {
  return readPngGray(fs.readFileSync(f.pngPath), f.pngPath);
}

/** Export folders under the given paths (each path: an export, or a folder of exports). */
export function findExportDirs(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new SimDatasetError(`${p} does not exist: give a 'pleura sim export' folder or a folder of them (e.g. the test split of scripts/train/build-dataset.js)`);
    if (fs.existsSync(path.join(p, 'manifest.json'))) {
      out.push(p);
      continue;
    }
    const subs = fs
      .readdirSync(p, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(p, d.name, 'manifest.json')))
      .map((d) => path.join(p, d.name))
      .sort();
    if (subs.length === 0) throw new SimDatasetError(`${p} holds no 'pleura sim export' (no manifest.json in it or in its sub-folders)`);
    out.push(...subs);
  }
  return out;
}

function displayMmPerPixel(m: DatasetManifest): number {
  const grid = probeScanGrid(m.probe.geometry, m.spec.depthM, KIOSK_RENDER.grid);
  return new ScanConverter(imageGeometryOf(grid), grid.rowCount, grid.colCount, KIOSK_RENDER.display).mmPerPixel;
}

export function readSimExport(dir: string): SimClip[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
  if (manifest.format !== 'pleura-sim-dataset') throw new SimDatasetError(`${dir}/manifest.json is not a pleura-sim-dataset manifest (format ${String(manifest.format)})`);
  if (!manifest.spec.png) throw new SimDatasetError(`${dir} was exported without --png: the evaluation runs on the kiosk pictures; re-export with --png`);
  const lines = fs.readFileSync(path.join(dir, manifest.layout.labels), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const labels = lines.map((l) => JSON.parse(l) as LabelledTruth);
  if (labels.length !== manifest.spec.frames) throw new SimDatasetError(`${dir}: ${labels.length} labels for ${manifest.spec.frames} frames (an interrupted export?)`);
  const mmPerPixel = displayMmPerPixel(manifest);
  // Relative path, not the base name: split folders reuse names (test/00002, temporal/00002).
  const name = path.relative(process.cwd(), path.resolve(dir)) || '.';
  return manifest.clips.map((c) => ({
    id: `${name}#${c.clip}`,
    exportDir: dir,
    clip: c.clip,
    seed: c.seed,
    scene: manifest.spec.scene.name,
    probe: manifest.probe.model,
    frameRateHz: manifest.spec.frameRateHz,
    mmPerPixel,
    frames: labels.slice(c.firstFrame, c.firstFrame + c.frameCount).map((truth, k) => ({
      index: c.firstFrame + k,
      seq: k,
      timeMs: Math.round(truth.timeS * 1000 * 1000) / 1000,
      truth,
      pngPath: path.join(dir, 'png', `${String(c.firstFrame + k).padStart(6, '0')}.png`),
    })),
  }));
}
