/**
 * The beamformer on onnxruntime: I/Q demodulation on the CPU (iq.ts), then the DAS graph of
 * das-graph.ts on the best execution provider available (TensorRT → CUDA → CPU,
 * models/runtime/execution-providers.ts). The graph is generated per plan (geometry, grid,
 * transmits, sampling) and cached. On this project's machines only the CPU provider exists;
 * docs/beamforming.md says how to run it on a Jetson's GPU.
 *
 * @example
 *   const bf = new OnnxBeamformer(probe, grid, { providers: ['cuda', 'cpu'] });
 *   const image = await bf.beamform(frame);   // same envelope as Beamformer / FastBeamformer
 */
import ort from 'onnxruntime-node';
import type { TransducerGeometry } from '../../../drivers/protocol/messages.js';
import { createSession, type ProviderName } from '../../../models/runtime/execution-providers.js';
import { BEAMFORMER_DEFAULTS, type BeamformerOptions, type ChannelData } from '../beamformer.js';
import { toCarrierPhase } from '../das.js';
import { imageGeometryOf, type ScanGrid } from '../grid.js';
import { IqDemodulator } from '../iq.js';
import { buildDasPlan, planMatches, type DasPlan } from '../plan.js';
import { elementGeometry, type ElementGeometry } from '../probe-geometry.js';
import { buildDasGraph, type DasGraphShape } from './das-graph.js';

export interface OnnxBeamformerOptions extends BeamformerOptions {
  providers: ProviderName[];
  /** Threads inside one operator on the CPU provider. */
  intraOpThreads: number;
}

export interface OnnxImage {
  envelope: Float32Array;
  rowCount: number;
  colCount: number;
  provider: ProviderName;
  timingsMs: { demodulation: number; run: number };
}

interface Compiled {
  plan: DasPlan;
  key: string;
  session: ort.InferenceSession;
  provider: ProviderName;
  shape: DasGraphShape;
  modelBytes: number;
}

export class OnnxBeamformer {
  readonly options: OnnxBeamformerOptions;
  readonly elements: ElementGeometry;
  private compiled: Compiled | null = null;

  constructor(
    readonly probe: TransducerGeometry,
    readonly grid: ScanGrid,
    options: Partial<OnnxBeamformerOptions> = {},
  ) {
    this.options = { ...BEAMFORMER_DEFAULTS, providers: ['tensorrt', 'cuda', 'cpu'], intraOpThreads: 1, ...options };
    this.elements = elementGeometry(probe);
  }

  /** The provider running the graph, and the model's size, once compiled. */
  get info(): { provider: ProviderName; modelBytes: number; aperture: number } | null {
    return this.compiled ? { provider: this.compiled.provider, modelBytes: this.compiled.modelBytes, aperture: this.compiled.shape.aperture } : null;
  }

  private async compile(frame: ChannelData, transmits: readonly number[]): Promise<Compiled> {
    const key = `${frame.sampleCount}/${transmits.join(',')}`;
    const c = this.compiled;
    if (c && c.key === key && planMatches(c.plan, frame)) return c;
    const plan = buildDasPlan(this.elements, this.grid, frame, this.options);
    const { model, shape } = buildDasGraph(plan, frame.sampleCount, transmits);
    const created = await createSession(model, { providers: this.options.providers, intraOpThreads: this.options.intraOpThreads });
    await c?.session.release();
    this.compiled = { plan, key, session: created.session, provider: created.provider, shape, modelBytes: model.byteLength };
    return this.compiled;
  }

  async beamform(frame: ChannelData, call: { transmitIndices?: readonly number[] } = {}): Promise<OnnxImage> {
    const transmits = call.transmitIndices ?? this.options.transmitIndices ?? Array.from({ length: frame.transmitCount }, (_, t) => t);
    const compiled = await this.compile(frame, transmits);
    const t0 = performance.now();
    const { re, im } = demodulateToCarrierPhase(frame, transmits);
    const t1 = performance.now();
    const out = await compiled.session.run({
      iq_re: new ort.Tensor('float32', re, [re.length]),
      iq_im: new ort.Tensor('float32', im, [im.length]),
    });
    const t2 = performance.now();
    const envelope = out.envelope!.data as Float32Array;
    return { envelope, rowCount: this.grid.rowCount, colCount: this.grid.colCount, provider: compiled.provider, timingsMs: { demodulation: t1 - t0, run: t2 - t1 } };
  }

  get geometry() {
    return imageGeometryOf(this.grid);
  }

  async close(): Promise<void> {
    await this.compiled?.session.release();
    this.compiled = null;
  }
}

/** Carrier-phase I/Q (das.ts) of the selected transmits' channels, as separate re and im planes. */
function demodulateToCarrierPhase(frame: ChannelData, transmits: readonly number[]): { re: Float32Array; im: Float32Array } {
  const { elementCount: E, sampleCount: S } = frame;
  const n = frame.transmitCount * E * S;
  const re = new Float32Array(n);
  const im = new Float32Array(n);
  const demod = new IqDemodulator(S, frame.samplingRateHz, frame.centerFrequencyHz, frame.t0S);
  const cos = new Float64Array(S);
  const sin = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    const phase = 2 * Math.PI * frame.centerFrequencyHz * (frame.t0S + s / frame.samplingRateHz);
    cos[s] = Math.cos(phase);
    sin[s] = Math.sin(phase);
  }
  const iq = new Float32Array(2 * S);
  for (const t of transmits) {
    for (let e = 0; e < E; e++) {
      const ch = t * E + e;
      demod.demodulate(frame.samples, ch * S, iq, 0);
      toCarrierPhase(iq, 1, S, cos, sin);
      for (let s = 0; s < S; s++) {
        re[ch * S + s] = iq[2 * s]!;
        im[ch * S + s] = iq[2 * s + 1]!;
      }
    }
  }
  return { re, im };
}
