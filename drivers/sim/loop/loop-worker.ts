/**
 * Worker thread that builds one simulation loop (loop-source.ts starts it): simulates every slot
 * of the loop in order into a temporary frames file, reporting each slot as it lands so the
 * probe can already play what exists, then publishes the loop in the cache folder.
 *
 * workerData: { spec: LoopSpec, dir: string, key: string, tmpFrames: string }
 * messages out: { type: 'frame', slot, truth } · { type: 'done', manifest } · { type: 'error', message }
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { probeModelByName } from '../physics/probes.js';
import { FrameSynth, ONBOARD_GRID } from '../synth.js';
import { publishLoop, type LoopManifest } from './loop-files.js';
import { loopFrameCount, loopSlotTimeS, type LoopSpec } from './loop-spec.js';

interface Job {
  spec: LoopSpec;
  dir: string;
  key: string;
  tmpFrames: string;
}

const job = workerData as Job;
const port = parentPort!;

try {
  const t0 = performance.now();
  const { spec } = job;
  const probe = probeModelByName(spec.probeModel);
  const synth = new FrameSynth(probe, spec.scene, { seed: spec.seed, noiseDbBelowFullScale: spec.noiseDbBelowFullScale });
  synth.configure({ depthM: spec.depthM, gainDb: 0, transmits: spec.transmits, mode: spec.mode });
  const count = loopFrameCount(spec);
  const fd = fs.openSync(job.tmpFrames, 'w');
  const truths: string[] = [];
  let layout: LoopManifest['layout'] | null = null;
  let frameBytes = 0;
  for (let slot = 0; slot < count; slot++) {
    const timeS = loopSlotTimeS(spec, slot);
    const rf = synth.rf(timeS, slot);
    let bytes: Uint8Array;
    if (spec.mode === 'bmode') {
      const envelope = synth.envelope(rf);
      bytes = new Uint8Array(envelope.buffer, envelope.byteOffset, envelope.byteLength);
      layout ??= { kind: 'envelope', rowCount: ONBOARD_GRID.rowCount, colCount: ONBOARD_GRID.colCount };
    } else {
      bytes = new Uint8Array(rf.samples.buffer, rf.samples.byteOffset, rf.samples.byteLength);
      layout ??= { kind: 'rf', transmitCount: rf.transmitCount, elementCount: rf.elementCount, sampleCount: rf.sampleCount };
    }
    frameBytes = bytes.byteLength;
    fs.writeSync(fd, bytes, 0, bytes.byteLength, slot * frameBytes);
    const truth = JSON.stringify(synth.truth(timeS, slot));
    truths.push(truth);
    port.postMessage({ type: 'frame', slot, truth });
  }
  fs.closeSync(fd);
  const manifest: LoopManifest = {
    format: 'pleura-sim-loop',
    version: 1,
    key: job.key,
    spec,
    frameCount: count,
    frameBytes,
    layout: layout!,
    buildSeconds: (performance.now() - t0) / 1000,
    createdAt: new Date().toISOString(),
  };
  publishLoop(job.dir, job.key, job.tmpFrames, truths, manifest);
  port.postMessage({ type: 'done', manifest });
} catch (err) {
  fs.rmSync(job.tmpFrames, { force: true });
  port.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
}
