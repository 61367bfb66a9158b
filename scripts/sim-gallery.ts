/**
 * The simulator gallery: one kiosk-like image per lung preset (docs/simulator.md, "Gallery").
 *
 *   node dist/scripts/sim-gallery.js [--out docs/gallery] [--probe C5-2v] [--depth-mm 120] [--time-s 1] [--presets a,b]
 *                                    [--no-mmode] [--no-compare]
 *
 * Each preset is simulated with the simulated probe's own synthesis (3 diverging waves or plane
 * waves, 0 dB gain), beamformed and levelled exactly as the device does by default, and written as
 * `<preset>.png`, and an M-mode strip of the normal lung beside a pneumothorax (`m-mode.png`).
 * When ../shared/datasets/lus-dev is present, it also writes side-by-side
 * comparisons with frames of real clips into dist/sim-gallery-compare/ — outside docs/ and
 * ignored by git, because those clips must not be copied into the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng } from '../drivers/sim/png.js';
import { FrameRenderer } from '../drivers/sim/render.js';
import { defaultTransmits } from '../drivers/sim/export/dataset-spec.js';
import { probeModelByName } from '../drivers/sim/physics/probes.js';
import { FrameSynth } from '../drivers/sim/synth.js';
import { PRESET_NAMES, presetScene, isPresetName } from '../drivers/sim/scene/presets.js';
import { renderComparisons } from './sim-gallery-compare.js';
import { renderMMode } from './sim-gallery-mmode.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/gallery' },
    probe: { type: 'string', default: 'C5-2v' },
    'depth-mm': { type: 'string', default: '120' },
    'time-s': { type: 'string', default: '1' },
    presets: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'no-compare': { type: 'boolean', default: false },
    'no-mmode': { type: 'boolean', default: false },
  },
});

const probe = probeModelByName(values.probe!);
const depthM = Number(values['depth-mm']) / 1000;
const timeS = Number(values['time-s']);
const seed = Number(values.seed);
const names = values.presets ? values.presets.split(',') : PRESET_NAMES;
fs.mkdirSync(values.out!, { recursive: true });

const transmits = defaultTransmits(probe.geometry.kind, 3);
const renderer = new FrameRenderer(probe.geometry, depthM);
const rendered = new Map<string, { width: number; height: number; pixels: Uint8Array }>();

for (const name of names) {
  if (!isPresetName(name)) throw new Error(`unknown preset "${name}"; known: ${PRESET_NAMES.join(', ')}`);
  const t0 = performance.now();
  // The simulated probe's own synthesis (noise, frequency-dependent attenuation), at 0 dB gain.
  const synth = new FrameSynth(probe, presetScene(name), { seed });
  synth.configure({ depthM, gainDb: 0, transmits, mode: 'rf' });
  const frame = synth.rf(timeS, 0);
  const t1 = performance.now();
  const { display } = renderer.render(frame);
  const file = path.join(values.out!, `${name}.png`);
  fs.writeFileSync(file, encodePng({ width: display.width, height: display.height, channels: 1, pixels: display.pixels }));
  rendered.set(name, display);
  process.stdout.write(`${file}: ${synth.lungScene.scatterersAt(timeS).count} scatterers, simulated in ${(t1 - t0).toFixed(0)} ms\n`);
}

if (!values['no-mmode'] && probe.geometry.kind === 'convex') {
  // Seashore and barcode: 3 s of the centre line at 30 lines/s, normal lung vs pneumothorax.
  const opts = { depthM: Math.min(depthM, 0.08), seconds: 3, lineRateHz: 30, pixelsPerLine: 3, transmits, seed };
  const strips = (['normal', 'pneumothorax'] as const).map((name) => renderMMode(probe, presetScene(name), opts));
  const gap = 12;
  const width = strips.reduce((w, s) => w + s.width, 0) + gap;
  const height = strips[0]!.height;
  const pixels = new Uint8Array(width * height);
  let x0 = 0;
  for (const s of strips) {
    for (let r = 0; r < height; r++) pixels.set(s.pixels.subarray(r * s.width, (r + 1) * s.width), r * width + x0);
    x0 += s.width + gap;
  }
  const file = path.join(values.out!, 'm-mode.png');
  fs.writeFileSync(file, encodePng({ width, height, channels: 1, pixels }));
  process.stdout.write(`${file}: M-mode of the centre line, normal (left) and pneumothorax (right), 3 s each\n`);
}

if (!values['no-compare']) {
  const written = renderComparisons(rendered, 'dist/sim-gallery-compare');
  process.stdout.write(written.length ? `comparisons with real clips (not for the repository): ${written.join(', ')}\n` : 'no ../shared/datasets/lus-dev here: comparisons skipped\n');
}
