/**
 * Log compression: linear envelope → 8-bit display levels.
 *   level_dB = 20 log10(envelope / reference) + gainDb + rowGainDb[row]
 *   pixel    = 255 · (level_dB + DR) / DR, clamped to [0, 255]
 * so 0 dB (the reference) maps to 255 and -DR to 0. The reference is the frame's peak (after
 * the row gains) by default, or a fixed envelope value, which keeps brightness stable from
 * frame to frame so that the gain control acts like gain.
 *
 * @example
 *   const pixels = logCompress(image.envelope, image.colCount, { dynamicRangeDb: 60 });
 */
export interface LogCompressionOptions {
  /** Dynamic range shown, dB (default 60). */
  dynamicRangeDb: number;
  /** Added to every pixel, dB (default 0). */
  gainDb: number;
  /** 0 dB level: 'peak' of the frame, or an envelope value. */
  reference: 'peak' | number;
  /** Per-row gain in dB (TGC, tgc.ts); length = rows. */
  rowGainDb?: Float32Array;
}

export const LOG_COMPRESSION_DEFAULTS: LogCompressionOptions = { dynamicRangeDb: 60, gainDb: 0, reference: 'peak' };

export function logCompress(envelope: Float32Array, colCount: number, options: Partial<LogCompressionOptions> = {}, out?: Uint8Array): Uint8Array {
  const o = { ...LOG_COMPRESSION_DEFAULTS, ...options };
  if (!(o.dynamicRangeDb > 0)) throw new RangeError(`dynamicRangeDb must be > 0, got ${o.dynamicRangeDb}`);
  const n = envelope.length;
  const rows = Math.floor(n / colCount);
  if (rows * colCount !== n) throw new RangeError(`envelope of ${n} values is not a whole number of ${colCount}-column rows`);
  if (o.rowGainDb && o.rowGainDb.length !== rows) throw new RangeError(`rowGainDb has ${o.rowGainDb.length} rows, image has ${rows}`);
  const pixels = out ?? new Uint8Array(n);
  // Work in dB of power via log2 (cheaper than log10 of an amplitude): 20 log10(a) = (20 log10 2) log2(a).
  const dbPerLog2 = 20 * Math.log10(2);
  let reference: number;
  if (o.reference === 'peak') {
    reference = 0;
    for (let row = 0; row < rows; row++) {
      const g = o.rowGainDb ? 10 ** (o.rowGainDb[row]! / 20) : 1;
      for (let i = row * colCount, end = i + colCount; i < end; i++) reference = Math.max(reference, envelope[i]! * g);
    }
  } else {
    reference = o.reference;
  }
  if (!(reference > 0)) {
    pixels.fill(0);
    return pixels;
  }
  const scale = 255 / o.dynamicRangeDb;
  const offsetBase = o.gainDb - dbPerLog2 * Math.log2(reference) + o.dynamicRangeDb;
  for (let row = 0; row < rows; row++) {
    const offset = offsetBase + (o.rowGainDb ? o.rowGainDb[row]! : 0);
    for (let i = row * colCount, end = i + colCount; i < end; i++) {
      const e = envelope[i]!;
      if (!(e > 0)) {
        pixels[i] = 0;
        continue;
      }
      const v = (dbPerLog2 * Math.log2(e) + offset) * scale;
      pixels[i] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
    }
  }
  return pixels;
}
