import test from 'ava';
import { Beamformer } from '../../../pipeline/beamform/beamformer.js';
import { probeScanGrid } from '../../../pipeline/beamform/grid.js';
import { OnnxBeamformer } from '../../../pipeline/beamform/onnx/onnx-beamformer.js';
import { compareEnvelopes } from '../../../pipeline/metrics/agreement.js';
import type { ApodizationWindow } from '../../../pipeline/beamform/apodization.js';
import { pointsAndSpeckle, SMALL_CONVEX, SMALL_LINEAR, syntheticFrame } from './synthetic-rf.js';

// The GPU path's graph, run on onnxruntime's CPU provider, against the JS beamformer.
const cases = [
  {
    name: 'convex, diverging waves',
    probe: SMALL_CONVEX,
    frame: syntheticFrame(SMALL_CONVEX, pointsAndSpeckle([-0.02, 0.02], [0.005, 0.04], 200, [{ xM: 0.002, zM: 0.02, amplitude: 20 }]), 800),
    grid: probeScanGrid(SMALL_CONVEX, 0.04, { colCount: 40, rowCount: 80 }),
  },
  {
    name: 'linear, plane waves',
    probe: SMALL_LINEAR,
    frame: syntheticFrame(SMALL_LINEAR, pointsAndSpeckle([-0.008, 0.008], [0.003, 0.02], 200, [{ xM: 0.001, zM: 0.012, amplitude: 20 }]), 900),
    grid: probeScanGrid(SMALL_LINEAR, 0.02, { colCount: 40, rowCount: 80 }),
  },
];

for (const c of cases) {
  for (const window of ['boxcar', 'hann'] as ApodizationWindow[]) {
    test(`ONNX DAS graph (${c.name}, ${window}) on the CPU provider gives the JS image`, async (t) => {
      const onnx = new OnnxBeamformer(c.probe, c.grid, { window, providers: ['cpu'] });
      try {
        const js = new Beamformer(c.probe, c.grid, { window });
        for (const transmitIndices of [[0, 1, 2], [1]]) {
          const image = await onnx.beamform(c.frame, { transmitIndices });
          t.is(image.provider, 'cpu');
          const { pearson, maxAbsDiff } = compareEnvelopes(image.envelope, js.beamform(c.frame, { transmitIndices }).envelope);
          // The graph evaluates cos/sin exactly where the JS kernel uses a 1/1024-sample table.
          t.true(pearson > 0.99999 && maxAbsDiff < 2e-3, `transmits ${transmitIndices}: r = ${pearson}, max ${maxAbsDiff}`);
        }
        t.log(`model ${(onnx.info!.modelBytes / 1024).toFixed(0)} KiB, aperture ${onnx.info!.aperture}`);
      } finally {
        await onnx.close();
      }
    });
  }
}
