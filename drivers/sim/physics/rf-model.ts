/**
 * Pulse-echo RF synthesis for the simulated probe (linear, single-scattering, 2-D).
 *
 * For transmit t, element e and scatterer s (amplitude a):
 *   T_tx(s)  = min_i (delay_i + |s - e_i| / c)        arrival of the transmitted wavefront (exact
 *                                                     for any delay law; i* = the arg-min element)
 *   τ        = T_tx(s) + |s - e| / c                  echo time on element e
 *   A        = a · D(ψ_i*) · S_tx(s) · 10^(-α |s - e_i*| / 20)     transmit part
 *              · D(ψ_e) · √(r_ref / |s - e|) · 10^(-α |s - e| / 20) receive part
 *   rf_e(t) += A · p(t - τ)
 * D: element directivity (directivity.ts), ψ measured from the element normal. S_tx: 2-D
 * cylindrical spreading of a diverging wave from its virtual source, 1 for a plane wave.
 * α = attenuation (dB/cm/MHz) · fc, in dB per metre, one way. p: pulse.ts.
 * Then: + Gaussian electronic noise (input-referred), × analogue gain, ADC scaling and
 * clipping to int16. docs/simulator.md has the derivation and what is not modelled.
 *
 * @example
 *   const model = new RfModel(C5_2V, { seed: 1 });
 *   model.configure({ depthM: 0.12, gainDb: 0, transmits: { kind: 'diverging', parameters: [-0.01, 0, 0.01] } });
 *   const frame = model.simulate(foundationLungScene(C5_2V.geometry, { depthM: 0.12, seed: 1 }), 0);
 */
import type { FrameRf, TransmitSequence } from '../../protocol/messages.js';
import { elementGeometry, type ElementGeometry } from '../../../pipeline/beamform/probe-geometry.js';
import type { ProbeModel } from './probes.js';
import type { Scene, ScattererSet } from './scene.js';
import type { Occluder } from './occluder.js';
import { transmitDelaysS, virtualSourceOffsetsM } from './transmit-delays.js';
import { gaussianPulseTable, type PulseTable } from './pulse.js';
import { attenuatedPulseTables, type AttenuatedPulses } from './attenuated-pulse.js';
import { directivityTable, type DirectivityTable } from './directivity.js';
import { mixSeed, SeededRandom } from './random.js';

export interface RfModelOptions {
  soundSpeedMps: number;
  /** Tissue attenuation, applied at fc over the round trip. */
  attenuationDbPerCmMhz: number;
  /**
   * RMS electronic noise below ADC full scale, referred to the input at 0 dB gain (so gain
   * raises noise and echoes alike, as in a real front end). Infinity: no noise.
   */
  noiseDbBelowFullScale: number;
  seed: number;
  /** ADC counts per unit echo amplitude at 0 dB gain (sets where the scene sits in the int16 range). */
  countsPerUnit: number;
  /** Recorded time beyond maxDelay + 2·depth/c, for echoes received off-axis. */
  recordMarginS: number;
  /** Distance at which the receive spreading factor is 1. */
  spreadingReferenceM: number;
  /**
   * Frequency-dependent attenuation: deep echoes come back at a lower frequency (attenuated-pulse.ts).
   * false: attenuation at fc only, every echo has the transmitted spectrum.
   */
  frequencyDownshift: boolean;
}

export const RF_MODEL_DEFAULTS: RfModelOptions = {
  soundSpeedMps: 1540,
  attenuationDbPerCmMhz: 0.5,
  noiseDbBelowFullScale: 80,
  seed: 1,
  countsPerUnit: 300,
  recordMarginS: 10e-6,
  spreadingReferenceM: 0.01,
  // Off by default so the RF model's plain behaviour (and the tests of other parts built on it)
  // stays the fc-only model; the simulated probe turns it on (synth.ts).
  frequencyDownshift: false,
};

/** Longest round trip the attenuated pulse tables cover (beyond it the last table is used). */
const MAX_PULSE_PATH_M = 0.7;

export interface RfAcquisition {
  depthM: number;
  gainDb: number;
  transmits: TransmitSequence;
}

const ADC_FULL_SCALE = 32767;
const NOISE_TABLE_BITS = 16;

/** Configured state: everything that depends on the acquisition but not on the scene. */
interface Configured {
  acquisition: RfAcquisition;
  transmitCount: number;
  sampleCount: number;
  delaysS: Float32Array;
  /** Per transmit: min_j |e_j - v| (Infinity for plane waves). */
  virtualSourceOffsetsM: Float64Array;
  /** Accumulator for one frame, [transmit][element][sample]. */
  accumulator: Float32Array;
  /** Receive spreading × attenuation g(r), tabulated every `gStepM`. */
  receiveGain: Float32Array;
}

export class RfModel {
  readonly options: RfModelOptions;
  readonly elements: ElementGeometry;
  private readonly pulse: PulseTable;
  private readonly pulses: AttenuatedPulses;
  private readonly directivity: DirectivityTable;
  private readonly attenuationNepersPerM: number;
  private readonly noiseTable: Float32Array;
  private readonly gStepM = 0.1e-3;
  // Per-scatterer scratch, one entry per element.
  private readonly rangeM: Float64Array;
  private readonly directivityE: Float64Array;
  private readonly receiveAmp: Float64Array;
  private readonly normalX: Float64Array;
  private readonly normalZ: Float64Array;
  /** Per-element one-way transmission past an occluder (occluder.ts), for the current scatterer. */
  private readonly transmission: Float64Array;
  private state: Configured | null = null;

  constructor(
    readonly probe: ProbeModel,
    options: Partial<RfModelOptions> = {},
  ) {
    this.options = { ...RF_MODEL_DEFAULTS, ...options };
    const g = probe.geometry;
    this.elements = elementGeometry(g);
    // ±3σ: the envelope is 1.1 % at the cut; every extra sample costs ~8 % of the frame time.
    this.pulse = gaussianPulseTable(g.centerFrequencyHz, g.fractionalBandwidth, g.samplingRateHz, 128, 3);
    this.pulses = attenuatedPulseTables(
      this.pulse,
      g.centerFrequencyHz,
      g.fractionalBandwidth,
      g.samplingRateHz,
      this.options.frequencyDownshift ? this.options.attenuationDbPerCmMhz : 0,
      this.options.frequencyDownshift ? MAX_PULSE_PATH_M : 0,
    );
    this.directivity = directivityTable(probe.elementWidthM, this.options.soundSpeedMps / g.centerFrequencyHz);
    // dB/cm/MHz → nepers per metre of one-way path at fc.
    this.attenuationNepersPerM = (this.options.attenuationDbPerCmMhz * (g.centerFrequencyHz / 1e6) * 100 * Math.LN10) / 20;
    const rng = new SeededRandom(mixSeed(this.options.seed, 0x6e6f6973));
    this.noiseTable = new Float32Array(1 << NOISE_TABLE_BITS);
    for (let i = 0; i < this.noiseTable.length; i++) this.noiseTable[i] = rng.gaussian();
    const n = g.elementCount;
    this.rangeM = new Float64Array(n);
    this.directivityE = new Float64Array(n);
    this.receiveAmp = new Float64Array(n);
    this.normalX = this.elements.normalAngleRad.map(Math.sin);
    this.normalZ = this.elements.normalAngleRad.map(Math.cos);
    this.transmission = new Float64Array(n);
  }

  /** Applies a CONFIGURE: transmit delays, record length and buffers. */
  configure(acquisition: RfAcquisition): void {
    const g = this.probe.geometry;
    const c = this.options.soundSpeedMps;
    if (acquisition.transmits.parameters.length < 1) throw new RangeError('a transmit sequence needs at least one transmit');
    if (!(acquisition.depthM > 0)) throw new RangeError(`depthM must be > 0, got ${acquisition.depthM}`);
    const delaysS = transmitDelaysS(this.elements, acquisition.transmits, c);
    let maxDelayS = 0;
    for (const d of delaysS) maxDelayS = Math.max(maxDelayS, d);
    const recordS = maxDelayS + (2 * acquisition.depthM) / c + this.options.recordMarginS;
    const sampleCount = Math.ceil(recordS * g.samplingRateHz);
    const transmitCount = acquisition.transmits.parameters.length;

    const maxRangeM = acquisition.depthM + 2 * (g.radiusM + g.elementCount * g.pitchM) + 0.05;
    const receiveGain = new Float32Array(Math.ceil(maxRangeM / this.gStepM) + 2);
    const rMin = c / g.centerFrequencyHz; // no singularity closer than a wavelength
    for (let k = 0; k < receiveGain.length; k++) {
      const r = k * this.gStepM;
      receiveGain[k] = Math.sqrt(this.options.spreadingReferenceM / Math.max(r, rMin)) * Math.exp(-this.attenuationNepersPerM * r);
    }
    const previous = this.state;
    const size = transmitCount * g.elementCount * sampleCount;
    this.state = {
      acquisition: { ...acquisition, transmits: { kind: acquisition.transmits.kind, parameters: [...acquisition.transmits.parameters] } },
      transmitCount,
      sampleCount,
      delaysS,
      virtualSourceOffsetsM: virtualSourceOffsetsM(this.elements, acquisition.transmits),
      accumulator: previous && previous.accumulator.length === size ? previous.accumulator : new Float32Array(size),
      receiveGain,
    };
  }

  get sampleCount(): number {
    return this.configured().sampleCount;
  }

  /** Simulates one frame of the scene at `timeS`. Allocates only the returned frame. */
  simulate(scene: Scene, timeS: number, frameIndex = 0): FrameRf {
    const st = this.configured();
    this.accumulate(scene.scatterersAt(timeS), st, scene.occluderAt?.(timeS) ?? null);
    const samples = new Int16Array(st.accumulator.length);
    this.digitise(st, timeS, samples);
    return this.frameOf(samples, frameIndex);
  }

  /**
   * A FRAME_RF of the configured acquisition around given samples (e.g. replayed from a cache),
   * `gainDb` being the gain they carry.
   */
  frameOf(samples: Int16Array, frameIndex: number, gainDb = this.configured().acquisition.gainDb): FrameRf {
    const st = this.configured();
    const g = this.probe.geometry;
    if (samples.length !== st.accumulator.length) throw new RangeError(`frame samples: expected ${st.accumulator.length} for this acquisition, got ${samples.length}`);
    return {
      frameIndex,
      soundSpeedMps: this.options.soundSpeedMps,
      samplingRateHz: g.samplingRateHz,
      centerFrequencyHz: g.centerFrequencyHz,
      t0S: 0,
      transmits: { kind: st.acquisition.transmits.kind, parameters: [...st.acquisition.transmits.parameters] },
      transmitDelaysS: st.delaysS.slice(),
      transmitCount: st.transmitCount,
      elementCount: g.elementCount,
      sampleCount: st.sampleCount,
      gainDb,
      samples,
    };
  }

  private configured(): Configured {
    if (!this.state) throw new Error('RfModel.configure() must be called before simulating (no acquisition configured)');
    return this.state;
  }

  /** The hot loop: adds every echo of every scatterer into the float accumulator. */
  private accumulate(scatterers: ScattererSet, st: Configured, occluder: Occluder | null): void {
    const acc = st.accumulator;
    acc.fill(0);
    const el = this.elements;
    const nE = el.count;
    const nS = st.sampleCount;
    const c = this.options.soundSpeedMps;
    const fs = this.probe.geometry.samplingRateHz;
    const fsOverC = fs / c;
    const invC = 1 / c;
    const { oversampling: os, halfLengthSamples: H } = this.pulse;
    const pulseTables = this.pulses.tables;
    const lastPulse = pulseTables.length - 1;
    const invPulseStep = 1 / this.pulses.stepM;
    const dirValues = this.directivity.values;
    const dirScale = this.directivity.scale;
    const gTable = st.receiveGain;
    const gLast = gTable.length - 2;
    const invGStep = 1 / this.gStepM;
    const range = this.rangeM;
    const dirE = this.directivityE;
    const rxAmp = this.receiveAmp;
    const delays = st.delaysS;
    const vOffsets = st.virtualSourceOffsetsM;
    const nx = this.normalX;
    const nz = this.normalZ;
    const ex = el.xM;
    const ez = el.zM;
    const trans = this.transmission;
    // Half a period: wavelets from elements arriving this much after the wavefront still add to
    // it in phase (the first Fresnel zone), see occluder.ts.
    const fresnelS = 0.5 / this.probe.geometry.centerFrequencyHz;

    for (let s = 0; s < scatterers.count; s++) {
      const a = scatterers.amplitude[s]!;
      if (a === 0) continue;
      const sx = scatterers.x[s]!;
      const sz = scatterers.z[s]!;
      const occluded = occluder !== null && occluder.transmissionTo(sx, sz, trans);
      let nearestM = Infinity;
      // Per element: range, directivity, receive gain (transmit-independent).
      for (let e = 0; e < nE; e++) {
        const dx = sx - ex[e]!;
        const dz = sz - ez[e]!;
        const r = Math.sqrt(dx * dx + dz * dz);
        range[e] = r;
        if (r < nearestM) nearestM = r;
        const cosPsi = dx * nx[e]! + dz * nz[e]!;
        if (cosPsi <= 0 || r === 0) {
          dirE[e] = 0;
          rxAmp[e] = 0;
          continue;
        }
        const sinPsi = (dx * nz[e]! - dz * nx[e]!) / r;
        const d = dirValues[((sinPsi + 1) * dirScale + 0.5) | 0]!;
        dirE[e] = d;
        let gi = r * invGStep;
        if (gi > gLast) gi = gLast;
        const i0 = gi | 0;
        const g0 = gTable[i0]!;
        rxAmp[e] = d * (g0 + (gi - i0) * (gTable[i0 + 1]! - g0));
        if (occluded) rxAmp[e] *= trans[e]!;
      }
      // The spectrum this echo comes back with: set by its round trip, ~2 × the nearest range.
      let pk = (2 * nearestM * invPulseStep + 0.5) | 0;
      if (pk > lastPulse) pk = lastPulse;
      const pulse = pulseTables[pk]!;
      for (let t = 0; t < st.transmitCount; t++) {
        const dOff = t * nE;
        let best = Infinity;
        let bi = 0;
        for (let i = 0; i < nE; i++) {
          const arrival = delays[dOff + i]! + range[i]! * invC;
          if (arrival < best) {
            best = arrival;
            bi = i;
          }
        }
        const m = vOffsets[t]!;
        const spread = m === Infinity ? 1 : Math.sqrt((c * delays[dOff + bi]! + m) / (c * best + m));
        let txAmp = a * dirE[bi]! * spread * Math.exp(-this.attenuationNepersPerM * range[bi]!);
        if (occluded) {
          let inZone = 0;
          let passed = 0;
          const late = best + fresnelS;
          for (let i = 0; i < nE; i++) {
            if (delays[dOff + i]! + range[i]! * invC <= late) {
              inZone++;
              passed += trans[i]!;
            }
          }
          txAmp *= passed / inZone;
        }
        if (txAmp === 0) continue;
        const txPos = best * fs; // t0 = 0
        const chanBase = t * nE * nS;
        for (let e = 0; e < nE; e++) {
          const amp = txAmp * rxAmp[e]!;
          if (amp === 0) continue;
          const pos = txPos + range[e]! * fsOverC;
          let n = Math.ceil(pos - H);
          if (n < 0) n = 0;
          let nEnd = Math.floor(pos + H);
          if (nEnd > nS - 1) nEnd = nS - 1;
          if (n > nEnd) continue;
          let idx = ((n - pos + H) * os + 0.5) | 0;
          const base = chanBase + e * nS;
          for (; n <= nEnd; n++, idx += os) acc[base + n] += amp * pulse[idx]!;
        }
      }
    }
  }

  /** Noise, analogue gain, ADC scaling and clipping to int16. */
  private digitise(st: Configured, timeS: number, out: Int16Array): void {
    const acc = st.accumulator;
    const gain = 10 ** (st.acquisition.gainDb / 20);
    const scale = this.options.countsPerUnit * gain;
    const noiseScale = Number.isFinite(this.options.noiseDbBelowFullScale)
      ? ADC_FULL_SCALE * 10 ** (-this.options.noiseDbBelowFullScale / 20) * gain
      : 0;
    const nS = st.sampleCount;
    const channels = acc.length / nS;
    const mask = (1 << NOISE_TABLE_BITS) - 1;
    const noise = this.noiseTable;
    // Same seed and time → same noise; a different start and odd stride per channel through the
    // shared Gaussian table decorrelates channels without drawing ~10⁶ normals per frame.
    const rng = new SeededRandom(mixSeed(this.options.seed, Math.round(timeS * 1e6)));
    for (let ch = 0; ch < channels; ch++) {
      let j = (rng.uniform() * (mask + 1)) | 0;
      const stride = (((rng.uniform() * (mask + 1)) | 0) | 1) & mask;
      const base = ch * nS;
      for (let i = 0; i < nS; i++) {
        // Clamp, then round half up: Math.round here is ~4× slower than floor(v + 0.5) in V8.
        let v = acc[base + i]! * scale + noise[j]! * noiseScale + 0.5;
        j = (j + stride) & mask;
        v = v >= ADC_FULL_SCALE ? ADC_FULL_SCALE : v <= -32768 ? -32768 : v;
        out[base + i] = Math.floor(v);
      }
    }
  }
}
