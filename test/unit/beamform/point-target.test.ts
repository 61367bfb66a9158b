import test from 'ava';
import { RfModel } from '../../../drivers/sim/physics/rf-model.js';
import { C5_2V, L11_5V, type ProbeModel } from '../../../drivers/sim/physics/probes.js';
import { staticScene } from '../../../drivers/sim/physics/scene.js';
import type { TransmitSequence } from '../../../drivers/protocol/messages.js';
import { Beamformer } from '../../../pipeline/beamform/beamformer.js';
import type { ScanGrid } from '../../../pipeline/beamform/grid.js';
import type { ApodizationWindow } from '../../../pipeline/beamform/apodization.js';

interface PointResult {
  errorXMm: number;
  errorZMm: number;
  lateralFwhmMm: number;
}

/**
 * Simulates one point scatterer and beamforms a 0.05 mm Cartesian patch around it with the
 * given transmits compounded; returns the peak's offset from the truth and the lateral -6 dB width.
 */
function imagePoint(probe: ProbeModel, transmits: TransmitSequence, xM: number, zM: number, depthM: number, window: ApodizationWindow = 'boxcar'): Map<string, PointResult> {
  const model = new RfModel(probe, { noiseDbBelowFullScale: Infinity });
  model.configure({ depthM, gainDb: 0, transmits });
  const frame = model.simulate(staticScene([{ xM, zM, amplitude: 30 }]), 0);
  const half = 3e-3;
  const step = 0.05e-3;
  const n = Math.round((2 * half) / step) + 1;
  const grid: ScanGrid = { kind: 'cartesian', xMinM: xM - half, xMaxM: xM + half, zMinM: zM - half, zMaxM: zM + half, rowCount: n, colCount: n };
  const bf = new Beamformer(probe.geometry, grid, { window });
  const results = new Map<string, PointResult>();
  const central = Math.floor(transmits.parameters.length / 2);
  for (const [label, indices] of [['single', [central]], ['compound', transmits.parameters.map((_, i) => i)]] as const) {
    const env = bf.beamform(frame, { transmitIndices: indices }).envelope;
    let peak = 0;
    let at = 0;
    env.forEach((v, i) => {
      if (v > peak) {
        peak = v;
        at = i;
      }
    });
    const row = Math.floor(at / n);
    const col = at % n;
    let lo = col;
    let hi = col;
    while (lo > 0 && env[row * n + lo - 1]! >= peak / 2) lo--;
    while (hi < n - 1 && env[row * n + hi + 1]! >= peak / 2) hi++;
    results.set(label, {
      errorXMm: (grid.xMinM + col * step - xM) * 1e3,
      errorZMm: (grid.zMinM + row * step - zM) * 1e3,
      lateralFwhmMm: (hi - lo + 1) * step * 1e3,
    });
  }
  return results;
}

const cases: Array<{ name: string; probe: ProbeModel; transmits: TransmitSequence; x: number; z: number; depth: number }> = [
  { name: 'convex C5-2v, 3 diverging waves', probe: C5_2V, transmits: { kind: 'diverging', parameters: [-0.01, 0, 0.01] }, x: 0.008, z: 0.06, depth: 0.08 },
  { name: 'convex C5-2v, off-axis and deep', probe: C5_2V, transmits: { kind: 'diverging', parameters: [-0.01, 0, 0.01] }, x: -0.025, z: 0.1, depth: 0.12 },
  { name: 'linear L11-5v, 3 plane waves', probe: L11_5V, transmits: { kind: 'plane', parameters: [-0.12, 0, 0.12] }, x: 0.003, z: 0.02, depth: 0.04 },
];

for (const c of cases) {
  test(`${c.name}: a simulated point scatterer is beamformed at its true position; compounding narrows it`, (t) => {
    const r = imagePoint(c.probe, c.transmits, c.x, c.z, c.depth);
    const single = r.get('single')!;
    const compound = r.get('compound')!;
    t.log(`single ${JSON.stringify(single)}, compound ${JSON.stringify(compound)}`);
    for (const p of [single, compound]) {
      t.true(Math.hypot(p.errorXMm, p.errorZMm) <= 0.5, `peak ${p.errorXMm.toFixed(2)}, ${p.errorZMm.toFixed(2)} mm from the truth`);
    }
    t.true(compound.lateralFwhmMm < single.lateralFwhmMm, `lateral FWHM ${compound.lateralFwhmMm} mm (3 tx) vs ${single.lateralFwhmMm} mm (1 tx)`);
  });
}

test('windowed receive apodization (hann, tukey) keeps the point in place and widens the main lobe a little', (t) => {
  const c = cases[2]!;
  const boxcar = imagePoint(c.probe, c.transmits, c.x, c.z, c.depth).get('compound')!;
  for (const window of ['hann', 'tukey'] as const) {
    const r = imagePoint(c.probe, c.transmits, c.x, c.z, c.depth, window).get('compound')!;
    t.true(Math.hypot(r.errorXMm, r.errorZMm) <= 0.5, `${window}: peak ${r.errorXMm}, ${r.errorZMm} mm from the truth`);
    t.true(r.lateralFwhmMm >= boxcar.lateralFwhmMm, `${window}: FWHM ${r.lateralFwhmMm} mm vs boxcar ${boxcar.lateralFwhmMm} mm`);
  }
});
