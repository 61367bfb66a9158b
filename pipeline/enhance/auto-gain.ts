/**
 * Automatic gain: brings the typical tissue echo of every depth to the same grey level, so the
 * user does not have to chase the image with gain and TGC sliders. Per row of the grid (a depth,
 * or a radius on a polar grid), the level is the median envelope of the row's pixels above a
 * noise floor; the levels are smoothed over depth and the gain that maps them to `target` is
 * clamped to ±maxGainDb. Dark rows (no tissue) keep the gain of their neighbours.
 *
 * @example
 *   const gains = new AutoGain({ targetLevel: ref * 10 ** (-30 / 20) }).rowGains(envelope, rows, cols);
 */
import { median } from './order-statistics.js';

export interface AutoGainOptions {
  /** Envelope value that a row's median should land on. */
  targetLevel: number;
  /** Largest gain or attenuation applied, dB. */
  maxGainDb: number;
  /** Depth smoothing of the row levels, in rows (odd). */
  smoothingRows: number;
  /** Pixels this far below the image maximum are noise, not tissue, dB. */
  noiseFloorDb: number;
  /** Weight of the previous frame's gains (0: none), so the gain does not flicker. */
  temporalSmoothing: number;
}

export const AUTO_GAIN_DEFAULTS: Omit<AutoGainOptions, 'targetLevel'> = { maxGainDb: 30, smoothingRows: 31, noiseFloorDb: 70, temporalSmoothing: 0.8 };

export class AutoGain {
  private previousDb: Float32Array | null = null;
  private row = new Float32Array(0);
  readonly options: AutoGainOptions;

  constructor(options: Partial<AutoGainOptions> & { targetLevel: number }) {
    this.options = { ...AUTO_GAIN_DEFAULTS, ...options };
  }

  /** Gain per row, dB. */
  rowGainsDb(envelope: Float32Array, rows: number, cols: number): Float32Array {
    let max = 0;
    for (let i = 0; i < envelope.length; i++) max = Math.max(max, envelope[i]!);
    const floor = max * 10 ** (-this.options.noiseFloorDb / 20);
    const levelDb = new Float64Array(rows).fill(NaN);
    if (this.row.length < cols) this.row = new Float32Array(cols);
    const row = this.row;
    for (let r = 0; r < rows; r++) {
      let n = 0;
      for (let c = 0; c < cols; c++) {
        const v = envelope[r * cols + c]!;
        if (v > floor) row[n++] = v;
      }
      if (n >= cols / 4) levelDb[r] = 20 * Math.log10(median(row, n));
    }
    const half = this.options.smoothingRows >> 1;
    const gains = new Float32Array(rows);
    const targetDb = 20 * Math.log10(this.options.targetLevel);
    let last = 0;
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      let n = 0;
      for (let k = Math.max(0, r - half); k <= Math.min(rows - 1, r + half); k++) {
        if (!Number.isNaN(levelDb[k]!)) {
          sum += levelDb[k]!;
          n++;
        }
      }
      const g = n ? Math.max(-this.options.maxGainDb, Math.min(this.options.maxGainDb, targetDb - sum / n)) : last;
      gains[r] = g;
      last = g;
    }
    const prev = this.previousDb;
    const a = this.options.temporalSmoothing;
    if (prev && prev.length === rows && a > 0) for (let r = 0; r < rows; r++) gains[r] = a * prev[r]! + (1 - a) * gains[r]!;
    this.previousDb = gains.slice();
    return gains;
  }

  /** In place: each row of the envelope times its gain. */
  apply(envelope: Float32Array, rows: number, cols: number): Float32Array {
    const g = this.rowGainsDb(envelope, rows, cols);
    for (let r = 0; r < rows; r++) {
      const f = 10 ** (g[r]! / 20);
      for (let c = 0; c < cols; c++) envelope[r * cols + c] = envelope[r * cols + c]! * f;
    }
    return envelope;
  }
}
