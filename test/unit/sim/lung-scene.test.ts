import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { C5_2V, L11_5V } from '../../../drivers/sim/physics/probes.js';
import { LungScene } from '../../../drivers/sim/scene/lung-scene.js';
import { loadScene } from '../../../drivers/sim/scene/load.js';
import { PRESET_NAMES, presetScene } from '../../../drivers/sim/scene/presets.js';
import { parseSceneSpec, SceneSpecError } from '../../../drivers/sim/scene/spec.js';
import { frameTruth } from '../../../drivers/sim/scene/truth.js';

const snapshot = (s: { count: number; x: Float32Array; z: Float32Array; amplitude: Float32Array }) => ({
  x: Array.from(s.x.subarray(0, s.count)),
  z: Array.from(s.z.subarray(0, s.count)),
  a: Array.from(s.amplitude.subarray(0, s.count)),
});

test('every preset is a valid scene, builds under both probes and has truth consistent with itself', (t) => {
  for (const name of PRESET_NAMES) {
    const spec = presetScene(name);
    t.is(spec.name, name);
    for (const probe of [C5_2V, L11_5V]) {
      const depthM = probe === C5_2V ? 0.12 : 0.04;
      const scene = new LungScene(probe.geometry, spec, { depthM, seed: 2 });
      const set = scene.scatterersAt(0.7);
      t.true(set.count > 1000 && set.count <= scene.capacity, `${name}/${probe.model}: ${set.count} scatterers`);
      for (let i = 0; i < set.count; i++) if (!Number.isFinite(set.x[i]!) || !Number.isFinite(set.z[i]!) || !Number.isFinite(set.amplitude[i]!)) t.fail(`${name}: scatterer ${i} not finite`);
      const truth = frameTruth(scene, 0.7, 21, probe.model);
      t.is(truth.scene, name);
      t.is(truth.frameIndex, 21);
      t.true(Math.abs(truth.pleura.depthMm - spec.chestWall.pleuraDepthMm) < 1.5, `${name}: pleura at ${truth.pleura.depthMm} mm`);
    }
  }
});

test('a scene is deterministic per seed and periodic in one breath (a cached loop closes without a jump)', (t) => {
  const spec = presetScene('b-lines-3');
  const a = new LungScene(C5_2V.geometry, spec, { depthM: 0.1, seed: 4 });
  const b = new LungScene(C5_2V.geometry, spec, { depthM: 0.1, seed: 4 });
  const c = new LungScene(C5_2V.geometry, spec, { depthM: 0.1, seed: 5 });
  t.deepEqual(snapshot(a.scatterersAt(1.3)), snapshot(b.scatterersAt(1.3)));
  t.notDeepEqual(snapshot(a.scatterersAt(1.3)).x.slice(0, 100), snapshot(c.scatterersAt(1.3)).x.slice(0, 100));
  const period = a.motion.periodS;
  t.is(period, 4);
  const first = snapshot(a.scatterersAt(0.25));
  const again = snapshot(a.scatterersAt(0.25 + period));
  const maxDiff = first.x.reduce((m, x, i) => Math.max(m, Math.abs(x - again.x[i]!), Math.abs(first.z[i]! - again.z[i]!)), 0);
  t.true(maxDiff < 1e-6, `one breath later the scene is where it was (max ${maxDiff} m)`);
  t.notDeepEqual(snapshot(a.scatterersAt(0.25)).x, snapshot(a.scatterersAt(1.25)).x, 'and it moves within the breath');
});

test('lung sliding moves B-lines with the lung; a pneumothorax has no B-lines, no sliding, no lung pulse', (t) => {
  const scene = new LungScene(C5_2V.geometry, presetScene('b-lines-3'), { depthM: 0.12, seed: 1 });
  const atRest = frameTruth(scene, 0, 0, 'C5-2v');
  const inspired = frameTruth(scene, 1, 1, 'C5-2v'); // sin(2π·1/4) = 1: full excursion
  t.is(atRest.bLines.count, 3);
  const moved = inspired.bLines.lines.map((l, i) => l.xMm - atRest.bLines.lines[i]!.xMm - (inspired.motion.handLateralMm - atRest.motion.handLateralMm));
  for (const m of moved) t.true(Math.abs(m - 2.5) < 0.6, `B-line moved ${m.toFixed(2)} mm with a 2.5 mm slide`);
  const ptx = frameTruth(new LungScene(C5_2V.geometry, presetScene('pneumothorax'), { depthM: 0.12, seed: 1 }), 1, 0, 'C5-2v');
  t.like(ptx, { sliding: 'absent', lungPulse: false, bLines: { count: 0 }, aLines: { present: true } });
  const point = frameTruth(new LungScene(C5_2V.geometry, presetScene('lung-point'), { depthM: 0.12, seed: 1 }), 1, 0, 'C5-2v');
  t.is(point.sliding, 'lung-point');
  t.true(point.lungPointXMm !== null && Math.abs(point.lungPointXMm - 9) < 1, `lung point at ${point.lungPointXMm} mm (3 + 6 at full inspiration)`);
});

test('ribs: bright surface, and the RF model is told what lies in their shadow', (t) => {
  const scene = new LungScene(C5_2V.geometry, presetScene('normal'), { depthM: 0.12, seed: 1 });
  scene.scatterersAt(0);
  const occluder = scene.occluderAt(0)!;
  t.truthy(occluder);
  const truth = frameTruth(scene, 0, 0, 'C5-2v');
  t.is(truth.ribs.length, 2);
  const out = new Float64Array(128);
  const rib = truth.ribs[1]!;
  // Straight below the rib, deep: the elements above it are blocked; off to the side: nothing is.
  t.true(occluder.transmissionTo(rib.xMm / 1000 * 1.5, 0.07, out));
  t.true(Math.min(...out) < 0.05 && Math.max(...out) === 1, 'some elements blocked, others not');
  out.fill(1);
  occluder.transmissionTo(0, 0.07, out);
  t.true(out.subarray(32, 96).every((v) => v === 1), 'under the intercostal window the middle of the array sees clearly (only oblique paths from the ends cross the ribs)');
  t.true(truth.pleura.visibleXMm.some(([a, b]) => a < 0 && b > 0), 'the pleura is seen in the middle');
  t.true(rib.shadowXMm[0] < rib.xMm && rib.shadowXMm[1] > rib.xMm);
});

test('truth lists the lesions: consolidation and effusion outlines below the pleura', (t) => {
  const cons = frameTruth(new LungScene(C5_2V.geometry, presetScene('consolidation'), { depthM: 0.12, seed: 1 }), 0, 0, 'C5-2v');
  t.is(cons.consolidations.length, 1);
  const c = cons.consolidations[0]!;
  t.true(c.airBronchograms && c.maxDepthMm > 20 && c.maxDepthMm < 40, `consolidation ${c.maxDepthMm} mm deep`);
  t.true(c.outlineMm.every((p) => p.zMm >= cons.skinZMm + cons.pleura.depthMm - 2), 'below the pleura');
  const eff = frameTruth(new LungScene(C5_2V.geometry, presetScene('effusion'), { depthM: 0.12, seed: 1 }), 0, 0, 'C5-2v');
  t.truthy(eff.effusion);
  t.true(eff.effusion!.maxThicknessMm > 15 && eff.effusion!.maxThicknessMm < 40);
  t.false(eff.aLines.present, 'no A-lines through fluid');
});

test('scene files: validated with messages that name the field; presets by name; defaults for the rest', (t) => {
  const spec = parseSceneSpec({ name: 'mine', bLines: [{ atMm: 4 }], ribs: { atMm: [] } });
  t.is(spec.bLines[0]!.widthMm, 2.5);
  t.is(spec.chestWall.pleuraDepthMm, 22);
  const err = t.throws(() => parseSceneSpec({ bLines: [{ atMm: 'left' }], breathing: { ratePerMin: 90 } }), { instanceOf: SceneSpecError });
  t.regex(err!.message, /bLines/);
  t.regex(err!.message, /ratePerMin/);
  t.throws(() => parseSceneSpec({ colour: 'blue' }), { message: /colour/ });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-scene-'));
  try {
    const file = path.join(dir, 'two-lines.json');
    fs.writeFileSync(file, JSON.stringify({ bLines: [{ atMm: -3 }, { atMm: 6 }] }));
    t.is(loadScene(file).name, 'two-lines');
    t.is(loadScene('confluent').name, 'confluent');
    t.throws(() => loadScene(path.join(dir, 'missing.json')), { message: /neither a preset .* nor a JSON file/ });
    fs.writeFileSync(file, '{ not json');
    t.throws(() => loadScene(file), { message: /not valid JSON/ });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
