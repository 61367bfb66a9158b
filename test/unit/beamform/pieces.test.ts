import test from 'ava';
import { butterworthLowPass, IqDemodulator } from '../../../pipeline/beamform/iq.js';
import { apertureExtentEl, inReceiveAperture, windowWeight } from '../../../pipeline/beamform/apodization.js';
import { elementGeometry } from '../../../pipeline/beamform/probe-geometry.js';
import { imageGeometryOf, pixelPositions, probeScanGrid } from '../../../pipeline/beamform/grid.js';
import { transmitArrivalTimesS } from '../../../pipeline/beamform/delay-models.js';
import { Beamformer } from '../../../pipeline/beamform/beamformer.js';
import { C5_2V, L11_5V } from '../../../drivers/sim/physics/probes.js';
import { RfModel } from '../../../drivers/sim/physics/rf-model.js';
import { staticScene } from '../../../drivers/sim/physics/scene.js';

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;

test('Butterworth design equals scipy.signal.butter', (t) => {
  const { b, a } = butterworthLowPass(5, 0.5);
  [0.0527864, 0.26393202, 0.52786405, 0.52786405, 0.26393202, 0.0527864].forEach((v, i) => t.true(close(b[i]!, v, 1e-8), `b[${i}]`));
  [1, 0, 0.633436854, 0, 0.05572809, 0].forEach((v, i) => t.true(close(a[i]!, v, 1e-8), `a[${i}]`));
  const low = butterworthLowPass(5, 0.3);
  [1, -1.97590162, 2.01347303, -1.10261798, 0.32761833, -0.04070949].forEach((v, i) => t.true(close(low.a[i]!, v, 1e-8), `a(0.3)[${i}]`));
});

test('I/Q demodulation equals 2·filtfilt(butter(5, 0.5), rf·exp(-2jπ fc t)) of scipy, edges included', (t) => {
  const n = 200;
  const rf = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * Math.exp(-((i - 80) ** 2) / 400) + 0.1 * Math.cos(i * 0.31));
  const iq = new Float64Array(2 * n);
  new IqDemodulator(n, 4e6, 1e6, 0).demodulate(rf, 0, iq, 0);
  // Values from scipy 1.10 for the same signal.
  const expected: Array<[number, number, number]> = [
    [0, 0.19995145498275002, -0.00014945741224597887],
    [50, 0.1429754629982222, -0.11430835943242151],
    [80, -0.42703595067176764, -0.8820153768194867],
    [199, -0.0003084571740462399, 0.08330777745732966],
  ];
  for (const [s, re, im] of expected) t.true(close(iq[2 * s]!, re, 1e-12) && close(iq[2 * s + 1]!, im, 1e-12), `sample ${s}`);
});

test('apodization windows: boxcar, hann and tukey over u ∈ [-1, 1]', (t) => {
  t.is(windowWeight('boxcar', 0.99), 1);
  t.is(windowWeight('boxcar', 1.01), 0);
  t.is(windowWeight('hann', 0), 1);
  t.true(close(windowWeight('hann', 1), 0, 1e-15) && close(windowWeight('hann', 0.5), 0.5, 1e-15));
  t.is(windowWeight('tukey', 0.4, 0.5), 1);
  t.true(close(windowWeight('tukey', 0.75, 0.5), 0.5, 1e-15));
});

test('receive aperture: the analytic extent agrees with the reference f-number rule', (t) => {
  for (const probe of [C5_2V, L11_5V]) {
    const el = elementGeometry(probe.geometry);
    const grid = probeScanGrid(probe.geometry, 0.08, { colCount: 17, rowCount: 23 });
    const { xM, zM } = pixelPositions(grid);
    let checked = 0;
    for (let p = 0; p < xM.length; p++) {
      if (grid.kind === 'polar' && Math.floor(p / grid.colCount) === 0) continue; // the array surface
      const { centreEl, halfWidthEl } = apertureExtentEl(el, xM[p]!, zM[p]!, 1.5);
      for (let e = 0; e < el.count; e++) {
        const d = Math.abs(e - centreEl);
        if (Math.abs(d - halfWidthEl) < 0.05) continue; // too close to the edge to call
        t.is(inReceiveAperture(el, e, xM[p]!, zM[p]!, 1.5), d < halfWidthEl, `${probe.model} pixel ${p} element ${e}`);
        checked++;
      }
    }
    t.true(checked > 1000);
  }
});

test('scan grid of a convex probe: r from R to R + depth, θ over the element angles; pixels on the arc', (t) => {
  const grid = probeScanGrid(C5_2V.geometry, 0.12, { colCount: 128, rowCount: 400 });
  const el = elementGeometry(C5_2V.geometry);
  t.like(imageGeometryOf(grid), { kind: 'polar', rMinM: 0.04957, thetaMinRad: el.normalAngleRad[0], thetaMaxRad: el.normalAngleRad[127], apothemM: el.apothemM });
  t.true(grid.kind === 'polar' && close(grid.rMaxM, 0.04957 + 0.12, 1e-15));
  const { xM, zM } = pixelPositions(grid);
  // Row 0 lies on the array: column j at the angle of element j (both 128 evenly spaced).
  t.true(close(xM[0]!, el.xM[0]!, 1e-12) && close(zM[0]!, el.zM[0]!, 1e-12) && close(xM[127]!, el.xM[127]!, 1e-12));
  const lin = probeScanGrid(L11_5V.geometry, 0.04);
  t.like(lin, { kind: 'cartesian', xMinM: el.xM[0]! * 0 + elementGeometry(L11_5V.geometry).xM[0]!, zMinM: 0, zMaxM: 0.04 });
});

test('transmit arrival: T_tx of a plane wave is (x sin a + z cos a)/c plus the delay offset in the insonified zone', (t) => {
  const el = elementGeometry(L11_5V.geometry);
  const a = 0.1;
  const delays = Float64Array.from(el.xM, (x) => (x - el.xM[0]!) * Math.sin(a) / 1540);
  const px = [0, 0.004];
  const pz = [0.02, 0.03];
  const [tx] = transmitArrivalTimesS({ xM: px, zM: pz }, el, delays, 1, 1540);
  for (let p = 0; p < 2; p++) {
    const analytic = (px[p]! * Math.sin(a) + pz[p]! * Math.cos(a) - el.xM[0]! * Math.sin(a)) / 1540;
    // Discrete elements: within one pitch of path (0.3 mm · sin a) of the continuous wavefront.
    t.true(Math.abs(tx![p]! - analytic) < (0.3e-3 * Math.sin(a) * Math.sin(a)) / 1540 + 1e-12, `pixel ${p}`);
  }
});

test('Beamformer: the plan is cached per transmit sequence and rebuilt when the delays change', (t) => {
  const model = new RfModel(C5_2V, { noiseDbBelowFullScale: Infinity });
  const scene = staticScene([{ xM: 0, zM: 0.04, amplitude: 10 }]);
  const grid = probeScanGrid(C5_2V.geometry, 0.05, { colCount: 32, rowCount: 64 });
  const bf = new Beamformer(C5_2V.geometry, grid);
  model.configure({ depthM: 0.05, gainDb: 0, transmits: { kind: 'diverging', parameters: [0] } });
  const f1 = model.simulate(scene, 0);
  t.true(bf.beamform(f1).timingsMs.plan > 0);
  const again = bf.beamform(model.simulate(scene, 0.1));
  t.is(again.timingsMs.plan, 0);
  model.configure({ depthM: 0.05, gainDb: 0, transmits: { kind: 'diverging', parameters: [0.005] } });
  t.true(bf.beamform(model.simulate(scene, 0)).timingsMs.plan > 0);
  t.is(bf.planFor(f1).inputs.transmitCount, 1);
  t.throws(() => bf.beamform({ ...f1, elementCount: 64 }), { message: /64 elements but the probe has 128/ });
  t.deepEqual(again.geometry, imageGeometryOf(grid));
});
