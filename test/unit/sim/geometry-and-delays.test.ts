import test from 'ava';
import { elementGeometry } from '../../../pipeline/beamform/probe-geometry.js';
import { C5_2V, L11_5V, probeModelByName } from '../../../drivers/sim/physics/probes.js';
import { transmitDelaysS } from '../../../drivers/sim/physics/transmit-delays.js';
import { datasetDir, probeOf, readJson, type ChannelsJson, type DatasetName } from '../beamform/rf-datasets.js';

const datasets: Array<{ name: DatasetName; model: typeof C5_2V }> = [
  { name: 'convex_dw_lung', model: C5_2V },
  { name: 'linear_pw_points', model: L11_5V },
];

for (const { name, model } of datasets) {
  test(`${model.model}: element positions and normals match ${name}/channels.json`, (t) => {
    const dir = datasetDir(t, name);
    if (!dir) return t.pass();
    const ch = readJson<ChannelsJson>(dir, 'channels.json');
    const el = elementGeometry(model.geometry);
    // The probe model is the dataset's probe (same spec values), so its geometry must agree too.
    t.deepEqual({ ...probeOf(ch) }, { ...model.geometry });
    // The datasets (PyMUST) space convex elements by a chord of one pitch, Δθ = 2 asin(p / 2R);
    // docs/probe-protocol.md by an arc of one pitch, Δθ = p / R. That differs by 2.9 µrad and
    // 0.11 µm at the end elements (2.6e-4 λ), far below anything an image can show.
    const positionTolM = 0.2e-6;
    const angleTolRad = 4e-6;
    let maxErr = 0;
    let maxAngleErr = 0;
    for (let e = 0; e < el.count; e++) {
      maxErr = Math.max(maxErr, Math.abs(el.xM[e]! - ch.probe.element_x_m[e]!), Math.abs(el.zM[e]! - ch.probe.element_z_m[e]!));
      maxAngleErr = Math.max(maxAngleErr, Math.abs(el.normalAngleRad[e]! - ch.probe.element_normal_angle_rad[e]!));
    }
    t.log(`max element position difference ${(maxErr * 1e6).toFixed(3)} µm, normal angle ${(maxAngleErr * 1e6).toFixed(2)} µrad`);
    t.true(maxErr < positionTolM, `max position error ${maxErr} m`);
    t.true(maxAngleErr < angleTolRad, `max normal-angle error ${maxAngleErr} rad`);
    if (model.geometry.kind === 'convex') t.true(Math.abs(el.apothemM - ch.probe.apothem_h_m!) < positionTolM);
  });

  test(`${model.model}: transmit delays match ${name}/channels.json delays_s`, (t) => {
    const dir = datasetDir(t, name);
    if (!dir) return t.pass();
    const ch = readJson<ChannelsJson>(dir, 'channels.json');
    const el = elementGeometry(model.geometry);
    const c = ch.acquisition.speed_of_sound_m_s;
    const transmits =
      model.geometry.kind === 'convex'
        ? { kind: 'diverging' as const, parameters: ch.acquisition.transmits.map((tx) => tx.virtual_source_m![0]) }
        : { kind: 'plane' as const, parameters: ch.acquisition.transmits.map((tx) => (tx.steering_angle_deg! * Math.PI) / 180) };
    const delays = transmitDelaysS(el, transmits, c);
    let maxErr = 0;
    ch.acquisition.transmits.forEach((tx, k) => {
      tx.delays_s.forEach((d, e) => (maxErr = Math.max(maxErr, Math.abs(delays[k * el.count + e]! - d))));
    });
    // f32 storage (~1e-12 s) plus the chord/arc element spacing above (3e-11 s on the convex
    // set, 4e-4 of a sample period).
    t.log(`max delay difference ${(maxErr * 1e12).toFixed(2)} ps`);
    t.true(maxErr < 5e-11, `max delay error ${maxErr} s`);
  });
}

test('convex geometry: elements on an arc around (0, -h), end elements on z = 0, apex at R - h', (t) => {
  const el = elementGeometry(C5_2V.geometry);
  const R = C5_2V.geometry.radiusM;
  for (let e = 0; e < el.count; e++) t.true(Math.abs(Math.hypot(el.xM[e]!, el.zM[e]! + el.apothemM) - R) < 1e-12);
  t.true(Math.abs(el.zM[0]!) < 1e-15 && Math.abs(el.zM[127]!) < 1e-15);
  t.true(Math.abs(el.xM[0]! + el.xM[127]!) < 1e-15, 'symmetric about x = 0');
  t.true(el.xM[1]! > el.xM[0]!, 'x increases from element 0');
  t.true(Math.abs(el.zM[64]! - (R - el.apothemM)) < 0.01e-3);
});

test('linear geometry: elements on z = 0 at (e - (N-1)/2)·pitch', (t) => {
  const el = elementGeometry(L11_5V.geometry);
  t.is(el.xM[0], -63.5 * 0.3e-3);
  t.is(el.xM[127], 63.5 * 0.3e-3);
  t.true(el.zM.every((z) => z === 0));
});

test('delay laws: minimum 0 per transmit; a positive plane-wave tilt fires the right-most element last; a centred diverging wave on a convex array fires all at once', (t) => {
  const lin = elementGeometry(L11_5V.geometry);
  const pw = transmitDelaysS(lin, { kind: 'plane', parameters: [0.1, -0.1] }, 1540);
  t.is(Math.min(...pw.subarray(0, 128)), 0);
  t.is(pw[0], 0);
  t.true(pw[127]! > 0 && Math.abs(pw[127]! - (lin.xM[127]! - lin.xM[0]!) * Math.sin(0.1) / 1540) < 1e-12);
  t.is(pw[128 + 127], 0);
  const cvx = elementGeometry(C5_2V.geometry);
  const dw = transmitDelaysS(cvx, { kind: 'diverging', parameters: [0] }, 1540);
  t.true(dw.every((d) => Math.abs(d) < 1e-15));
});

test('probe models: fs = 4 fc, looked up by name', (t) => {
  t.is(C5_2V.geometry.samplingRateHz, 4 * C5_2V.geometry.centerFrequencyHz);
  t.is(L11_5V.geometry.samplingRateHz, 4 * L11_5V.geometry.centerFrequencyHz);
  t.is(probeModelByName('c5-2v'), C5_2V);
  t.throws(() => probeModelByName('P4-2v'), { message: /unknown probe model "P4-2v"; known: C5-2v, L11-5v/ });
});
