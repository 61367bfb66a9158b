/**
 * Domain randomisation for the lung-findings training set (scripts/train/display-augment.ts):
 * reproducible from its seed, and whatever it draws around the image (text, depth scale,
 * marker, panel, letterbox), the device's region search still finds the ultrasound image where
 * the placement says it is, so the targets stay aligned. Also the PNG decoder used to read exports.
 */
import test from 'ava';
import { encodePng } from '../../../drivers/sim/png.js';
import { findImageRegion, type GrayImage } from '../../../models/findings/preprocess.js';
import { augmentDisplay, type AugmentInput } from '../../../scripts/train/display-augment.js';
import { readPngGray } from '../../../scripts/png-read.js';
import { prng } from '../../../scripts/train/random-scene.js';

/** A fan-shaped "sector" of speckle-like values, as a convex display image. */
function fakeDisplay(): AugmentInput {
  const width = 320;
  const height = 200;
  const pixels = new Uint8Array(width * height);
  const sector = new Uint8Array(width * height);
  const rnd = prng(7);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const half = 60 + (y / height) * 100;
      if (y >= 10 && Math.abs(x - width / 2) <= half) {
        sector[y * width + x] = 1;
        pixels[y * width + x] = 40 + Math.floor(rnd() * 120);
      }
    }
  }
  const display: GrayImage = { width, height, pixels };
  return { display, sector, dynamicRangeDb: 50, mmPerPixel: 0.375 };
}

test('the same seed gives the same picture; another seed another', (t) => {
  const input = fakeDisplay();
  const a = augmentDisplay(input, prng(11), { unusableRate: 0.1, randomise: true });
  const b = augmentDisplay(input, prng(11), { unusableRate: 0.1, randomise: true });
  const c = augmentDisplay(input, prng(12), { unusableRate: 0.1, randomise: true });
  t.deepEqual(a.placement, b.placement);
  t.deepEqual(Buffer.from(a.picture.pixels), Buffer.from(b.picture.pixels));
  t.notDeepEqual(a.summary + JSON.stringify(a.placement), c.summary + JSON.stringify(c.placement));
});

test('the region search finds the placed image despite text, scales, markers and panels', (t) => {
  const input = fakeDisplay();
  // Sector bounding box in display pixels: x 100..220 at the top widening to 0..320, y 10..200.
  for (let seed = 1; seed <= 40; seed++) {
    const a = augmentDisplay(input, prng(seed), { unusableRate: 0, randomise: true });
    const r = findImageRegion(a.picture);
    const p = a.placement;
    const expect = { x0: p.offsetX, y0: 10 * p.scaleY + p.offsetY, x1: 320 * p.scaleX + p.offsetX, y1: 200 * p.scaleY + p.offsetY };
    // The region search works on 4-pixel blocks, and a dark edge row can fall below its level.
    const tol = 9;
    t.true(Math.abs(r.x0 - expect.x0) <= tol && Math.abs(r.x1 - expect.x1) <= tol && Math.abs(r.y0 - expect.y0) <= tol && Math.abs(r.y1 - expect.y1) <= tol, `seed ${seed} (${a.summary}): region ${r.x0},${r.y0}–${r.x1},${r.y1}, expected ${expect.x0.toFixed(0)},${expect.y0.toFixed(0)}–${expect.x1.toFixed(0)},${expect.y1.toFixed(0)}`);
  }
});

test('unusable pictures are made at about the rate asked and say why', (t) => {
  const input = fakeDisplay();
  const issues = Array.from({ length: 200 }, (_, s) => augmentDisplay(input, prng(1000 + s), { unusableRate: 0.25, randomise: true }).issue);
  const bad = issues.filter((i) => i !== 'none').length;
  t.true(bad > 30 && bad < 75, `${bad} of 200`);
  t.true(issues.includes('gain-too-low') && issues.includes('gain-too-high') && issues.includes('no-contact'));
});

test('readPngGray reads back what encodePng writes', (t) => {
  const pixels = Uint8Array.from({ length: 13 * 7 }, (_, i) => (i * 53) % 256);
  const img = readPngGray(encodePng({ width: 13, height: 7, channels: 1, pixels }));
  t.is(img.width, 13);
  t.is(img.height, 7);
  t.deepEqual(Array.from(img.pixels), Array.from(pixels));
});
