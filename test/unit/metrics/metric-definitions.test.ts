import test from 'ava';
import { fwhm, measurePointTargets } from '../../../pipeline/metrics/point-targets.js';
import { gcnr, measureRegions, speckleSnr } from '../../../pipeline/metrics/contrast.js';
import { compareEnvelopes } from '../../../pipeline/metrics/agreement.js';
import type { ScanGrid } from '../../../pipeline/beamform/grid.js';

const grid: ScanGrid = { kind: 'cartesian', xMinM: -0.01, xMaxM: 0.01, zMinM: 0.01, zMaxM: 0.03, rowCount: 201, colCount: 201 };

test('FWHM of a Gaussian dB profile is its -6 dB width', (t) => {
  const sigma = 0.3;
  const axis = Array.from({ length: 101 }, (_, i) => -2.5 + i * 0.05);
  const db = axis.map((x) => 20 * Math.log10(Math.exp(-(x * x) / (2 * sigma * sigma))));
  const expected = 2 * sigma * Math.sqrt(2 * Math.log(2)); // half amplitude = -6.02 dB
  t.true(Math.abs(fwhm(db, axis) - expected) < 0.01, `${fwhm(db, axis)} vs ${expected}`);
});

test('a point target: peak position and FWHM on a Cartesian grid', (t) => {
  const env = new Float32Array(201 * 201);
  for (let r = 0; r < 201; r++) {
    for (let c = 0; c < 201; c++) {
      const x = -10 + c * 0.1 - 2;
      const z = 10 + r * 0.1 - 20;
      env[r * 201 + c] = Math.exp(-(x * x) / (2 * 0.5 ** 2) - (z * z) / (2 * 0.2 ** 2)) + 1e-6;
    }
  }
  const [m] = measurePointTargets(env, grid, [{ xMm: 2, zMm: 20 }]);
  t.true(Math.abs(m!.xPeakMm - 2) < 1e-9 && Math.abs(m!.zPeakMm - 20) < 1e-9);
  t.true(Math.abs(m!.fwhmLateralMm - 0.5 * 2.3548) < 0.03, `lateral ${m!.fwhmLateralMm}`);
  t.true(Math.abs(m!.fwhmAxialMm - 0.2 * 2.3548) < 0.03, `axial ${m!.fwhmAxialMm}`);
});

test('gCNR is 0 for identical distributions and 1 for separated ones', (t) => {
  const values = Float64Array.from({ length: 2000 }, (_, i) => (i % 100) / 100);
  const a = Uint8Array.from({ length: 2000 }, (_, i) => (i < 1000 ? 1 : 0));
  const b = Uint8Array.from(a, (v) => 1 - v);
  t.true(gcnr(values, a, b) < 0.05);
  const separated = Float64Array.from(values, (v, i) => (i < 1000 ? v : v + 2));
  t.is(gcnr(separated, a, b), 1);
});

test('an anechoic disc in constant speckle-free background: contrast, CNR and the speckle region', (t) => {
  const env = new Float32Array(201 * 201);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let r = 0; r < 201; r++) {
    for (let c = 0; c < 201; c++) {
      const inside = Math.hypot(-10 + c * 0.1, 10 + r * 0.1 - 20) < 3;
      env[r * 201 + c] = (inside ? 0.1 : 1) * (0.5 + rnd());
    }
  }
  const [m] = measureRegions(env, grid, [{ xMm: 0, zMm: 20, rMm: 3, contrastDb: -300 }]);
  t.true(Math.abs(m!.contrastDb - -20) < 0.5, `contrast ${m!.contrastDb}`);
  t.true(m!.gcnr > 0.99);
  t.true(m!.nInside > 0 && m!.nOutside > m!.nInside);
  const snr = speckleSnr(env, grid, [{ xMm: 0, zMm: 20, rMm: 3, contrastDb: -300 }])!;
  t.true(Math.abs(snr - 1 / Math.sqrt(1 / 12)) < 0.1, `uniform(0.5, 1.5): mean/std = 3.46, got ${snr}`);
});

test('envelope agreement: identical images, scaled images, and the normalised max difference', (t) => {
  const a = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i) ** 2);
  t.deepEqual(compareEnvelopes(a, a), { pearson: 1, maxAbsDiff: 0 });
  const scaled = Float32Array.from(a, (v) => 3 * v);
  t.true(compareEnvelopes(a, scaled).maxAbsDiff < 1e-6);
  t.throws(() => compareEnvelopes(a, a.subarray(1)), { message: /differ in size/ });
});
