/**
 * Tests that measure physics (issue "Lung acoustics simulator", item 7): timing, resolution,
 * reverberation geometry, B-line counting, lung sliding in M-mode and speckle statistics, each
 * measured on simulated channel data beamformed by the project's own beamformer.
 */
import test from 'ava';
import { Beamformer } from '../../../pipeline/beamform/beamformer.js';
import type { ScanGrid } from '../../../pipeline/beamform/grid.js';
import { RfModel } from '../../../drivers/sim/physics/rf-model.js';
import { C5_2V, L11_5V } from '../../../drivers/sim/physics/probes.js';
import { allocateScatterers, LayeredScene, MovingScatterers, staticScene } from '../../../drivers/sim/physics/scene.js';
import { SeededRandom } from '../../../drivers/sim/physics/random.js';
import { FrameRenderer } from '../../../drivers/sim/render.js';
import { LungScene } from '../../../drivers/sim/scene/lung-scene.js';
import { presetScene, type PresetName } from '../../../drivers/sim/scene/presets.js';
import { parseSceneSpec, type SceneSpecInput } from '../../../drivers/sim/scene/spec.js';
import { frameTruth } from '../../../drivers/sim/scene/truth.js';
import { countBLines, envelopePeaks, mModeTexture } from './image-analysis.js';

const DW3 = { kind: 'diverging' as const, parameters: [-0.01, 0, 0.01] };

test('a point target echo arrives at its round-trip time T_tx + |p − e|/c, within one sample', (t) => {
  const model = new RfModel(C5_2V, { noiseDbBelowFullScale: Infinity });
  // An off-centre virtual source and an off-axis point: the general case of the delay law.
  model.configure({ depthM: 0.08, gainDb: 0, transmits: { kind: 'diverging', parameters: [0.01] } });
  const p = { xM: 0.006, zM: 0.05 };
  const frame = model.simulate(staticScene([{ ...p, amplitude: 20 }]), 0);
  const el = model.elements;
  const c = 1540;
  let tx = Infinity;
  for (let i = 0; i < el.count; i++) tx = Math.min(tx, frame.transmitDelaysS[i]! + Math.hypot(p.xM - el.xM[i]!, p.zM - el.zM[i]!) / c);
  let worst = 0;
  for (const e of [10, 64, 100, 127]) {
    const rx = Math.hypot(p.xM - el.xM[e]!, p.zM - el.zM[e]!) / c;
    const expected = (tx + rx) * frame.samplingRateHz;
    const ch = frame.samples.subarray(e * frame.sampleCount, (e + 1) * frame.sampleCount);
    const peak = envelopePeaks(ch, 1)[0]!;
    worst = Math.max(worst, Math.abs(peak - expected));
    t.true(Math.abs(peak - expected) <= 1, `element ${e}: echo at sample ${peak.toFixed(2)}, round trip ${expected.toFixed(2)}`);
  }
  t.log(`largest difference from the round-trip time: ${worst.toFixed(3)} samples`);
});

test('a point target is as wide as theory says: lateral −6 dB width ≈ λ·F# (within 20 %)', (t) => {
  // Linear probe, boxcar receive aperture at F# = 1.5, no attenuation (λ is the transmitted one).
  // Receive focusing alone (one plane wave): amplitude sinc → −6 dB width 1.21 λF#. With plane
  // waves compounded over the same F# (±18.4°), the transmit focuses as well: sinc² → 0.89 λF#.
  const probe = L11_5V;
  const fNumber = 1.5;
  const lambdaF = (1540 / probe.geometry.centerFrequencyHz) * fNumber;
  const widthFor = (anglesRad: number[]): number => {
    const model = new RfModel(probe, { noiseDbBelowFullScale: Infinity, attenuationDbPerCmMhz: 0 });
    model.configure({ depthM: 0.03, gainDb: 0, transmits: { kind: 'plane', parameters: anglesRad } });
    const z = 0.02;
    const frame = model.simulate(staticScene([{ xM: 0, zM: z, amplitude: 30 }]), 0);
    const n = 161;
    const grid: ScanGrid = { kind: 'cartesian', xMinM: -2e-3, xMaxM: 2e-3, zMinM: z, zMaxM: z + 0.025e-3, rowCount: 2, colCount: n };
    const row = new Beamformer(probe.geometry, grid, { window: 'boxcar', fNumber }).beamform(frame).envelope.subarray(0, n);
    const peak = Math.max(...row);
    return Array.from(row).filter((v) => v >= peak / 2).length * (4e-3 / (n - 1));
  };
  const maxAngle = Math.atan(1 / (2 * fNumber));
  const cases = [
    { label: 'one plane wave', angles: [0], theory: 1.21 * lambdaF },
    { label: '15 plane waves over ±18.4°', angles: Array.from({ length: 15 }, (_, i) => (i / 7 - 1) * maxAngle), theory: 0.89 * lambdaF },
  ];
  for (const c of cases) {
    const w = widthFor(c.angles);
    t.log(`${c.label}: −6 dB width ${(w * 1e3).toFixed(3)} mm = ${(w / lambdaF).toFixed(2)} λF#; theory ${(c.theory * 1e3).toFixed(3)} mm`);
    t.true(Math.abs(w / c.theory - 1) <= 0.2, `${c.label}: ${(w * 1e3).toFixed(3)} mm vs ${(c.theory * 1e3).toFixed(3)} mm`);
    t.true(w > 0.8 * 0.89 * lambdaF && w < 1.2 * 1.21 * lambdaF, 'of the order of λF#');
  }
});

/** A lung preset on the C5-2v as the kiosk shows it by default: 3 diverging waves, 120 mm. */
function kioskFrame(name: PresetName | SceneSpecInput, timeS = 1, seed = 1, depthM = 0.12) {
  const spec = typeof name === 'string' ? presetScene(name) : parseSceneSpec(name);
  const scene = new LungScene(C5_2V.geometry, spec, { depthM, seed });
  const model = new RfModel(C5_2V, { seed, noiseDbBelowFullScale: 95, frequencyDownshift: true });
  model.configure({ depthM, gainDb: 0, transmits: DW3 });
  const frame = model.simulate(scene, timeS);
  const renderer = new FrameRenderer(C5_2V.geometry, depthM);
  return { scene, frame, rendered: renderer.render(frame), truth: frameTruth(scene, timeS, 0, 'C5-2v'), grid: renderer.beamformer.grid };
}

test('A-lines repeat the pleura at multiples of the skin–pleura distance', (t) => {
  const { rendered, truth, grid } = kioskFrame('normal');
  // Centre scan lines (the beam straight down), averaged; depth below the face = r − R.
  const rows = grid.rowCount;
  const cols = grid.colCount;
  const dr = (grid.kind === 'polar' ? grid.rMaxM - grid.rMinM : 0) / (rows - 1);
  const profile = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let c = cols / 2 - 4; c < cols / 2 + 4; c++) profile[r]! += rendered.beamformed.envelope[r * cols + c]! / 8;
  const pleura = truth.pleura.depthMm / 1000;
  const peakNear = (depthM: number): number => {
    let best = -1;
    let at = 0;
    for (let r = Math.round((depthM - 4e-3) / dr); r <= Math.round((depthM + 4e-3) / dr); r++) {
      if (r > 0 && r < rows && profile[r]! > best) {
        best = profile[r]!;
        at = r;
      }
    }
    return at * dr;
  };
  const p1 = peakNear(pleura);
  const a2 = peakNear(2 * pleura);
  const a3 = peakNear(3 * pleura);
  t.log(`pleura ${(p1 * 1e3).toFixed(2)} mm (truth ${truth.pleura.depthMm}), A-lines at ${(a2 * 1e3).toFixed(2)}, ${(a3 * 1e3).toFixed(2)} mm; truth ${truth.aLines.depthsMm.join(', ')}`);
  t.true(Math.abs(p1 - pleura) < 0.5e-3, 'the pleura where the scene put it');
  t.true(Math.abs(a2 - a3 + p1) < 1e-3 && Math.abs(a2 - 2 * p1) < 1e-3, `A-line spacing ${((a2 - p1) * 1e3).toFixed(2)} and ${((a3 - a2) * 1e3).toFixed(2)} mm = skin–pleura ${(p1 * 1e3).toFixed(2)} mm`);
  // And they stand out: brighter than the reverberation haze halfway between them.
  const at = (d: number): number => profile[Math.round(d / dr)]!;
  t.true(at(a2) > 4 * at(1.5 * pleura) && at(a3) > 4 * at(2.5 * pleura), 'A-lines are bright bands, not haze');
  t.deepEqual(truth.aLines.depthsMm.slice(0, 2).map((d) => Math.round(d)), [Math.round(2 * truth.pleura.depthMm), Math.round(3 * truth.pleura.depthMm)]);
});

test('the B-lines counted by a column-intensity analysis of the image match the ground truth', (t) => {
  for (const name of ['normal', 'b-lines-3', 'b-lines-6'] as const) {
    const { rendered, truth, grid } = kioskFrame(name, 0.6, 3);
    const found = countBLines(rendered.beamformed.envelope, grid, truth.pleura.depthMm / 1000);
    t.log(`${name}: ${found.length} found at θ = ${found.map((a) => a.toFixed(3)).join(', ')}; truth ${truth.bLines.count} at ${truth.bLines.lines.map((l) => l.angleRad).join(', ')}`);
    t.is(found.length, truth.bLines.count, name);
    for (const line of truth.bLines.lines) t.true(found.some((a) => Math.abs(a - line.angleRad) < 0.03), `${name}: a B-line found near θ = ${line.angleRad}`);
  }
});

test('an M-mode line through the pleura separates lung sliding (seashore) from none (barcode) by its texture', (t) => {
  // A cheap acquisition: one diverging wave, 60 mm, a thin speckle density, and a narrow polar
  // patch around the centre line beamformed over 2 s at 16 Hz.
  const depthM = 0.06;
  const stat = (sliding: 'present' | 'absent'): { below: number; above: number } => {
    const spec = parseSceneSpec({ sliding, ribs: { atMm: [] }, chestWall: { scatterersPerMm2: 0.8 } });
    const scene = new LungScene(C5_2V.geometry, spec, { depthM, seed: 5 });
    const model = new RfModel(C5_2V, { seed: 5, noiseDbBelowFullScale: 95, frequencyDownshift: true });
    model.configure({ depthM, gainDb: 0, transmits: { kind: 'diverging', parameters: [0] } });
    const R = C5_2V.geometry.radiusM;
    const grid: ScanGrid = { kind: 'polar', rMinM: R, rMaxM: R + depthM, thetaMinRad: -0.01, thetaMaxRad: 0.01, apothemM: scene.geometry.frame.apexZM === 0 ? 0 : R - scene.geometry.frame.apexZM, rowCount: 600, colCount: 3 };
    const bf = new Beamformer(C5_2V.geometry, grid, { window: 'hann' });
    const lines: Float32Array[] = [];
    for (let k = 0; k < 32; k++) {
      const env = bf.beamform(model.simulate(scene, k / 16)).envelope;
      lines.push(Float32Array.from({ length: grid.rowCount }, (_, r) => env[r * 3 + 1]!));
    }
    const pleuraM = frameTruth(scene, 0, 0, 'C5-2v').pleura.depthMm / 1000;
    return mModeTexture(lines, depthM / (grid.rowCount - 1), pleuraM);
  };
  const sliding = stat('present');
  const none = stat('absent');
  const ratio = (s: { below: number; above: number }): number => s.below / s.above;
  t.log(`frame-to-frame decorrelation below/above the pleura: sliding ${ratio(sliding).toFixed(2)} (${sliding.below.toFixed(3)}/${sliding.above.toFixed(3)}), pneumothorax ${ratio(none).toFixed(2)} (${none.below.toFixed(3)}/${none.above.toFixed(3)})`);
  t.true(ratio(sliding) > 2 * ratio(none), 'seashore: the texture below the pleura changes frame to frame; barcode: far less');
  t.true(sliding.below > 2 * none.below, 'the same band, with and without sliding');
});

test('speckle of homogeneous tissue is fully developed: envelope mean/std ≈ 1.91', (t) => {
  // Linear probe, 150 scatterers/mm² (≈ 10 per −6 dB resolution cell of 0.4 × 0.16 mm), one
  // plane wave, no attenuation, no noise: the statistics of the speckle alone.
  const rng = new SeededRandom(11);
  const n = 33600;
  const set = allocateScatterers(n);
  for (let i = 0; i < n; i++) {
    set.x[i] = (rng.uniform() - 0.5) * 16e-3;
    set.z[i] = 0.012 + rng.uniform() * 14e-3;
    set.amplitude[i] = rng.gaussian();
  }
  const model = new RfModel(L11_5V, { noiseDbBelowFullScale: Infinity, attenuationDbPerCmMhz: 0, countsPerUnit: 100 });
  model.configure({ depthM: 0.03, gainDb: 0, transmits: { kind: 'plane', parameters: [0] } });
  const frame = model.simulate(new LayeredScene([new MovingScatterers('speckle', set)]), 0);
  const grid: ScanGrid = { kind: 'cartesian', xMinM: -3e-3, xMaxM: 3e-3, zMinM: 0.016, zMaxM: 0.022, rowCount: 121, colCount: 61 };
  let peakCounts = 0;
  for (const v of frame.samples) peakCounts = Math.max(peakCounts, Math.abs(v));
  t.true(peakCounts < 20000, `no ADC clipping (peak ${peakCounts} counts)`);
  const env = new Beamformer(L11_5V.geometry, grid, { window: 'hann' }).beamform(frame).envelope;
  let sum = 0;
  let sq = 0;
  for (const v of env) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / env.length;
  const snr = mean / Math.sqrt(sq / env.length - mean * mean);
  t.log(`speckle SNR ${snr.toFixed(3)} (Rayleigh: 1.913)`);
  t.true(Math.abs(snr - 1.913) < 0.15, `envelope SNR ${snr.toFixed(3)}`);
});
