import test from 'ava';
import { SpeckleFilter } from '../../../pipeline/enhance/speckle-filter.js';
import { Persistence } from '../../../pipeline/enhance/persistence.js';
import { AutoGain } from '../../../pipeline/enhance/auto-gain.js';
import { applyCoherenceWeighting, smoothCoherence } from '../../../pipeline/enhance/coherence.js';
import { applyEnhancements, parseEnhancementList, EnhancementListError } from '../../../pipeline/enhance/enhancement.js';
import { median, selectKth } from '../../../pipeline/enhance/order-statistics.js';
import { FastBeamformer } from '../../../pipeline/beamform/fast-beamformer.js';
import { loadReferenceDataset } from '../../../pipeline/beamform/reference-dataset.js';
import { datasetMetrics } from '../../../pipeline/metrics/dataset-metrics.js';
import { fwhm } from '../../../pipeline/metrics/point-targets.js';
import { datasetDir } from './rf-datasets.js';

let seed = 99;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
/** Rayleigh speckle of mean level `level`. */
const speckle = (level: number) => level * Math.sqrt(-2 * Math.log(rnd())) * 0.8;

function stats(a: ArrayLike<number>, from: number, to: number): { mean: number; std: number } {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  const mean = s / (to - from);
  let v = 0;
  for (let i = from; i < to; i++) v += (a[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / (to - from)) };
}

test('quickselect finds the k-th smallest and the median', (t) => {
  const values = Float64Array.from({ length: 1001 }, () => rnd());
  const sorted = Float64Array.from(values).sort();
  t.is(selectKth(Float64Array.from(values), values.length, 17), sorted[17]);
  t.is(median(Float64Array.from(values)), sorted[500]);
});

test('SRAD smooths speckle and keeps a bright point where it was, about as wide', (t) => {
  const rows = 120;
  const cols = 80;
  const img = Float32Array.from({ length: rows * cols }, () => speckle(1));
  // a point: a Gaussian spot (σ = 2.5 pixels, FWHM ≈ 6 pixels as the datasets' points) at row 60, column 40
  for (let r = 54; r <= 66; r++) for (let c = 34; c <= 46; c++) img[r * cols + c]! += 60 * Math.exp(-((r - 60) ** 2 + (c - 40) ** 2) / (2 * 2.5 ** 2));
  const out = new SpeckleFilter({ iterations: 4, timeStep: 0.2, speckleScale: 1 }).apply(img, rows, cols);
  const before = stats(img, 0, 40 * cols);
  const after = stats(out, 0, 40 * cols);
  t.log(`speckle SNR ${(before.mean / before.std).toFixed(2)} → ${(after.mean / after.std).toFixed(2)}`);
  t.true(after.mean / after.std > 1.3 * (before.mean / before.std));
  t.true(Math.abs(after.mean / before.mean - 1) < 0.05, 'mean level kept');
  let peak = 0;
  for (let i = 0; i < out.length; i++) if (out[i]! > out[peak]!) peak = i;
  t.is(Math.floor(peak / cols), 60);
  t.is(peak % cols, 40);
  // -6 dB widths through the peak, along the row and along the column
  const axis = Array.from({ length: 21 }, (_, i) => i);
  const width = (a: Float32Array, at: (i: number) => number) => fwhm(axis.map((i) => 20 * Math.log10(a[at(i)]!)), axis);
  for (const [dir, at] of [['lateral', (i: number) => 60 * cols + 30 + i], ['axial', (i: number) => (50 + i) * cols + 40]] as const) {
    const before = width(img, at);
    const after = width(out, at);
    t.log(`${dir} FWHM ${before.toFixed(2)} → ${after.toFixed(2)} px`);
    t.true(after <= 1.1 * before);
  }
});

test('persistence averages frames, and starts over when the geometry changes', (t) => {
  const p = new Persistence({ alpha: 0.5 });
  t.deepEqual([...p.apply(Float32Array.of(2, 2), 'a')], [2, 2]);
  t.deepEqual([...p.apply(Float32Array.of(4, 0), 'a')], [3, 1]);
  t.deepEqual([...p.apply(Float32Array.of(8, 8), 'b')], [8, 8]);
  t.throws(() => new Persistence({ alpha: 1 }), { message: /alpha must be in \[0, 1\)/ });
  // noise: the variance of a persisted stream falls to (1 - α)/(1 + α) of a single frame's
  const q = new Persistence({ alpha: 0.5 });
  const seq: number[] = [];
  for (let k = 0; k < 4000; k++) seq.push(q.apply(Float32Array.of(rnd() - 0.5))[0]!);
  const v = stats(seq, 100, seq.length).std ** 2;
  t.true(Math.abs(v / (1 / 12) - 1 / 3) < 0.05, `variance ratio ${v / (1 / 12)}`);
});

test('automatic gain levels an attenuated image to the target and is clamped', (t) => {
  const rows = 200;
  const cols = 64;
  const img = Float32Array.from({ length: rows * cols }, (_, i) => speckle(10 ** (-(Math.floor(i / cols) * 0.1) / 20)));
  const gains = new AutoGain({ targetLevel: 0.5, smoothingRows: 21, temporalSmoothing: 0, maxGainDb: 30 }).rowGainsDb(img, rows, cols);
  t.true(gains[rows - 1]! - gains[0]! > 15, `deep rows get ~20 dB more: ${gains[0]} → ${gains[rows - 1]}`);
  const out = new AutoGain({ targetLevel: 0.5, smoothingRows: 21, temporalSmoothing: 0, maxGainDb: 30 }).apply(Float32Array.from(img), rows, cols);
  const top = median(out.slice(20 * cols, 40 * cols));
  const bottom = median(out.slice(160 * cols, 180 * cols));
  t.true(Math.abs(20 * Math.log10(bottom / top)) < 1.5, `top ${top}, bottom ${bottom}`);
  const clamped = new AutoGain({ targetLevel: 1e6, maxGainDb: 12, temporalSmoothing: 0, smoothingRows: 5 }).rowGainsDb(img, rows, cols);
  t.true(clamped.every((g) => g <= 12));
});

test('coherence: box averaging and CF^γ weighting', (t) => {
  const cf = Float32Array.of(0, 0, 0, 0, 1, 0, 0, 0, 0);
  smoothCoherence(cf, 3, 3, { halfRows: 1, halfCols: 1 });
  t.true(Math.abs(cf[4]! - 1 / 9) < 1e-7 && Math.abs(cf[0]! - 1 / 4) < 1e-7);
  const env = Float32Array.of(4, 4);
  applyCoherenceWeighting(env, Float32Array.of(0.25, 1), { exponent: 0.5 });
  t.deepEqual([...env], [2, 4]);
});

test('enhancement lists: unknown names and persistence on one image are refused with a reason', (t) => {
  t.deepEqual(parseEnhancementList('srad, cf').map((s) => s.name), ['cf', 'srad']);
  t.deepEqual(parseEnhancementList('none'), []);
  t.throws(() => parseEnhancementList('sharpen'), { instanceOf: EnhancementListError, message: /unknown enhancement "sharpen"/ });
  t.throws(() => parseEnhancementList('persistence'), { message: /sequence of frames/ });
});

// Issue item 4: each step measured on the cyst and point datasets; CNR and gCNR up, FWHM at most +10 %.
test('coherence factor and SRAD raise CNR and gCNR on the cysts and keep the points sharp', async (t) => {
  for (const name of ['linear_pw_cysts', 'linear_pw_points'] as const) {
    const dir = datasetDir(t, name);
    if (!dir) return t.pass();
    const ds = loadReferenceDataset(dir);
    const bf = new FastBeamformer(ds.probe, ds.grid, { window: 'boxcar' });
    const cf = new Float32Array(ds.grid.rowCount * ds.grid.colCount);
    const envelope = bf.beamform(ds.frame, { coherence: cf }).envelope;
    await bf.close();
    const input = { envelope, energy: cf, grid: ds.grid, centerFrequencyHz: ds.frame.centerFrequencyHz };
    const base = datasetMetrics(ds, envelope);
    for (const list of ['cf', 'srad', 'cf,srad']) {
      const m = datasetMetrics(ds, applyEnhancements(parseEnhancementList(list), input));
      (m.cysts ?? []).forEach((c, i) => {
        t.true(c.cnr_picmus_db > base.cysts![i]!.cnr_picmus_db, `${list}: CNR ${c.cnr_picmus_db} vs ${base.cysts![i]!.cnr_picmus_db}`);
        t.true(c.gcnr > base.cysts![i]!.gcnr, `${list}: gCNR`);
      });
      (m.points ?? []).forEach((p, i) => {
        t.true(p.fwhm_axial_mm <= 1.1 * base.points![i]!.fwhm_axial_mm, `${list}: axial FWHM at (${p.x_true_mm}, ${p.z_true_mm})`);
        t.true(p.fwhm_lateral_mm <= 1.1 * base.points![i]!.fwhm_lateral_mm, `${list}: lateral FWHM at (${p.x_true_mm}, ${p.z_true_mm})`);
      });
    }
  }
});
