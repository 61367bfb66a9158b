/**
 * Time-gain compensation: a gain per image row that grows with depth, to offset the
 * round-trip attenuation of deeper echoes. Rows are depth samples of the image geometry
 * (polar: depth below the array = r - rMin; cartesian: z - zMin).
 *
 * @example
 *   const rowGainDb = depthGainDb(image.geometry, image.rowCount, { dbPerCm: attenuationCompensationDbPerCm(3.57e6) });
 *   logCompress(image.envelope, image.colCount, { rowGainDb });
 */
import type { ImageGeometry } from '../../drivers/protocol/messages.js';

export interface TgcOptions {
  /** Gain slope with depth, dB per cm of depth. */
  dbPerCm: number;
  /** Gain at the top row, dB (default 0). */
  offsetDb?: number;
  /** Optional slider curve: extra gain (dB) at evenly spaced depths from top to bottom, interpolated linearly. */
  slidersDb?: readonly number[];
  /** Upper bound of the total gain, dB (default 60). */
  maxDb?: number;
}

/** Slope that compensates round-trip attenuation at fc: 2 · α · f(MHz) dB/cm. */
export function attenuationCompensationDbPerCm(centerFrequencyHz: number, attenuationDbPerCmMhz = 0.5): number {
  return 2 * attenuationDbPerCmMhz * (centerFrequencyHz / 1e6);
}

export function depthGainDb(geometry: ImageGeometry, rowCount: number, options: TgcOptions): Float32Array {
  const top = geometry.kind === 'polar' ? geometry.rMinM : geometry.zMinM;
  const bottom = geometry.kind === 'polar' ? geometry.rMaxM : geometry.zMaxM;
  const gains = new Float32Array(rowCount);
  const sliders = options.slidersDb ?? [];
  const maxDb = options.maxDb ?? 60;
  for (let row = 0; row < rowCount; row++) {
    const frac = rowCount > 1 ? row / (rowCount - 1) : 0;
    const depthCm = (frac * (bottom - top)) * 100;
    let g = (options.offsetDb ?? 0) + options.dbPerCm * depthCm;
    if (sliders.length === 1) g += sliders[0]!;
    else if (sliders.length > 1) {
      const pos = frac * (sliders.length - 1);
      const i = Math.min(sliders.length - 2, Math.floor(pos));
      g += sliders[i]! + (pos - i) * (sliders[i + 1]! - sliders[i]!);
    }
    gains[row] = Math.min(maxDb, g);
  }
  return gains;
}

/** Applies per-row dB gains to a linear envelope in place. */
export function applyRowGainDb(envelope: Float32Array, colCount: number, rowGainDb: Float32Array): void {
  for (let row = 0; row < rowGainDb.length; row++) {
    const g = 10 ** (rowGainDb[row]! / 20);
    for (let i = row * colCount, end = i + colCount; i < end; i++) envelope[i]! *= g;
  }
}
