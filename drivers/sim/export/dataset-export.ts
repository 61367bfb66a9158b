/**
 * `pleura sim export`: writes a labelled dataset of simulated frames (dataset-layout.ts) using
 * one worker thread per core, each simulating a contiguous range of frames.
 *
 * @example
 *   await exportDataset({ probeModel: 'C5-2v', scene, seed: 1, frames: 1000, clipFrames: 120, ... }, 'out/', { workers: 2, log });
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { imageGeometryOf, probeScanGrid } from '../../../pipeline/beamform/grid.js';
import { BMODE_LEVELS_DEFAULTS } from '../../../pipeline/enhance/bmode-levels.js';
import { probeModelByName } from '../physics/probes.js';
import { RfModel } from '../physics/rf-model.js';
import { ONBOARD_GRID } from '../synth.js';
import type { DatasetLayout, DatasetManifest } from './dataset-layout.js';
import type { DatasetSpec } from './dataset-spec.js';

export interface ExportOptions {
  workers?: number;
  log: (line: string) => void;
  onProgress?: (done: number, total: number, framesPerS: number) => void;
}

export class ExportError extends Error {
  override name = 'ExportError';
}

export async function exportDataset(spec: DatasetSpec, dir: string, opts: ExportOptions): Promise<DatasetManifest> {
  if (!(spec.frames >= 1)) throw new ExportError(`--frames must be at least 1, got ${spec.frames}`);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0 && !fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new ExportError(`${dir} exists and is not an earlier export (no manifest.json): choose an empty or new folder`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const probe = probeModelByName(spec.probeModel);
  const rf = new RfModel(probe, { seed: spec.seed });
  rf.configure({ depthM: spec.depthM, gainDb: 0, transmits: spec.transmits });
  const header = rf.frameOf(new Int16Array(rf.sampleCount * spec.transmits.parameters.length * probe.geometry.elementCount), 0, 0);
  const frameSamples = header.transmitCount * header.elementCount * header.sampleCount;
  const layout: DatasetLayout = {
    rf: spec.mode === 'bmode' ? null : { file: 'rf.i16', dtype: 'int16', shape: [spec.frames, header.transmitCount, header.elementCount, header.sampleCount], frameBytes: 2 * frameSamples },
    bmode:
      spec.mode === 'rf'
        ? null
        : {
            file: 'bmode.u8',
            dtype: 'uint8',
            shape: [spec.frames, ONBOARD_GRID.rowCount, ONBOARD_GRID.colCount],
            frameBytes: ONBOARD_GRID.rowCount * ONBOARD_GRID.colCount,
            geometry: imageGeometryOf(probeScanGrid(probe.geometry, spec.depthM, ONBOARD_GRID)),
            dynamicRangeDb: BMODE_LEVELS_DEFAULTS.dynamicRangeDb,
          },
    labels: 'labels.jsonl',
  };
  // Preallocate (sparse) so workers can write their frames at their offsets in any order.
  for (const f of [layout.rf, layout.bmode]) {
    if (!f) continue;
    const p = path.join(dir, f.file);
    fs.writeFileSync(p, new Uint8Array(0));
    fs.truncateSync(p, f.frameBytes * spec.frames);
  }
  if (spec.png) fs.mkdirSync(path.join(dir, 'png'), { recursive: true });

  const workers = Math.max(1, Math.min(opts.workers ?? os.availableParallelism(), spec.frames));
  const labels: string[] = new Array<string>(spec.frames);
  let done = 0;
  opts.log(`exporting ${spec.frames} frames of scene "${spec.scene.name}" (${spec.mode}, ${probe.model}, ${(spec.depthM * 1000).toFixed(0)} mm, ${spec.transmits.parameters.length} transmits) with ${workers} worker(s) into ${dir}`);
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const from = Math.floor((w * spec.frames) / workers);
      const to = Math.floor(((w + 1) * spec.frames) / workers);
      return new Promise<void>((resolve, reject) => {
        const worker = new Worker(new URL('./export-worker.js', import.meta.url), { workerData: { spec, dir, from, to, layout } });
        worker.on('message', (m: { type: 'frame'; index: number; label: string } | { type: 'done' } | { type: 'error'; message: string }) => {
          if (m.type === 'frame') {
            labels[m.index] = m.label;
            done++;
            opts.onProgress?.(done, spec.frames, done / ((performance.now() - t0) / 1000));
          } else if (m.type === 'done') resolve();
          else reject(new ExportError(`export worker ${w} failed: ${m.message}`));
        });
        worker.on('error', reject);
      });
    }),
  );
  fs.writeFileSync(path.join(dir, 'labels.jsonl'), labels.join('\n') + '\n');
  const clips: DatasetManifest['clips'] = [];
  for (let first = 0, clip = 0; first < spec.frames; first += spec.clipFrames, clip++) {
    clips.push({ clip, seed: spec.seed + clip, firstFrame: first, frameCount: Math.min(spec.clipFrames, spec.frames - first) });
  }
  const { samples: _samples, frameIndex: _frameIndex, transmitDelaysS, ...acquisition } = header;
  void _samples;
  void _frameIndex;
  const manifest: DatasetManifest = {
    format: 'pleura-sim-dataset',
    version: 1,
    spec,
    probe: { model: probe.model, geometry: probe.geometry },
    acquisition: { ...acquisition, transmitDelaysS: Array.from(transmitDelaysS) },
    layout,
    clips,
    buildSeconds: (performance.now() - t0) / 1000,
    createdAt: new Date().toISOString(),
    generator: 'pleura sim export (docs/simulator.md)',
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return manifest;
}
