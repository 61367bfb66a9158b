/**
 * The Beamformer: channel data of one frame → linear envelope on a scan grid.
 * Wires the pieces together: I/Q demodulation (iq.ts) → carrier phase → delay-and-sum with
 * coherent compounding (das.ts), using a DasPlan (plan.ts) cached per transmit sequence and
 * sampling, so a stream of frames with the same CONFIGURE pays the geometry once.
 *
 * @example
 *   const bf = new Beamformer(probe, probeScanGrid(probe, 0.12));
 *   const image = bf.beamform(frameRf);       // FrameRf (int16) or float32 channel data
 *   image.envelope  // Float32Array, rows = r (polar) or z, columns = θ or x
 */
import type { ImageGeometry, TransducerGeometry } from '../../drivers/protocol/messages.js';
import { elementGeometry, type ElementGeometry } from './probe-geometry.js';
import { imageGeometryOf, type ScanGrid } from './grid.js';
import { DEFAULT_APODIZATION, type ReceiveApodization } from './apodization.js';
import { IqDemodulator } from './iq.js';
import { buildDasPlan, planMatches, type DasPlan, type PlanInputs } from './plan.js';
import { delayAndSum, toCarrierPhase } from './das.js';

/**
 * Channel data `[transmit][element][sample]`, sample fastest. FrameRf satisfies it; so do the
 * float32 reference datasets.
 */
export interface ChannelData extends PlanInputs {
  transmitCount: number;
  elementCount: number;
  sampleCount: number;
  samples: Int16Array | Float32Array;
}

/** Refuses channel data that does not fit the probe or its own declared shape. */
export function checkChannelData(frame: ChannelData, probeElements: number): void {
  if (frame.elementCount !== probeElements) {
    throw new RangeError(`frame has ${frame.elementCount} elements but the probe has ${probeElements}; beamform with the probe that acquired it`);
  }
  const expected = frame.transmitCount * frame.elementCount * frame.sampleCount;
  if (frame.samples.length !== expected) {
    throw new RangeError(`frame samples: expected ${frame.transmitCount}×${frame.elementCount}×${frame.sampleCount} = ${expected}, got ${frame.samples.length}`);
  }
}

export interface BeamformerOptions extends ReceiveApodization {
  /** Transmits to compound (indices into the frame's sequence); all when absent. */
  transmitIndices?: readonly number[];
  /** Plans kept for alternating sequences (e.g. two presets). */
  maxCachedPlans: number;
}

export const BEAMFORMER_DEFAULTS: BeamformerOptions = { ...DEFAULT_APODIZATION, maxCachedPlans: 2 };

export interface BeamformedImage {
  /** Linear envelope, row-major `[row][column]`. */
  envelope: Float32Array;
  rowCount: number;
  colCount: number;
  geometry: ImageGeometry;
  /** Wall-clock split of this call (ms): plan building is 0 when the cached plan was used. */
  timingsMs: { plan: number; demodulation: number; das: number };
}

interface DemodState {
  demodulator: IqDemodulator;
  carrierCos: Float64Array;
  carrierSin: Float64Array;
  iq: Float32Array;
  key: string;
}

export class Beamformer {
  readonly options: BeamformerOptions;
  readonly elements: ElementGeometry;
  private plans: DasPlan[] = [];
  private demod: DemodState | null = null;

  constructor(
    readonly probe: TransducerGeometry,
    readonly grid: ScanGrid,
    options: Partial<BeamformerOptions> = {},
  ) {
    this.options = { ...BEAMFORMER_DEFAULTS, ...options };
    this.elements = elementGeometry(probe);
  }

  /** The plan for these inputs, built (and cached) if needed. */
  planFor(inputs: PlanInputs): DasPlan {
    return this.cachedPlan(inputs) ?? this.buildPlan(inputs);
  }

  private cachedPlan(inputs: PlanInputs): DasPlan | undefined {
    return this.plans.find((p) => planMatches(p, inputs));
  }

  private buildPlan(inputs: PlanInputs): DasPlan {
    const plan = buildDasPlan(this.elements, this.grid, inputs, this.options);
    this.plans = [plan, ...this.plans].slice(0, Math.max(1, this.options.maxCachedPlans));
    return plan;
  }

  /**
   * Beamforms one frame. `transmitIndices` overrides the option for this call (e.g. the central
   * transmit only); `envelope` is an output buffer to reuse.
   */
  beamform(frame: ChannelData, call: { envelope?: Float32Array; transmitIndices?: readonly number[] } = {}): BeamformedImage {
    checkChannelData(frame, this.elements.count);
    const t0 = performance.now();
    const cached = this.cachedPlan(frame);
    const plan = cached ?? this.buildPlan(frame);
    const t1 = performance.now();
    const transmits = call.transmitIndices ?? this.options.transmitIndices ?? Array.from({ length: frame.transmitCount }, (_, t) => t);
    const d = this.demodFor(frame);
    const nE = frame.elementCount;
    const nS = frame.sampleCount;
    for (const t of transmits) {
      if (!(t >= 0 && t < frame.transmitCount)) throw new RangeError(`transmit index ${t} outside the frame's ${frame.transmitCount} transmits`);
      for (let e = 0; e < nE; e++) {
        const ch = t * nE + e;
        d.demodulator.demodulate(frame.samples, ch * nS, d.iq, 2 * ch * nS);
      }
      toCarrierPhase(d.iq.subarray(2 * t * nE * nS, 2 * (t + 1) * nE * nS), nE, nS, d.carrierCos, d.carrierSin);
    }
    const t2 = performance.now();
    const pixelCount = this.grid.rowCount * this.grid.colCount;
    const out = call.envelope ?? new Float32Array(pixelCount);
    if (out.length !== pixelCount) throw new RangeError(`envelope buffer: expected ${pixelCount} values, got ${out.length}`);
    delayAndSum(plan, d.iq, nS, transmits, { envelope: out });
    const t3 = performance.now();
    return {
      envelope: out,
      rowCount: this.grid.rowCount,
      colCount: this.grid.colCount,
      geometry: imageGeometryOf(this.grid),
      timingsMs: { plan: cached ? 0 : t1 - t0, demodulation: t2 - t1, das: t3 - t2 },
    };
  }

  private demodFor(frame: ChannelData): DemodState {
    const key = `${frame.sampleCount}/${frame.samplingRateHz}/${frame.centerFrequencyHz}/${frame.t0S}/${frame.transmitCount}/${frame.elementCount}`;
    if (this.demod && this.demod.key === key) return this.demod;
    const demodulator = new IqDemodulator(frame.sampleCount, frame.samplingRateHz, frame.centerFrequencyHz, frame.t0S);
    const carrierCos = new Float64Array(frame.sampleCount);
    const carrierSin = new Float64Array(frame.sampleCount);
    for (let s = 0; s < frame.sampleCount; s++) {
      const phase = 2 * Math.PI * frame.centerFrequencyHz * (frame.t0S + s / frame.samplingRateHz);
      carrierCos[s] = Math.cos(phase);
      carrierSin[s] = Math.sin(phase);
    }
    const iq = new Float32Array(2 * frame.transmitCount * frame.elementCount * frame.sampleCount);
    this.demod = { demodulator, carrierCos, carrierSin, iq, key };
    return this.demod;
  }
}
