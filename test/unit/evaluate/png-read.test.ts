/**
 * The evaluation's PNG reader against PNGs written here with every row filter (0–4) and with the
 * project's encoder; colour reads as grey through rgbToGray.
 */
import { deflateSync } from 'node:zlib';
import test from 'ava';
import { encodePng } from '../../../drivers/sim/png.js';
import { PngReadError, readPngGray } from '../../../scripts/png-read.js';

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  return out; // CRC left 0: the reader does not check it
}

/** A PNG whose row y uses filter y % 5, written with the standard forward filters. */
function filteredPng(width: number, height: number, channels: 1 | 3, pixels: Uint8Array): Buffer {
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  const at = (x: number, y: number): number => (x < 0 || y < 0 ? 0 : pixels[y * stride + x]!);
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const v = at(x, y);
      const a = at(x - channels, y);
      const b = at(x, y - 1);
      const c = at(x - channels, y - 1);
      const p = a + b - c;
      const pr = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, pr][filter]!;
      raw[y * (stride + 1) + 1 + x] = (v - pred) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 1 ? 0 : 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

test('all five row filters decode to the original grey pixels', (t) => {
  const w = 9;
  const h = 10;
  const pixels = Uint8Array.from({ length: w * h }, (_, i) => (i * 53 + (i % 7) * 31) % 256);
  const img = readPngGray(filteredPng(w, h, 1, pixels));
  t.deepEqual([img.width, img.height], [w, h]);
  t.deepEqual(Array.from(img.pixels), Array.from(pixels));
  t.deepEqual(Array.from(readPngGray(encodePng({ width: w, height: h, channels: 1, pixels })).pixels), Array.from(pixels), 'the export encoder');
});

test('RGB reads as grey; strongly coloured pixels (annotations) become 0', (t) => {
  const rgb = Uint8Array.from([100, 100, 100, 255, 0, 0, 10, 20, 30, 200, 200, 200]);
  const img = readPngGray(filteredPng(2, 2, 3, rgb));
  t.deepEqual(Array.from(img.pixels), [100, 0, 18, 200]);
  t.throws(() => readPngGray(Buffer.from('not a png at all')), { instanceOf: PngReadError, message: /signature/ });
});
