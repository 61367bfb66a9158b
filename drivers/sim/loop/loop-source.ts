/**
 * The simulated probe's fast path: each configuration plays a precomputed loop of one breath
 * (loop-spec.ts), cached on disk (loop-files.ts). A cached loop starts at once; a new one is
 * built by a worker thread (loop-worker.ts) while the probe already plays the frames that exist
 * — in slow motion until the loop is complete — and reports progress. Frames are picked by the
 * scene clock (slot = ⌊t · loopRate⌋ mod N), so any frame rate plays the breath at its real speed.
 * Gain is applied to the cached 0-dB data when a frame is played: RF counts are scaled and
 * clipped to int16 as the ADC would, B-mode envelopes are scaled before the display mapping.
 *
 * @example
 *   const source = createLoopSource({ probe: C5_2V, scene, seed: 1, cacheDir: defaultCacheDir(), log });
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { imageGeometryOf, probeScanGrid } from '../../../pipeline/beamform/grid.js';
import { BmodeMapper } from '../../../pipeline/enhance/bmode-levels.js';
import type { Configure, FrameBmode, ImageGeometry } from '../../protocol/messages.js';
import { checkSimConfigure, createPhysicsSource, simIdentity } from '../physics-source.js';
import type { ProbeModel } from '../physics/probes.js';
import { RfModel } from '../physics/rf-model.js';
import type { SceneSpec } from '../scene/spec.js';
import type { FrameSource, SourceFrame } from '../simulated-probe.js';
import { ONBOARD_GRID, SIM_NOISE_DB_BELOW_FULL_SCALE } from '../synth.js';
import { encodeTruthPayload } from '../truth-message.js';
import { evictLoops, loopPaths, readManifest, touchLoop, type LoopManifest } from './loop-files.js';
import { LOOP_PHYSICS_VERSION, loopFrameCount, loopKey, type LoopSpec } from './loop-spec.js';

export interface LoopSourceOptions {
  probe: ProbeModel;
  scene: SceneSpec;
  seed: number;
  cacheDir: string;
  /** Frames per second of scene time in a loop (default 30). */
  loopRateHz?: number;
  /** Size cap of the cache folder (default 4 GiB). */
  maxCacheBytes?: number;
  truth?: boolean;
  log: (line: string) => void;
  /** Called as a loop is built: slots built of the total. */
  onProgress?: (built: number, total: number, key: string) => void;
}

export const LOOP_DEFAULTS = { loopRateHz: 30, maxCacheBytes: 4 * 1024 ** 3 } as const;

interface ActiveLoop {
  key: string;
  spec: LoopSpec;
  count: number;
  /** Slots 0..built-1 can be read. */
  built: number;
  frameBytes: number;
  fd: number;
  truths: string[];
  worker: Worker | null;
  tmpPath: string | null;
  startedMs: number;
}

export function createLoopSource(opts: LoopSourceOptions): FrameSource {
  const loopRateHz = opts.loopRateHz ?? LOOP_DEFAULTS.loopRateHz;
  const rf = new RfModel(opts.probe, { seed: opts.seed });
  const mapper = new BmodeMapper();
  let config: Configure | null = null;
  let loop: ActiveLoop | null = null;
  let bmodeGeometry: ImageGeometry | null = null;
  let fallback: FrameSource | null = null;

  const stop = (l: ActiveLoop | null): void => {
    if (!l) return;
    void l.worker?.terminate();
    l.worker = null;
    try {
      fs.closeSync(l.fd);
    } catch {
      // already closed
    }
    if (l.tmpPath) fs.rmSync(l.tmpPath, { force: true });
  };

  const open = (spec: LoopSpec): ActiveLoop => {
    const key = loopKey(spec);
    fs.mkdirSync(opts.cacheDir, { recursive: true });
    const manifest = readManifest(opts.cacheDir, key);
    const paths = loopPaths(opts.cacheDir, key);
    const count = loopFrameCount(spec);
    if (manifest) {
      touchLoop(opts.cacheDir, key);
      const truths = fs.readFileSync(paths.truth, 'utf8').split('\n').filter(Boolean);
      opts.log(`playing cached loop ${key} (${spec.scene.name}, ${manifest.frameCount} frames)`);
      return { key, spec, count, built: manifest.frameCount, frameBytes: manifest.frameBytes, fd: fs.openSync(paths.frames, 'r'), truths, worker: null, tmpPath: null, startedMs: performance.now() };
    }
    const tmpPath = `${paths.frames}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmpPath, new Uint8Array(0));
    const l: ActiveLoop = { key, spec, count, built: 0, frameBytes: 0, fd: fs.openSync(tmpPath, 'r'), truths: [], worker: null, tmpPath, startedMs: performance.now() };
    opts.log(`building the simulation loop ${key} for scene "${spec.scene.name}" (${count} frames, one breath); frames play as they are made`);
    const worker = new Worker(new URL('./loop-worker.js', import.meta.url), { workerData: { spec, dir: opts.cacheDir, key, tmpFrames: tmpPath } });
    l.worker = worker;
    let lastTenth = -1;
    worker.on('message', (m: { type: 'frame'; slot: number; truth: string } | { type: 'done'; manifest: LoopManifest } | { type: 'error'; message: string }) => {
      if (loop !== l) return;
      if (m.type === 'frame') {
        l.truths[m.slot] = m.truth;
        l.built = m.slot + 1;
        if (l.frameBytes === 0) l.frameBytes = fs.fstatSync(l.fd).size;
        opts.onProgress?.(l.built, count, key);
        const tenth = Math.floor((10 * l.built) / count);
        if (tenth !== lastTenth) {
          lastTenth = tenth;
          const elapsedS = (performance.now() - l.startedMs) / 1000;
          const leftS = (elapsedS / l.built) * (count - l.built);
          opts.log(`simulation loop ${key}: ${l.built}/${count} frames (${tenth * 10} %), ${elapsedS.toFixed(1)} s so far, ~${leftS.toFixed(0)} s left`);
        }
      } else if (m.type === 'done') {
        l.tmpPath = null; // published: the file now has its final name (the open fd follows it)
        l.worker = null;
        l.frameBytes = m.manifest.frameBytes;
        opts.log(`simulation loop ${key} cached in ${m.manifest.buildSeconds.toFixed(1)} s (${((m.manifest.frameBytes * m.manifest.frameCount) / 1e6).toFixed(0)} MB)`);
        const removed = evictLoops(opts.cacheDir, opts.maxCacheBytes ?? LOOP_DEFAULTS.maxCacheBytes, key);
        if (removed.length) opts.log(`evicted ${removed.length} older loop(s) from ${opts.cacheDir}`);
      } else {
        opts.log(`simulation loop ${key} failed, simulating live instead: ${m.message}`);
        stop(l);
        loop = null;
        fallback = createPhysicsSource({ probe: opts.probe, scene: opts.scene, seed: opts.seed, truth: opts.truth !== false });
        if (config) fallback.configure(config);
      }
    });
    worker.on('error', (err) => opts.log(`simulation loop worker error: ${err.message}`));
    return l;
  };

  const specOf = (c: Configure): LoopSpec => ({
    physicsVersion: LOOP_PHYSICS_VERSION,
    probeModel: opts.probe.model,
    scene: opts.scene,
    seed: opts.seed,
    depthM: c.depthM,
    transmits: { kind: c.transmits.kind, parameters: [...c.transmits.parameters] },
    mode: c.mode,
    loopRateHz,
    noiseDbBelowFullScale: SIM_NOISE_DB_BELOW_FULL_SCALE,
  });

  const readSlot = (l: ActiveLoop, slot: number): Uint8Array => {
    const bytes = new Uint8Array(l.frameBytes);
    fs.readSync(l.fd, bytes, 0, l.frameBytes, slot * l.frameBytes);
    return bytes;
  };

  return {
    identity: simIdentity(opts.probe, opts.seed),
    check: (c) => checkSimConfigure(opts.probe, c),
    configure(c: Configure): void {
      config = c;
      rf.configure({ depthM: c.depthM, gainDb: c.gainDb, transmits: c.transmits });
      bmodeGeometry = c.mode === 'bmode' ? imageGeometryOf(probeScanGrid(opts.probe.geometry, c.depthM, ONBOARD_GRID)) : null;
      if (fallback) {
        fallback.configure(c);
        return;
      }
      const spec = specOf(c);
      if (loop && loop.key === loopKey(spec)) return; // gain or frame rate only
      stop(loop);
      loop = open(spec);
    },
    frame(timeS: number, frameIndex: number): SourceFrame | null {
      if (fallback) return fallback.frame(timeS, frameIndex);
      const l = loop;
      if (!config || !l || l.built === 0 || l.frameBytes === 0) return null;
      let slot = Math.floor(timeS * loopRateHz) % l.count;
      if (slot >= l.built) slot = l.built - 1;
      const bytes = readSlot(l, slot);
      const truthJson = l.truths[slot];
      const truth = opts.truth === false || !truthJson ? {} : { truth: encodeTruthPayload(retime(truthJson, frameIndex, timeS)) };
      const gain = 10 ** (config.gainDb / 20);
      if (config.mode === 'bmode') {
        const envelope = new Float32Array(bytes.buffer);
        if (gain !== 1) for (let i = 0; i < envelope.length; i++) envelope[i]! *= gain;
        const g = opts.probe.geometry;
        const pixels = mapper.map(envelope, ONBOARD_GRID.rowCount, ONBOARD_GRID.colCount, bmodeGeometry!, { centerFrequencyHz: g.centerFrequencyHz, elementCount: g.elementCount, transmitCount: config.transmits.parameters.length });
        const body: FrameBmode = { frameIndex, width: ONBOARD_GRID.colCount, height: ONBOARD_GRID.rowCount, dynamicRangeDb: mapper.levels.dynamicRangeDb, geometry: bmodeGeometry!, pixels };
        return { type: 'bmode', body, ...truth };
      }
      const samples = new Int16Array(bytes.buffer);
      if (gain !== 1) {
        // The cached counts are at 0 dB; the ADC would clip the amplified signal the same way.
        for (let i = 0; i < samples.length; i++) {
          const v = samples[i]! * gain;
          samples[i] = v >= 32767 ? 32767 : v <= -32768 ? -32768 : Math.round(v);
        }
      }
      return { type: 'rf', body: rf.frameOf(samples, frameIndex, config.gainDb), ...truth };
    },
    close(): void {
      stop(loop);
      loop = null;
      fallback?.close?.();
    },
  };
}

/** The slot's truth with the frame index and time this frame is sent with. */
function retime(json: string, frameIndex: number, timeS: number): string {
  const t = JSON.parse(json) as { frameIndex: number; timeS: number; loopSlotTimeS?: number };
  t.loopSlotTimeS = t.timeS;
  t.frameIndex = frameIndex;
  t.timeS = Math.round(timeS * 1e4) / 1e4;
  return JSON.stringify(t);
}
