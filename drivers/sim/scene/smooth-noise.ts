/**
 * A seeded, smooth, zero-mean random function of one coordinate with unit RMS: Gaussian
 * samples on a grid, smoothed by a Gaussian kernel of the given correlation length and read
 * back with linear interpolation. Used for surface roughness, irregular borders and texture
 * that must move with tissue (evaluate it at the tissue's own coordinate).
 *
 * @example
 *   const rough = new SmoothNoise(rng, { fromM: -0.06, toM: 0.06, correlationM: 0.5e-3 });
 *   rough.at(0.012)  // ≈ N(0, 1), smooth over ~0.5 mm
 */
import type { SeededRandom } from '../physics/random.js';

export interface SmoothNoiseOptions {
  fromM: number;
  toM: number;
  /** Gaussian kernel σ: features this size and larger survive. */
  correlationM: number;
}

export class SmoothNoise {
  private readonly values: Float32Array;
  private readonly fromM: number;
  private readonly invStep: number;

  constructor(rng: SeededRandom, options: SmoothNoiseOptions) {
    const step = options.correlationM / 3;
    const margin = 4 * options.correlationM;
    this.fromM = options.fromM - margin;
    const count = Math.ceil((options.toM + margin - this.fromM) / step) + 2;
    this.invStep = 1 / step;
    const white = Float64Array.from({ length: count }, () => rng.gaussian());
    const half = Math.ceil(3 * options.correlationM * this.invStep);
    const kernel = Float64Array.from({ length: 2 * half + 1 }, (_, k) => Math.exp(-0.5 * (((k - half) * step) / options.correlationM) ** 2));
    const smooth = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      let acc = 0;
      for (let k = -half; k <= half; k++) acc += white[Math.min(count - 1, Math.max(0, i + k))]! * kernel[k + half]!;
      smooth[i] = acc;
    }
    let power = 0;
    for (const v of smooth) power += v * v;
    const norm = 1 / Math.sqrt(power / count || 1);
    this.values = Float32Array.from(smooth, (v) => v * norm);
  }

  /** The value at `m`; outside the range the end values hold. */
  at(m: number): number {
    let f = (m - this.fromM) * this.invStep;
    const last = this.values.length - 1;
    if (f <= 0) return this.values[0]!;
    if (f >= last) return this.values[last]!;
    const i = f | 0;
    f -= i;
    return this.values[i]! + f * (this.values[i + 1]! - this.values[i]!);
  }
}
