/**
 * The calliper's arithmetic: pointer → image pixel through a CSS-scaled canvas, distance from the
 * frame's calibration, and the readout's rounding.
 */
import test from 'ava';
import { clientToImage, distanceMm, formatMm } from '../../../ui-kiosk/web/review/measurement.js';

test('a pointer on a canvas drawn at another size lands on the right image pixel, clamped to the image', (t) => {
  // A 640×480 image drawn 960×720 CSS px at (100, 50).
  const rect = { left: 100, top: 50, width: 960, height: 720 };
  t.deepEqual(clientToImage(100, 50, rect, 640, 480), { x: 0, y: 0 });
  t.deepEqual(clientToImage(580, 410, rect, 640, 480), { x: 320, y: 240 });
  t.deepEqual(clientToImage(1060, 770, rect, 640, 480), { x: 640, y: 480 });
  t.deepEqual(clientToImage(0, 2000, rect, 640, 480), { x: 0, y: 480 }, 'outside the image: clamped to its edge');
});

test('a distance is the pixel distance times mmPerPixel, in any direction (square pixels)', (t) => {
  const mmPerPixel = 0.25;
  t.is(distanceMm({ x: 10, y: 10 }, { x: 10, y: 90 }, mmPerPixel), 20, 'vertical: 80 px = 20 mm');
  t.is(distanceMm({ x: 10, y: 10 }, { x: 90, y: 10 }, mmPerPixel), 20, 'horizontal: the same');
  t.is(distanceMm({ x: 0, y: 0 }, { x: 30, y: 40 }, mmPerPixel), 12.5, '3-4-5 triangle');
  t.is(distanceMm({ x: 5, y: 5 }, { x: 5, y: 5 }, mmPerPixel), 0);
});

test('the readout: tenths of a millimetre below 10 cm, whole millimetres above', (t) => {
  t.is(formatMm(23.449), '23.4');
  t.is(formatMm(0), '0.0');
  t.is(formatMm(99.96), '100.0');
  t.is(formatMm(123.4), '123');
});
