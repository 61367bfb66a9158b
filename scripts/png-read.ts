/**
 * Reads 8-bit, non-interlaced PNGs (grey, grey + alpha, RGB, RGBA; all five row filters) into a
 * grey image: what `pleura sim export --png` writes, and most still images. Used by
 * scripts/train (prepare-dataset) and scripts/evaluate. Colour goes through preprocess.ts's
 * rgbToGray, as it does for decoded video, so annotations drop out the same way.
 */
import { inflateSync } from 'node:zlib';
import { rgbToGray, type GrayImage } from '../models/findings/preprocess.js';

export class PngReadError extends Error {
  override name = 'PngReadError';
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function readPngGray(png: Buffer, name = 'PNG'): GrayImage {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw new PngReadError(`${name}: not a PNG file (bad signature)`);
  let off = 8;
  let ihdr: Buffer | null = null;
  const idat: Buffer[] = [];
  while (off + 8 <= png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') ihdr = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  if (!ihdr) throw new PngReadError(`${name}: no IHDR chunk`);
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const bitDepth = ihdr[8]!;
  const colourType = ihdr[9]!;
  const interlace = ihdr[12]!;
  const channels = CHANNELS[colourType];
  if (bitDepth !== 8 || channels === undefined || interlace !== 0) {
    throw new PngReadError(`${name}: only 8-bit non-interlaced grey/RGB(A) PNGs are read (bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}); convert it, e.g. ffmpeg -i in.png -pix_fmt gray out.png`);
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) throw new PngReadError(`${name}: image data too short (${raw.length} bytes for ${width}×${height}×${channels})`);
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x]!;
      const a = x >= channels ? out[row + x - channels]! : 0;
      const b = y > 0 ? out[row - stride + x]! : 0;
      const c = x >= channels && y > 0 ? out[row - stride + x - channels]! : 0;
      let r: number;
      switch (filter) {
        case 0: r = v; break;
        case 1: r = v + a; break;
        case 2: r = v + b; break;
        case 3: r = v + ((a + b) >> 1); break;
        case 4: r = v + paeth(a, b, c); break;
        default: throw new PngReadError(`${name}: unknown row filter ${filter} in row ${y}`);
      }
      out[row + x] = r & 0xff;
    }
  }
  if (channels === 1) return { width, height, pixels: out };
  if (channels === 2) {
    const pixels = new Uint8Array(width * height);
    for (let i = 0; i < pixels.length; i++) pixels[i] = out[2 * i]!;
    return { width, height, pixels };
  }
  return rgbToGray(out, width, height, channels as 3 | 4);
}
