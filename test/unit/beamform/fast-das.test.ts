import test from 'ava';
import { Beamformer } from '../../../pipeline/beamform/beamformer.js';
import { FastBeamformer, type FastBeamformerOptions } from '../../../pipeline/beamform/fast-beamformer.js';
import type { TransducerGeometry } from '../../../drivers/protocol/messages.js';
import { buildDasPlan } from '../../../pipeline/beamform/plan.js';
import { elementGeometry } from '../../../pipeline/beamform/probe-geometry.js';
import { probeScanGrid, type ScanGrid } from '../../../pipeline/beamform/grid.js';
import { compareEnvelopes } from '../../../pipeline/metrics/agreement.js';
import { DEFAULT_APODIZATION, type ApodizationWindow } from '../../../pipeline/beamform/apodization.js';
import { fractionBitsFor } from '../../../pipeline/beamform/wasm/kernel-arena.js';
import { pointsAndSpeckle, SMALL_CONVEX, SMALL_LINEAR, syntheticFrame } from './synthetic-rf.js';

// The WebAssembly kernels against the readable JS implementation of the same method.
const convexScene = pointsAndSpeckle([-0.02, 0.02], [0.005, 0.05], 400, [
  { xM: 0, zM: 0.02, amplitude: 20 },
  { xM: 0.008, zM: 0.035, amplitude: 20 },
]);
const convexFrame = syntheticFrame(SMALL_CONVEX, convexScene, 1000);
const convexGrid = probeScanGrid(SMALL_CONVEX, 0.05, { colCount: 61, rowCount: 150 });
const linearFrame = syntheticFrame(SMALL_LINEAR, pointsAndSpeckle([-0.008, 0.008], [0.003, 0.02], 300, [{ xM: 0.001, zM: 0.012, amplitude: 20 }]), 900, false);
const linearGrid = probeScanGrid(SMALL_LINEAR, 0.02, { colCount: 50, rowCount: 120 });

for (const [name, probe, frame, grid] of [
  ['convex, int16 RF', SMALL_CONVEX, convexFrame, convexGrid],
  ['linear, float32 RF', SMALL_LINEAR, linearFrame, linearGrid],
] as const) {
  for (const [window, delayTable] of [['boxcar', true], ['boxcar', false], ['hann', true], ['hann', false], ['tukey', true]] as Array<[ApodizationWindow, boolean]>) {
    for (const threads of [1, 2]) {
      const positions = delayTable ? 'delay table' : 'positions computed per frame';
      test(`${name}, ${window}, ${positions}, ${threads} thread(s): the SIMD kernels give the JS beamformer's image`, async (t) => {
        const js = new Beamformer(probe, grid, { window });
        const fast = new FastBeamformer(probe, grid, { window, threads, rowsPerChunk: 4, ...(delayTable ? {} : { delayTableMaxBytes: 0 }) });
        try {
          for (const transmitIndices of [[0, 1, 2], [1], [0, 2]]) {
            const a = js.beamform(frame, { transmitIndices }).envelope;
            const b = fast.beamform(frame, { transmitIndices }).envelope;
            const { pearson, maxAbsDiff } = compareEnvelopes(b, a);
            // float32 positions can pick the neighbouring window-table entry: a few 1e-4 of the peak.
            t.true(pearson > 0.999999 && maxAbsDiff < 2e-3, `transmits ${transmitIndices}: r = ${pearson}, max ${maxAbsDiff}`);
          }
          t.is(fast.delayTableBytes > 0, delayTable);
        } finally {
          await fast.close();
        }
      });
    }
  }
}

/** Runs `check` on two fast beamformers with these options: one with the delay table, one without. */
async function withAndWithoutTable(
  probe: TransducerGeometry,
  grid: ScanGrid,
  options: Partial<FastBeamformerOptions>,
  check: (tabled: FastBeamformer, computed: FastBeamformer) => void,
): Promise<void> {
  const tabled = new FastBeamformer(probe, grid, options);
  const computed = new FastBeamformer(probe, grid, { ...options, delayTableMaxBytes: 0 });
  try {
    check(tabled, computed);
  } finally {
    await tabled.close();
    await computed.close();
  }
}

for (const interpolation of ['exact', 'upsampled'] as const) {
  test(`${interpolation}: the delay table gives the same image, bit for bit, as positions computed per frame`, async (t) => {
    await withAndWithoutTable(SMALL_CONVEX, convexGrid, { threads: 2, interpolation, rowsPerChunk: 4 }, (tabled, computed) => {
      for (const transmitIndices of [[0, 1, 2], [2], [0, 2]]) {
        const a = tabled.beamform(convexFrame, { transmitIndices }).envelope;
        const b = computed.beamform(convexFrame, { transmitIndices }).envelope;
        t.deepEqual(a, b, `transmits ${transmitIndices}`);
      }
      t.true(tabled.delayTableBytes > 0);
      t.is(computed.delayTableBytes, 0);
    });
  });
}

test('a plan whose delay table exceeds the budget computes its positions per frame, with the same image', async (t) => {
  const small = new FastBeamformer(SMALL_CONVEX, convexGrid, { threads: 1 });
  const js = new Beamformer(SMALL_CONVEX, convexGrid);
  try {
    small.beamform(convexFrame);
    const needed = small.delayTableBytes;
    t.true(needed > 0);
    await small.close();
    const capped = new FastBeamformer(SMALL_CONVEX, convexGrid, { threads: 1, delayTableMaxBytes: needed - 1 });
    try {
      const { pearson } = compareEnvelopes(capped.beamform(convexFrame).envelope, js.beamform(convexFrame).envelope);
      t.is(capped.delayTableBytes, 0);
      t.true(pearson > 0.999999);
    } finally {
      await capped.close();
    }
  } finally {
    await small.close();
  }
});

test('the delay table is rebuilt when the transmit sequence changes', async (t) => {
  const fast = new FastBeamformer(SMALL_CONVEX, convexGrid, { threads: 2 });
  const js = new Beamformer(SMALL_CONVEX, convexGrid);
  try {
    fast.beamform(convexFrame);
    // the same echoes with the transmits in the opposite order: a different plan
    const T = convexFrame.transmitCount;
    const perTransmit = convexFrame.samples.length / T;
    const delaysPer = convexFrame.transmitDelaysS.length / T;
    const samples = new Int16Array(convexFrame.samples.length);
    const delays = new Float32Array(convexFrame.transmitDelaysS.length);
    for (let k = 0; k < T; k++) {
      samples.set(convexFrame.samples.subarray((T - 1 - k) * perTransmit, (T - k) * perTransmit) as Int16Array, k * perTransmit);
      delays.set(Array.from(convexFrame.transmitDelaysS).slice((T - 1 - k) * delaysPer, (T - k) * delaysPer), k * delaysPer);
    }
    const reversed = { ...convexFrame, samples, transmitDelaysS: delays };
    for (const transmitIndices of [[0, 1, 2], [0]]) {
      const { pearson } = compareEnvelopes(fast.beamform(reversed, { transmitIndices }).envelope, js.beamform(reversed, { transmitIndices }).envelope);
      t.true(pearson > 0.999999, `transmits ${transmitIndices}: r = ${pearson}`);
    }
  } finally {
    await fast.close();
  }
});

test('upsampled interpolation stays within r > 0.9995 of the exact method', async (t) => {
  const exact = new FastBeamformer(SMALL_CONVEX, convexGrid, { threads: 1 });
  const up = new FastBeamformer(SMALL_CONVEX, convexGrid, { threads: 1, interpolation: 'upsampled' });
  try {
    const { pearson, maxAbsDiff } = compareEnvelopes(up.beamform(convexFrame).envelope, exact.beamform(convexFrame).envelope);
    t.log(`r = ${pearson.toFixed(7)}, max ${(100 * maxAbsDiff).toFixed(2)} %`);
    t.true(pearson > 0.9995 && maxAbsDiff < 0.02);
  } finally {
    await exact.close();
    await up.close();
  }
});

test('coherence factor: the delay table gives the same envelope and coherence, bit for bit', async (t) => {
  await withAndWithoutTable(SMALL_CONVEX, convexGrid, { threads: 2, window: 'hann' }, (tabled, computed) => {
    const cfA = new Float32Array(convexGrid.rowCount * convexGrid.colCount);
    const cfB = new Float32Array(cfA.length);
    t.deepEqual(tabled.beamform(convexFrame, { coherence: cfA }).envelope, computed.beamform(convexFrame, { coherence: cfB }).envelope);
    t.deepEqual(cfA, cfB);
  });
});

test('coherence factor: in [0, 1], near 1 on a point target, low in speckle; envelope unchanged', async (t) => {
  const fast = new FastBeamformer(SMALL_CONVEX, convexGrid, { threads: 2, window: 'boxcar' });
  try {
    const plain = fast.beamform(convexFrame).envelope.slice();
    const cf = new Float32Array(plain.length);
    const withCf = fast.beamform(convexFrame, { coherence: cf }).envelope;
    t.true(compareEnvelopes(withCf, plain).maxAbsDiff < 1e-5);
    let peak = 0;
    for (let i = 0; i < plain.length; i++) if (plain[i]! > plain[peak]!) peak = i;
    t.true(cf.every((v) => v >= 0 && v <= 1));
    const sorted = Float32Array.from(cf).sort();
    t.log(`CF at the brightest point ${cf[peak]!.toFixed(3)}, median ${sorted[sorted.length >> 1]!.toFixed(3)}`);
    t.true(cf[peak]! > 0.7);
    t.true(sorted[sorted.length >> 1]! < 0.3);
  } finally {
    await fast.close();
  }
});

test('a frame that does not fit the plan is refused with what was expected', async (t) => {
  const fast = new FastBeamformer(SMALL_CONVEX, convexGrid, { threads: 1 });
  try {
    t.throws(() => fast.beamform({ ...convexFrame, elementCount: 32 }), { message: /32 elements but the probe has 64/ });
    t.throws(() => fast.beamform(convexFrame, { transmitIndices: [3] }), { message: /transmit index 3 outside/ });
  } finally {
    await fast.close();
  }
});

test('position resolution: 1/1024 of a sample while positions stay below 2^23, coarser beyond, refused past 2^23 samples', (t) => {
  t.is(fractionBitsFor(3830), 10);
  t.is(fractionBitsFor(2 * 3830), 10);
  t.is(fractionBitsFor(8192), 9);
  t.is(fractionBitsFor(100_000), 6);
  t.throws(() => fractionBitsFor(2 ** 23), { name: 'ArenaCapacityError' });
});

test('a position a fraction of a sample into the record interpolates between its first two samples, never the one before', async (t) => {
  // One pixel 0.2 mm under element 32 of the linear probe: with F = 1.5 only that element is in
  // its aperture. t0 is chosen so that the pixel's position is `fraction` samples into the
  // record. Every channel carries pseudo-random RF, so a read before the record would show.
  const probe = SMALL_LINEAR;
  const el = elementGeometry(probe);
  const e = 32;
  const zM = 0.2e-3;
  const grid: ScanGrid = { kind: 'cartesian', xMinM: el.xM[e]!, xMaxM: el.xM[e]!, zMinM: zM, zMaxM: zM, rowCount: 1, colCount: 1 };
  const S = 64;
  const samples = Float32Array.from({ length: el.count * S }, (_, i) => 1000 * Math.sin(i * 12.9898 + Math.sin(i * 78.233)));
  const fs = probe.samplingRateHz;
  const base = { samplingRateHz: fs, centerFrequencyHz: probe.centerFrequencyHz, soundSpeedMps: 1540, transmitCount: 1, elementCount: el.count, sampleCount: S, samples, transmitDelaysS: new Float64Array(el.count) };
  const plan = buildDasPlan(el, grid, { ...base, t0S: 0 }, { ...DEFAULT_APODIZATION, window: 'boxcar' });
  t.deepEqual([plan.apertureFirst[0], plan.apertureLast[0]], [e, e]);
  const positionAtT0 = plan.transmitSamples[0]![0]! + Math.hypot(el.xM[e]! - el.xM[e]!, zM - el.zM[e]!) * plan.samplesPerMetre;
  for (const fraction of [0.05, 0.2, 0.24, 0.6]) {
    const frame = { ...base, t0S: (positionAtT0 - fraction) / fs };
    const js = new Beamformer(probe, grid, { window: 'boxcar' }).beamform(frame).envelope[0]!;
    await withAndWithoutTable(probe, grid, { window: 'boxcar', threads: 1 }, (tabled, computed) => {
      for (const [name, fast] of [['delay table', tabled], ['computed', computed]] as const) {
        const v = fast.beamform(frame).envelope[0]!;
        t.true(js > 1 && Math.abs(v - js) < 2e-3 * js, `position ${fraction} sample: fast ${v}, JS ${js}, positions ${name}`);
      }
      t.true(tabled.delayTableBytes > 0);
    });
  }
});
