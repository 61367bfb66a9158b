import test from 'ava';
import { logCompress } from '../../../pipeline/enhance/log-compression.js';
import { attenuationCompensationDbPerCm, depthGainDb } from '../../../pipeline/enhance/tgc.js';
import { ScanConverter, ScanConverterCache } from '../../../pipeline/enhance/scan-convert.js';
import type { FrameBmode, ImageGeometry } from '../../../drivers/protocol/messages.js';

const polar: ImageGeometry = { kind: 'polar', rMinM: 0.04957, rMaxM: 0.04957 + 0.12, thetaMinRad: -0.65, thetaMaxRad: 0.65, apothemM: 0.0394 };

test('log compression: peak → 255, -DR → 0, linear in dB between; gain shifts; row gains apply', (t) => {
  const env = Float32Array.from([1, 10 ** (-24 / 20), 10 ** (-60 / 20), 10 ** (-80 / 20), 0, 0.5]);
  const px = logCompress(env, 3, { dynamicRangeDb: 60 });
  t.deepEqual(Array.from(px.subarray(0, 5)), [255, 153, 0, 0, 0]); // -24 dB of 60: 255·36/60
  t.deepEqual(Array.from(logCompress(env, 3, { dynamicRangeDb: 60, gainDb: -24 }).subarray(0, 2)), [153, 51]);
  // Fixed reference: the frame peak is no longer forced to 255.
  t.is(logCompress(env, 3, { dynamicRangeDb: 60, reference: 10 })[0], 170);
  // Row gains: +30 dB on row 1 makes its brightest pixel (0.5 → -6 dB + 30 dB) the peak.
  const rows = logCompress(env, 3, { dynamicRangeDb: 60, rowGainDb: Float32Array.from([0, 30]) });
  t.is(rows[5], 255);
  t.throws(() => logCompress(env, 4), { message: /not a whole number of 4-column rows/ });
});

test('TGC: gain grows with depth at the requested slope; slider points interpolate', (t) => {
  const g = depthGainDb(polar, 121, { dbPerCm: 2 });
  t.is(g[0], 0);
  t.true(Math.abs(g[120]! - 24) < 1e-4);
  t.true(Math.abs(g[60]! - 12) < 1e-4);
  const s = depthGainDb(polar, 3, { dbPerCm: 0, slidersDb: [0, 10], offsetDb: 1 });
  t.deepEqual(Array.from(s), [1, 6, 11]);
  t.true(Math.abs(attenuationCompensationDbPerCm(3.57e6) - 3.57) < 1e-12);
});

test('scan conversion puts a polar pixel at its Cartesian position; outside the sector is 0; aspect ratio kept', (t) => {
  const rows = 121;
  const cols = 65;
  const sc = new ScanConverter(polar, rows, cols, { widthPx: 400, heightPx: 400 });
  t.true(sc.width <= 400 && sc.height <= 400 && (sc.width === 400 || sc.height === 400));
  // The sector is ~14 cm wide and ~13 cm tall: square pixels give a near-square image.
  t.true(Math.abs(sc.width * sc.mmPerPixel - 2 * 169.57 * Math.sin(0.65)) < 2 * sc.mmPerPixel);
  const src = new Uint8Array(rows * cols);
  const row = 60; // r = R + 60 mm
  const col = 48; // θ = -0.65 + 48·(1.3/64)
  src[row * cols + col] = 255;
  const img = sc.convert(src);
  let best = 0;
  let at = 0;
  img.pixels.forEach((v, i) => {
    if (v > best) {
      best = v;
      at = i;
    }
  });
  const r = 0.04957 + 0.06;
  const th = -0.65 + (48 * 1.3) / 64;
  const pos = sc.pixelPositionMm(Math.floor(at / img.width), at % img.width);
  t.true(Math.hypot(pos.xMm - r * Math.sin(th) * 1e3, pos.zMm - (r * Math.cos(th) - 0.0394) * 1e3) <= sc.mmPerPixel, `bright pixel at ${JSON.stringify(pos)}`);
  t.true(best > 128);
  // Above the apex (top centre row... the array is curved) and the top corners lie outside the sector.
  const full = sc.convert(new Uint8Array(rows * cols).fill(200));
  t.is(full.pixels[0], 0);
  t.is(full.pixels[img.width - 1], 0);
  const centre = sc.pixelPositionMm(Math.floor(img.height / 2), Math.floor(img.width / 2));
  t.true(centre.zMm > 50);
  t.is(full.pixels[Math.floor(img.height / 2) * img.width + Math.floor(img.width / 2)], 200);
});

test('scan conversion of a Cartesian image and of a FRAME_BMODE from a probe', (t) => {
  const geometry: ImageGeometry = { kind: 'cartesian', xMinM: -0.02, xMaxM: 0.02, zMinM: 0, zMaxM: 0.04 };
  const frame: FrameBmode = { frameIndex: 3, width: 5, height: 3, dynamicRangeDb: 60, geometry, pixels: Uint8Array.from([0, 0, 0, 0, 0, 10, 20, 30, 40, 50, 0, 0, 0, 0, 0]) };
  const cache = new ScanConverterCache();
  const img = cache.convertBmode(frame, { mmPerPixel: 1 });
  t.like(img, { width: 40, height: 40, mmPerPixel: 1, origin: { xMm: -19.5, zMm: 0.5 } });
  // Row 20 (z = 20.5 mm) is just below source row 1 (z = 20 mm); x = -19.5 mm is just right of column 0.
  const v = img.pixels[20 * 40]!;
  t.true(v > 5 && v < 15, `got ${v}`);
  t.is(cache.get(geometry, 3, 5, { mmPerPixel: 1 }), cache.get(geometry, 3, 5, { mmPerPixel: 1 }));
});
