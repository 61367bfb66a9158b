import test from 'ava';
import { C5_2V, L11_5V } from '../../../drivers/sim/physics/probes.js';
import { foundationLungScene } from '../../../drivers/sim/physics/foundation-scene.js';
import { allocateScatterers, MovingScatterers, staticScene } from '../../../drivers/sim/physics/scene.js';
import { elementGeometry } from '../../../pipeline/beamform/probe-geometry.js';

function layerRange(scene: ReturnType<typeof foundationLungScene>, name: string): [number, number] {
  let offset = 0;
  for (const layer of scene.layers) {
    if (layer.name === name) return [offset, offset + layer.count];
    offset += layer.count;
  }
  throw new Error(`no layer ${name}`);
}

test('foundation scene: the layers of a lung view, deterministic per seed', (t) => {
  const a = foundationLungScene(C5_2V.geometry, { depthM: 0.12, seed: 3 });
  const b = foundationLungScene(C5_2V.geometry, { depthM: 0.12, seed: 3 });
  const c = foundationLungScene(C5_2V.geometry, { depthM: 0.12, seed: 4 });
  t.deepEqual(a.layers.map((l) => l.name), ['chest-wall', 'pleura', 'lung-texture', 'chest-wall-points', 'lung-points']);
  t.deepEqual(a.scatterersAt(0.3), b.scatterersAt(0.3));
  t.notDeepEqual(Array.from(a.scatterersAt(0).x.subarray(0, 50)), Array.from(c.scatterersAt(0).x.subarray(0, 50)));
  // Budget for the ≤ ~50 ms/frame target (docs/simulator.md).
  t.true(a.count > 3000 && a.count < 6000, `${a.count} scatterers`);
});

test('foundation scene: a pleural line 25 mm below the apex, chest wall above it, lung below it', (t) => {
  const scene = foundationLungScene(C5_2V.geometry, { depthM: 0.12, seed: 1 });
  const el = elementGeometry(C5_2V.geometry);
  const apexZ = C5_2V.geometry.radiusM - el.apothemM;
  const set = scene.scatterersAt(0);
  const [p0, p1] = layerRange(scene, 'pleura');
  for (let i = p0; i < p1; i++) t.true(Math.abs(set.z[i]! - (apexZ + 0.025)) < 0.1e-3);
  const [w0, w1] = layerRange(scene, 'chest-wall');
  for (let i = w0; i < w1; i++) t.true(set.z[i]! < apexZ + 0.025);
  const [l0, l1] = layerRange(scene, 'lung-texture');
  for (let i = l0; i < l1; i++) t.true(set.z[i]! > apexZ + 0.025);
});

test('breathing: the lung slides laterally, the chest wall moves only axially and not at the skin', (t) => {
  const scene = foundationLungScene(L11_5V.geometry, { depthM: 0.04, seed: 1, slidingAmplitudeM: 2e-3, axialAmplitudeM: 0.5e-3 });
  const at = (time: number) => {
    const s = scene.scatterersAt(time);
    return { x: Float32Array.from(s.x), z: Float32Array.from(s.z) };
  };
  const rest = at(0);
  const peak = at(1); // a quarter of the default 4 s breath: full displacement
  const [l0, l1] = layerRange(scene, 'lung-texture');
  for (let i = l0; i < l1; i += 37) {
    t.true(Math.abs(peak.x[i]! - rest.x[i]! - 2e-3) < 1e-6);
    t.true(Math.abs(peak.z[i]! - rest.z[i]! - 0.5e-3) < 1e-6);
  }
  const [w0, w1] = layerRange(scene, 'chest-wall');
  for (let i = w0; i < w1; i += 37) {
    t.is(peak.x[i], rest.x[i]);
    const dz = peak.z[i]! - rest.z[i]!;
    const expected = 0.5e-3 * Math.min(1, rest.z[i]! / 0.015);
    t.true(Math.abs(dz - expected) < 1e-6, `axial motion grows with depth: ${dz} vs ${expected}`);
  }
});

test('layered scenes can be extended with new layers (the extension point for ribs, A-lines, B-lines)', (t) => {
  const base = staticScene([{ xM: 0, zM: 0.02 }]);
  const extra = allocateScatterers(2);
  extra.x.set([0.001, 0.002]);
  extra.z.set([0.03, 0.04]);
  extra.amplitude.set([2, 3]);
  const scene = base.withLayers(new MovingScatterers('b-line', extra));
  const set = scene.scatterersAt(0);
  t.is(set.count, 3);
  t.deepEqual(Array.from(set.amplitude), [1, 2, 3]);
  t.is(base.count, 1, 'the original scene is unchanged');
});
