/**
 * The fast beamformer: the reference DAS method of beamformer.ts (same plan, same arithmetic,
 * float32) run by WebAssembly SIMD kernels (wasm/) on the calling thread plus `threads - 1`
 * worker threads sharing one memory. Used by the live beamform stage, `pleura beamform` and
 * `pleura bench beamform`; the JS Beamformer stays as the readable reference it is tested
 * against (test/unit/beamform/fast-das.test.ts).
 *
 * @example
 *   const bf = new FastBeamformer(probe, probeScanGrid(probe, 0.12, { colCount: 256, rowCount: 512 }), { threads: 2 });
 *   const image = bf.beamform(frameRf);   // same BeamformedImage as Beamformer
 *   await bf.close();                      // ends the worker threads
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TransducerGeometry } from '../../drivers/protocol/messages.js';
import { BEAMFORMER_DEFAULTS, checkChannelData, type BeamformedImage, type BeamformerOptions, type ChannelData } from './beamformer.js';
import { imageGeometryOf, type ScanGrid } from './grid.js';
import { buildDasPlan, planMatches, type DasPlan, type PlanInputs } from './plan.js';
import { elementGeometry, type ElementGeometry } from './probe-geometry.js';
import { KernelArena } from './wasm/kernel-arena.js';
import { TABLE_FILL_EXPORT, type KernelInterpolation } from './wasm/das-kernel.js';
import { instantiateKernels, kernelModule, type KernelExports } from './wasm/kernel-module.js';
import { C, controlView, runFrame } from './wasm/work-queue.js';

export interface FastBeamformerOptions extends BeamformerOptions {
  /** Threads working on each frame, the caller included; 1 = no worker threads. Default: the cores available. */
  threads: number;
  /** Image rows per work item (smaller balances better, larger costs less coordination). */
  rowsPerChunk: number;
  /**
   * 'exact': the reference method (das.ts) in float32. 'upsampled': the reference method
   * evaluated at half samples, linear in between (r ≈ 0.9997 against exact, about 1.2×
   * faster; 2× the I/Q memory). See wasm/das-kernel.ts and docs/performance.md.
   */
  interpolation: KernelInterpolation;
  /**
   * Largest delay table to keep (bytes; 0: none). The table holds every (pixel, element,
   * transmit) position of the plan, 4 bytes each, written once per plan, so that a frame needs
   * no square roots and less address arithmetic (wasm/das-kernel.ts). A plan whose table would
   * be larger computes its positions per frame. With 3 transmits on a C5-2v: ~25 MB for the
   * live grid (128 × 512), ~52 MB for the benchmark's display grid (256 × 512), ~285 MB for the
   * 512 × 1501 reference grid.
   */
  delayTableMaxBytes: number;
}

export const FAST_BEAMFORMER_DEFAULTS: FastBeamformerOptions = {
  ...BEAMFORMER_DEFAULTS,
  threads: os.availableParallelism(),
  rowsPerChunk: 8,
  interpolation: 'exact',
  delayTableMaxBytes: 128 * 2 ** 20,
};

export interface FastBeamformCall {
  envelope?: Float32Array;
  transmitIndices?: readonly number[];
  /**
   * Also compute the coherence factor per pixel, CF = |Σ_e w_e S_e|² / (N Σ_e |w_e S_e|²)
   * (S_e: element e's delayed signal compounded over the transmits, N: elements in the
   * pixel's aperture; Mallart & Fink 1994), into this buffer. Uses the per-element kernel.
   */
  coherence?: Float32Array;
}

export class FastBeamformer {
  readonly options: FastBeamformerOptions;
  readonly elements: ElementGeometry;
  private readonly arena = new KernelArena();
  private readonly kernels: KernelExports;
  private readonly workers: Worker[] = [];
  private plans: DasPlan[] = [];
  private loaded: { plan: DasPlan; sampleCount: number } | null = null;
  private closed = false;

  constructor(
    readonly probe: TransducerGeometry,
    readonly grid: ScanGrid,
    options: Partial<FastBeamformerOptions> = {},
  ) {
    this.options = { ...FAST_BEAMFORMER_DEFAULTS, ...options };
    this.options.threads = Math.max(1, Math.floor(this.options.threads));
    this.elements = elementGeometry(probe);
    const module = kernelModule();
    this.kernels = instantiateKernels(module, this.arena.memory);
    for (let thread = 1; thread < this.options.threads; thread++) {
      const worker = new Worker(new URL('./wasm/das-worker.js', import.meta.url), { workerData: { memory: this.arena.memory, module, thread } });
      worker.unref();
      worker.on('message', (m: { error?: string }) => {
        if (m.error) process.emitWarning(`beamform worker ${thread}: ${m.error}`);
      });
      this.workers.push(worker);
    }
  }

  /** Bytes of the current plan's delay table (0: positions are computed per frame). */
  get delayTableBytes(): number {
    return this.arena.shape?.delayTableBytes ?? 0;
  }

  /** Bytes of the kernels' memory (plan tables, RF, I/Q, outputs). */
  get memoryBytes(): number {
    return this.arena.memory.buffer.byteLength;
  }

  planFor(inputs: PlanInputs): DasPlan {
    let plan = this.plans.find((p) => planMatches(p, inputs));
    if (!plan) {
      plan = buildDasPlan(this.elements, this.grid, inputs, this.options);
      this.plans = [plan, ...this.plans].slice(0, Math.max(1, this.options.maxCachedPlans));
    }
    return plan;
  }

  beamform(frame: ChannelData, call: FastBeamformCall = {}): BeamformedImage {
    if (this.closed) throw new Error('FastBeamformer used after close()');
    checkChannelData(frame, this.elements.count);
    const t0 = performance.now();
    const plan = this.planFor(frame);
    if (this.loaded?.plan !== plan || this.loaded.sampleCount !== frame.sampleCount) {
      this.arena.loadPlan(plan, frame.sampleCount, this.options.threads, this.options.interpolation, this.options.delayTableMaxBytes);
      if (this.arena.tabled) {
        this.arena.prepareTableFill();
        this.kernels[TABLE_FILL_EXPORT]!(this.arena.headerAddress, 0, this.grid.rowCount);
      }
      this.loaded = { plan, sampleCount: frame.sampleCount };
    }
    const t1 = performance.now();
    const transmits = call.transmitIndices ?? this.options.transmitIndices ?? Array.from({ length: frame.transmitCount }, (_, t) => t);
    for (const t of transmits) {
      if (!(Number.isInteger(t) && t >= 0 && t < frame.transmitCount)) throw new RangeError(`transmit index ${t} outside the frame's ${frame.transmitCount} transmits`);
    }
    const wantCoherence = call.coherence !== undefined;
    this.arena.loadFrame(frame.samples, transmits, wantCoherence);
    runFrame(this.arena.memory, this.kernels, {
      demodItems: this.arena.demodItems,
      quadListAddress: this.arena.quadListAddress,
      rows: this.grid.rowCount,
      rowsPerChunk: this.options.rowsPerChunk,
      weighted: plan.windowTable !== null || wantCoherence,
      interpolation: this.options.interpolation,
      tabled: this.arena.tabled,
    });
    const pixelCount = this.grid.rowCount * this.grid.colCount;
    const out = call.envelope ?? new Float32Array(pixelCount);
    if (out.length !== pixelCount) throw new RangeError(`envelope buffer: expected ${pixelCount} values, got ${out.length}`);
    if (call.coherence && call.coherence.length !== pixelCount) throw new RangeError(`coherence buffer: expected ${pixelCount} values, got ${call.coherence.length}`);
    this.arena.readOutput(out, call.coherence);
    if (call.coherence) coherenceFromEnergy(out, call.coherence, plan);
    const t2 = performance.now();
    return {
      envelope: out,
      rowCount: this.grid.rowCount,
      colCount: this.grid.colCount,
      geometry: imageGeometryOf(this.grid),
      // Demodulation and DAS overlap across threads: their sum is reported as das.
      timingsMs: { plan: t1 - t0, demodulation: 0, das: t2 - t1 },
    };
  }

  /** Ends the worker threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ctl = controlView(this.arena.memory);
    Atomics.store(ctl, C.stop, 1);
    Atomics.add(ctl, C.seq, 1);
    Atomics.notify(ctl, C.seq);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** energy (in place) → CF = envelope² / (N · energy), N = elements in the pixel's aperture. */
function coherenceFromEnergy(envelope: Float32Array, energy: Float32Array, plan: DasPlan): void {
  for (let p = 0; p < energy.length; p++) {
    const n = plan.apertureLast[p]! - plan.apertureFirst[p]! + 1;
    const e = energy[p]!;
    energy[p] = n > 0 && e > 0 ? Math.min(1, (envelope[p]! * envelope[p]!) / (n * e)) : 0;
  }
}
