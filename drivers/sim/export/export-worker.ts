/**
 * Worker thread of `pleura sim export`: simulates a contiguous range of a dataset's frames and
 * writes them into the (preallocated) output files at their offsets; labels go back to the
 * main thread, which writes labels.jsonl in order.
 *
 * workerData: { spec: DatasetSpec, dir: string, from: number, to: number, layout: DatasetLayout }
 * messages out: { type: 'frame', index, label } · { type: 'done' } · { type: 'error', message }
 */
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { probeModelByName } from '../physics/probes.js';
import { encodePng } from '../png.js';
import { FrameRenderer } from '../render.js';
import { FrameSynth } from '../synth.js';
import { frameJob, type DatasetSpec } from './dataset-spec.js';
import type { DatasetLayout } from './dataset-layout.js';

interface Job {
  spec: DatasetSpec;
  dir: string;
  from: number;
  to: number;
  layout: DatasetLayout;
}

const job = workerData as Job;
const port = parentPort!;

try {
  const { spec, layout } = job;
  const probe = probeModelByName(spec.probeModel);
  const wantRf = spec.mode !== 'bmode';
  const wantBmode = spec.mode !== 'rf';
  const rfFd = wantRf ? fs.openSync(path.join(job.dir, layout.rf!.file), 'r+') : -1;
  const bmodeFd = wantBmode ? fs.openSync(path.join(job.dir, layout.bmode!.file), 'r+') : -1;
  const renderer = spec.png ? new FrameRenderer(probe.geometry, spec.depthM) : null;
  let synth: FrameSynth | null = null;
  let synthClip = -1;
  for (let i = job.from; i < job.to; i++) {
    const f = frameJob(spec, i);
    if (!synth || synthClip !== f.clip) {
      synth = new FrameSynth(probe, spec.scene, { seed: f.seed });
      synth.configure({ depthM: spec.depthM, gainDb: 0, transmits: spec.transmits, mode: wantBmode ? 'bmode' : 'rf' });
      synthClip = f.clip;
    }
    const rf = synth.rf(f.timeS, i);
    if (wantRf) fs.writeSync(rfFd, new Uint8Array(rf.samples.buffer), 0, layout.rf!.frameBytes, i * layout.rf!.frameBytes);
    if (wantBmode) {
      const bmode = synth.bmode(synth.envelope(rf), i);
      fs.writeSync(bmodeFd, bmode.pixels, 0, layout.bmode!.frameBytes, i * layout.bmode!.frameBytes);
      if (renderer) {
        const display = renderer.scanConvert(bmode.pixels);
        fs.writeFileSync(path.join(job.dir, 'png', `${String(i).padStart(6, '0')}.png`), encodePng({ width: display.width, height: display.height, channels: 1, pixels: display.pixels }));
      }
    }
    const label = { ...synth.truth(f.timeS, i), clip: f.clip };
    port.postMessage({ type: 'frame', index: i, label: JSON.stringify(label) });
  }
  if (rfFd >= 0) fs.closeSync(rfFd);
  if (bmodeFd >= 0) fs.closeSync(bmodeFd);
  port.postMessage({ type: 'done' });
} catch (err) {
  port.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
}
