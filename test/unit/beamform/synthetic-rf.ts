/**
 * Channel data of a few point scatterers, computed directly (Gaussian-enveloped pulse at the
 * round-trip time T_tx + |p - e|/c of each transmit and element), so that beamformer tests do not
 * depend on the simulator.
 */
import type { TransducerGeometry } from '../../../drivers/protocol/messages.js';
import type { ChannelData } from '../../../pipeline/beamform/beamformer.js';
import { elementGeometry } from '../../../pipeline/beamform/probe-geometry.js';

export const SMALL_CONVEX: TransducerGeometry = { kind: 'convex', elementCount: 64, pitchM: 0.508e-3, radiusM: 49.57e-3, centerFrequencyHz: 3.57e6, samplingRateHz: 4 * 3.57e6, fractionalBandwidth: 0.79 };
export const SMALL_LINEAR: TransducerGeometry = { kind: 'linear', elementCount: 64, pitchM: 0.3e-3, radiusM: 0, centerFrequencyHz: 7.6e6, samplingRateHz: 4 * 7.6e6, fractionalBandwidth: 0.77 };

export interface Scatterer {
  xM: number;
  zM: number;
  amplitude: number;
}

/** Diverging waves (convex: virtual sources on the apothem line) or plane waves (linear). */
export function syntheticFrame(probe: TransducerGeometry, scatterers: readonly Scatterer[], sampleCount: number, int16 = true): ChannelData {
  const el = elementGeometry(probe);
  const c = 1540;
  const fs = probe.samplingRateHz;
  const fc = probe.centerFrequencyHz;
  const params = probe.kind === 'convex' ? [-0.01, 0, 0.01] : [-0.1, 0, 0.1];
  const T = params.length;
  const E = el.count;
  const delays = new Float64Array(T * E);
  params.forEach((v, t) => {
    const d = Array.from({ length: E }, (_, e) =>
      probe.kind === 'convex' ? Math.hypot(el.xM[e]! - v, el.zM[e]! + el.apothemM) / c : (el.xM[e]! * Math.sin(v)) / c,
    );
    const min = Math.min(...d);
    d.forEach((x, e) => (delays[t * E + e] = x - min));
  });
  const rf = new Float64Array(T * E * sampleCount);
  const sigma = 0.6 / fc;
  for (let t = 0; t < T; t++) {
    for (const p of scatterers) {
      let tx = Infinity;
      for (let e = 0; e < E; e++) tx = Math.min(tx, delays[t * E + e]! + Math.hypot(p.xM - el.xM[e]!, p.zM - el.zM[e]!) / c);
      for (let e = 0; e < E; e++) {
        const tau = tx + Math.hypot(p.xM - el.xM[e]!, p.zM - el.zM[e]!) / c;
        const s0 = Math.max(0, Math.floor((tau - 4 * sigma) * fs));
        const s1 = Math.min(sampleCount - 1, Math.ceil((tau + 4 * sigma) * fs));
        for (let s = s0; s <= s1; s++) {
          const dt = s / fs - tau;
          rf[(t * E + e) * sampleCount + s]! += p.amplitude * Math.cos(2 * Math.PI * fc * dt) * Math.exp(-((dt / sigma) ** 2));
        }
      }
    }
  }
  let max = 0;
  for (const v of rf) max = Math.max(max, Math.abs(v));
  const samples = int16 ? Int16Array.from(rf, (v) => Math.round((v / max) * 20000)) : Float32Array.from(rf);
  return { transmitCount: T, elementCount: E, sampleCount, samples, samplingRateHz: fs, centerFrequencyHz: fc, t0S: 0, soundSpeedMps: c, transmitDelaysS: delays };
}

/** Points plus a cloud of weak random scatterers (speckle), deterministic. */
export function pointsAndSpeckle(xRangeM: [number, number], zRangeM: [number, number], count: number, points: Scatterer[]): Scatterer[] {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const cloud = Array.from({ length: count }, () => ({ xM: xRangeM[0] + rnd() * (xRangeM[1] - xRangeM[0]), zM: zRangeM[0] + rnd() * (zRangeM[1] - zRangeM[0]), amplitude: rnd() - 0.5 }));
  return [...points, ...cloud];
}
