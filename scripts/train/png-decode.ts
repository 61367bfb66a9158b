/**
 * A minimal PNG decoder for what the dataset export writes (drivers/sim/png.ts): 8-bit greyscale,
 * no interlace; all five scan-line filters are handled, so PNGs re-saved by other tools decode
 * too. Training-time only (the device never decodes PNGs).
 */
import { inflateSync } from 'node:zlib';
import type { GrayImage } from '../../models/findings/preprocess.js';

export class PngDecodeError extends Error {
  override name = 'PngDecodeError';
}

export function decodeGrayPng(bytes: Uint8Array): GrayImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new PngDecodeError('not a PNG (bad signature)');
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 0 || data[12] !== 0) throw new PngDecodeError(`only 8-bit greyscale, non-interlaced PNGs are supported (bit depth ${data[8]}, colour type ${data[9]}, interlace ${data[12]})`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(width * height);
  const stride = width;
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x]!;
      const a = x > 0 ? pixels[row + x - 1]! : 0;
      const b = y > 0 ? pixels[row - stride + x]! : 0;
      const c = x > 0 && y > 0 ? pixels[row - stride + x - 1]! : 0;
      let p: number;
      switch (f) {
        case 0: p = v; break;
        case 1: p = v + a; break;
        case 2: p = v + b; break;
        case 3: p = v + ((a + b) >> 1); break;
        case 4: {
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          p = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new PngDecodeError(`bad PNG filter ${f} in row ${y}`);
      }
      pixels[row + x] = p & 0xff;
    }
  }
  return { width, height, pixels };
}
