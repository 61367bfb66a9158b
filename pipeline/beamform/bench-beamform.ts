/**
 * The beamforming benchmark behind `pleura bench beamform`: frames per second and ms per frame
 * of the beamformers on a reference dataset (default convex_dw_lung: C5-2v, 128 elements,
 * 3 diverging waves, 3830 samples), on the display grid (256 lines × 512 samples over the
 * dataset's depth) and on the dataset's own reference grid, on one thread and on all cores.
 * Each case runs warm-up frames first, then `frames` timed frames; the median and the 90th
 * percentile are reported. The display grid runs with its delay table (the default budget);
 * the reference grid once without (its ~300 MB table is over the default budget) and once with
 * it. A benchmark prints numbers; it asserts nothing.
 */
import os from 'node:os';
import { Beamformer } from './beamformer.js';
import { FAST_BEAMFORMER_DEFAULTS, FastBeamformer } from './fast-beamformer.js';
import { probeScanGrid, type ScanGrid } from './grid.js';
import { loadReferenceDataset, readFloat32File } from './reference-dataset.js';
import type { KernelInterpolation } from './wasm/das-kernel.js';
import { compareEnvelopes } from '../metrics/agreement.js';
import { OnnxBeamformer } from './onnx/onnx-beamformer.js';

/** PyMUST's precomputed sparse DAS on the reference grid, one core (datasets' README). */
export const REFERENCE_MS_PER_FRAME = 126;

/** A delay-table budget that holds the reference grid's table (measured as a second case). */
const REFERENCE_GRID_TABLE_BUDGET = 512 * 2 ** 20;

export interface BeamformBenchOptions {
  datasetDir: string;
  frames: number;
  /** Thread counts to measure; default 1 and every core. */
  threads?: number[];
  interpolations?: KernelInterpolation[];
  /** Also time the JS reference beamformer and the ONNX graph on onnxruntime's CPU provider, on the display grid (slow). */
  includeJs?: boolean;
  onProgress?: (line: string) => void;
}

export interface BeamformBenchCase {
  grid: string;
  pixels: number;
  implementation: string;
  threads: number;
  msPerFrame: { p50: number; p90: number };
  framesPerSecond: number;
  planMs: number;
  memoryMiB: number;
  /** Where the kernel's positions came from: the plan's delay table, or computed per frame. */
  positions?: 'delay table' | 'computed per frame';
  delayTableMiB?: number;
  /** Reference grid only: PyMUST's 126 ms per frame ÷ ours. */
  speedupVsReference?: number;
  /** Reference grid only: agreement of the compound envelope with das_envelope_compound. */
  pearsonVsReference?: number;
}

export interface BeamformBenchResult {
  benchmark: 'beamform';
  machine: { cpus: number; cpuModel: string; node: string; platform: string; loadAverage: number[] };
  dataset: string;
  transmits: number;
  elements: number;
  samples: number;
  cases: BeamformBenchCase[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export async function benchBeamform(options: BeamformBenchOptions): Promise<BeamformBenchResult> {
  const ds = loadReferenceDataset(options.datasetDir);
  const depthM = ds.grid.kind === 'polar' ? ds.grid.rMaxM - ds.grid.rMinM : ds.grid.zMaxM;
  const display = probeScanGrid(ds.probe, depthM, { colCount: 256, rowCount: 512 });
  const grids: Array<{ name: string; grid: ScanGrid; reference: boolean }> = [
    { name: 'display 256×512', grid: display, reference: false },
    { name: `reference ${ds.grid.colCount}×${ds.grid.rowCount}`, grid: ds.grid, reference: true },
  ];
  const threadCounts = options.threads ?? [...new Set([1, os.availableParallelism()])];
  const interpolations = options.interpolations ?? ['exact'];
  const compoundRef = readFloat32File(`${ds.dir}/das_envelope_compound.f32`);
  const cases: BeamformBenchCase[] = [];
  const log = options.onProgress ?? (() => {});

  for (const { name, grid, reference } of grids) {
    const frames = reference ? Math.max(3, Math.ceil(options.frames / 5)) : options.frames;
    // The default table budget keeps the display grid's table and refuses the reference grid's
    // (~300 MB); the reference grid is measured both ways.
    const tableBudgets = reference ? [FAST_BEAMFORMER_DEFAULTS.delayTableMaxBytes, REFERENCE_GRID_TABLE_BUDGET] : [FAST_BEAMFORMER_DEFAULTS.delayTableMaxBytes];
    const configurations = tableBudgets.flatMap((delayTableMaxBytes) => interpolations.map((interpolation) => ({ delayTableMaxBytes, interpolation })));
    for (const { delayTableMaxBytes, interpolation } of configurations) {
      for (const threads of threadCounts) {
        const bf = new FastBeamformer(ds.probe, grid, { fNumber: 1.5, window: 'boxcar', threads, interpolation, delayTableMaxBytes });
        try {
          const t0 = performance.now();
          const first = bf.beamform(ds.frame);
          const planMs = performance.now() - t0;
          const out = first.envelope;
          const times = timeFrames(() => void bf.beamform(ds.frame, { envelope: out }), 3, frames);
          const c = caseOf(name, grid, `wasm-simd ${interpolation}`, threads, times, planMs, bf.memoryBytes);
          c.positions = bf.delayTableBytes > 0 ? 'delay table' : 'computed per frame';
          c.delayTableMiB = round(bf.delayTableBytes / 2 ** 20, 1);
          if (reference) {
            c.speedupVsReference = round(REFERENCE_MS_PER_FRAME / c.msPerFrame.p50);
            c.pearsonVsReference = round(compareEnvelopes(out, compoundRef).pearson, 7);
          }
          cases.push(c);
          log(`${name}: ${c.implementation}, positions ${c.positions}, ${threads} thread(s): ${c.msPerFrame.p50} ms, ${c.framesPerSecond} fps`);
        } finally {
          await bf.close();
        }
      }
    }
    // Slow comparisons last, so that onnxruntime's thread pool cannot disturb the cases above.
    if (options.includeJs && !reference) {
      const js = new Beamformer(ds.probe, grid, { fNumber: 1.5, window: 'boxcar' });
      const t0 = performance.now();
      js.planFor(ds.frame);
      const planMs = performance.now() - t0;
      const times = timeFrames(() => void js.beamform(ds.frame), 1, Math.max(3, Math.ceil(frames / 10)));
      cases.push(caseOf(name, grid, 'js (reference implementation)', 1, times, planMs, 0));
      log(`${name}: js 1 thread ${times[times.length >> 1]!.toFixed(1)} ms`);
      for (const threads of threadCounts) {
        const onnx = new OnnxBeamformer(ds.probe, grid, { window: 'boxcar', providers: ['cpu'], intraOpThreads: threads });
        try {
          const t1 = performance.now();
          await onnx.beamform(ds.frame);
          const buildMs = performance.now() - t1;
          const runs: number[] = [];
          for (let i = 0; i < 3; i++) runs.push((await onnx.beamform(ds.frame)).timingsMs.run);
          cases.push(caseOf(name, grid, `onnxruntime cpu (DAS graph; demodulation excluded)`, threads, runs.sort((a, b) => a - b), buildMs, onnx.info!.modelBytes));
          log(`${name}: onnxruntime cpu, ${threads} thread(s): ${runs[1]!.toFixed(1)} ms`);
        } finally {
          await onnx.close();
        }
      }
    }
  }
  return {
    benchmark: 'beamform',
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${os.platform()} ${os.arch()}`, loadAverage: os.loadavg().map((v) => round(v)) },
    dataset: ds.name,
    transmits: ds.frame.transmitCount,
    elements: ds.frame.elementCount,
    samples: ds.frame.sampleCount,
    cases,
  };
}

function timeFrames(run: () => void, warmup: number, frames: number): number[] {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < frames; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

function caseOf(name: string, grid: ScanGrid, implementation: string, threads: number, sorted: number[], planMs: number, memoryBytes: number): BeamformBenchCase {
  const p50 = percentile(sorted, 50);
  return {
    grid: name,
    pixels: grid.rowCount * grid.colCount,
    implementation,
    threads,
    msPerFrame: { p50: round(p50), p90: round(percentile(sorted, 90)) },
    framesPerSecond: round(1000 / p50, 1),
    planMs: Math.round(planMs),
    memoryMiB: round(memoryBytes / 2 ** 20, 1),
  };
}
