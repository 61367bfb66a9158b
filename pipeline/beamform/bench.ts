/**
 * Benchmark of the live imaging path on one core: RF simulation, beamforming (demodulation +
 * DAS), log compression and scan conversion. Prints numbers; asserts nothing.
 *
 *   npx tsc -p . && node dist/pipeline/beamform/bench.js [--json]
 */
import { RfModel } from '../../drivers/sim/physics/rf-model.js';
import { C5_2V, L11_5V, type ProbeModel } from '../../drivers/sim/physics/probes.js';
import { foundationLungScene } from '../../drivers/sim/physics/foundation-scene.js';
import type { TransmitSequence } from '../../drivers/protocol/messages.js';
import { Beamformer } from './beamformer.js';
import { probeScanGrid, type GridSize } from './grid.js';
import { logCompress } from '../enhance/log-compression.js';
import { ScanConverter } from '../enhance/scan-convert.js';

function median(run: () => void, repeats: number): number {
  run(); // warm-up: JIT and first-call allocations
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

interface Case {
  probe: ProbeModel;
  depthM: number;
  transmits: TransmitSequence;
}

const cases: Case[] = [
  { probe: C5_2V, depthM: 0.12, transmits: { kind: 'diverging', parameters: [-0.01, 0, 0.01] } },
  { probe: L11_5V, depthM: 0.04, transmits: { kind: 'plane', parameters: [-0.1, 0, 0.1] } },
];
const grids: GridSize[] = [
  { colCount: 128, rowCount: 400 },
  { colCount: 160, rowCount: 512 },
  { colCount: 192, rowCount: 600 },
];

const results: Record<string, number | string>[] = [];
for (const c of cases) {
  const model = new RfModel(c.probe, { seed: 1 });
  model.configure({ depthM: c.depthM, gainDb: 0, transmits: c.transmits });
  const scene = foundationLungScene(c.probe.geometry, { depthM: c.depthM, seed: 1 });
  let time = 0;
  const simMs = median(() => void model.simulate(scene, (time += 0.05)), 9);
  const frame = model.simulate(scene, 0);
  results.push({ step: 'simulate', probe: c.probe.model, depthMm: c.depthM * 1e3, transmits: c.transmits.parameters.length, scatterers: scene.count, samples: frame.sampleCount, ms: +simMs.toFixed(1) });
  for (const size of grids) {
    const grid = probeScanGrid(c.probe.geometry, c.depthM, size);
    const bf = new Beamformer(c.probe.geometry, grid);
    const planStart = performance.now();
    bf.planFor(frame);
    const planMs = performance.now() - planStart;
    for (const indices of [[1], [0, 1, 2]]) {
      let demod = 0;
      let das = 0;
      const ms = median(() => {
        const im = bf.beamform(frame, { transmitIndices: indices });
        demod = im.timingsMs.demodulation;
        das = im.timingsMs.das;
      }, 7);
      results.push({
        step: 'beamform',
        probe: c.probe.model,
        grid: `${size.colCount}x${size.rowCount}`,
        transmits: indices.length,
        ms: +ms.toFixed(1),
        demodMs: +demod.toFixed(1),
        dasMs: +das.toFixed(1),
        planMs: +planMs.toFixed(0),
      });
    }
    const image = bf.beamform(frame);
    const sc = new ScanConverter(image.geometry, image.rowCount, image.colCount, { widthPx: 800, heightPx: 600 });
    const pixels = new Uint8Array(image.envelope.length);
    const logMs = median(() => void logCompress(image.envelope, image.colCount, { dynamicRangeDb: 60 }, pixels), 9);
    const scMs = median(() => void sc.convert(pixels), 9);
    results.push({ step: 'enhance', probe: c.probe.model, grid: `${size.colCount}x${size.rowCount}`, display: `${sc.width}x${sc.height}`, logCompressMs: +logMs.toFixed(2), scanConvertMs: +scMs.toFixed(2) });
  }
}

if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 1));
else for (const r of results) console.log(Object.entries(r).map(([k, v]) => `${k}=${v}`).join('  '));
