/**
 * The pulse-echo waveform after frequency-dependent attenuation: tissue attenuates higher
 * frequencies more (α·f, 0.5 dB/cm/MHz), so deep echoes come back at a lower frequency. The
 * echo spectrum after a round trip of length L is
 *   S_L(f) = G(f) · exp(−α (f − fc) L) · E(f)
 * with G the probe's Gaussian pulse-echo spectrum (pulse.ts), α in nepers per metre per hertz
 * (exp(−α fc L) is applied by the RF model itself, so S_L is relative to that), and E the low edge
 * of a real probe's band: below the lower −6 dB frequency fc(1 − B/2) its response falls faster
 * than a Gaussian's (E = exp(−(f_edge − f)²/(2 (σf/2)²)) there, 1 above), so deep echoes slide down
 * but not to DC. Near the surface this is the classic result f_L = fc − σf² α L at the same
 * bandwidth; deeper the shift slows as the spectrum meets the edge. The waveform is the
 * (zero-phase) inverse transform of S_L on (0, fs/2), normalised so that L = 0 has a unit peak.
 * Tabulated every `stepM` of path; the RF model picks the table of each scatterer's round trip.
 */
import type { PulseTable } from './pulse.js';

export interface AttenuatedPulses {
  /** tables[k] is the pulse after a round trip of k · stepM; same layout as PulseTable. */
  tables: Float32Array[];
  stepM: number;
  oversampling: number;
  halfLengthSamples: number;
  /** Spectral centroid of each table (Hz), for tests and docs. */
  centroidHz: Float64Array;
}

const FREQUENCY_POINTS = 256;
/** Width of the low band edge, in σf: how much faster than the Gaussian the response falls below it. */
const EDGE_SIGMA = 0.5;

export function attenuatedPulseTables(
  base: PulseTable,
  centerFrequencyHz: number,
  fractionalBandwidth: number,
  samplingRateHz: number,
  attenuationDbPerCmMhz: number,
  maxPathM: number,
  stepM = 4e-3,
): AttenuatedPulses {
  const fc = centerFrequencyHz;
  const sigmaHz = (fractionalBandwidth * fc) / (2 * Math.sqrt(2 * Math.LN2));
  const alpha = (attenuationDbPerCmMhz * 100 * Math.LN10) / 20 / 1e6; // Np / m / Hz
  const edgeHz = fc * (1 - fractionalBandwidth / 2);
  const count = Math.max(1, Math.ceil(maxPathM / stepM) + 1);
  const { oversampling, halfLengthSamples } = base;
  const n = base.values.length;
  // Frequencies on (0, fs/2): the band edge falls off over a quarter of σf below edgeHz.
  const df = samplingRateHz / 2 / FREQUENCY_POINTS;
  const freqs = Float64Array.from({ length: FREQUENCY_POINTS }, (_, i) => (i + 0.5) * df);
  const gauss = Float64Array.from(freqs, (f) => Math.exp(-((f - fc) ** 2) / (2 * sigmaHz * sigmaHz)) * (f < edgeHz ? Math.exp(-((edgeHz - f) ** 2) / (2 * EDGE_SIGMA * EDGE_SIGMA * sigmaHz * sigmaHz)) : 1));
  let norm = 0;
  for (let i = 0; i < FREQUENCY_POINTS; i++) norm += gauss[i]! * df;
  const tables: Float32Array[] = [];
  const centroidHz = new Float64Array(count);
  const spectrum = new Float64Array(FREQUENCY_POINTS);
  const dTau = 1 / (oversampling * samplingRateHz);
  const tau0 = -halfLengthSamples / samplingRateHz;
  for (let k = 0; k < count; k++) {
    if (k === 0 && attenuationDbPerCmMhz === 0 && maxPathM === 0) {
      tables.push(base.values); // no attenuation modelled: the plain Gaussian pulse
      centroidHz[0] = fc;
      continue;
    }
    const L = k * stepM;
    let sum = 0;
    let moment = 0;
    for (let i = 0; i < FREQUENCY_POINTS; i++) {
      spectrum[i] = gauss[i]! * Math.exp(-alpha * (freqs[i]! - fc) * L) * df;
      sum += spectrum[i]!;
      moment += spectrum[i]! * freqs[i]!;
    }
    centroidHz[k] = moment / sum;
    const values = new Float64Array(n);
    for (let i = 0; i < FREQUENCY_POINTS; i++) {
      // cos(2π f τ) along the table by rotation, no trigonometry per entry.
      const w = 2 * Math.PI * freqs[i]!;
      const stepC = Math.cos(w * dTau);
      const stepS = Math.sin(w * dTau);
      let c = Math.cos(w * tau0);
      let s = Math.sin(w * tau0);
      const a = spectrum[i]! / norm;
      for (let j = 0; j < n; j++) {
        values[j]! += a * c;
        const c2 = c * stepC - s * stepS;
        s = s * stepC + c * stepS;
        c = c2;
      }
    }
    tables.push(Float32Array.from(values));
  }
  return { tables, stepM, oversampling, halfLengthSamples, centroidHz };
}
