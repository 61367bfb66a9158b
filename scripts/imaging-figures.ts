/**
 * Measures the enhancement steps (pipeline/enhance/) on the reference datasets and draws them
 * side by side for docs/imaging.md:
 *
 *   node dist/scripts/imaging-figures.js [--out docs/imaging] [--datasets ../shared/datasets/rf]
 *
 * For each dataset: the compound image by the reference method (boxcar, F = 1.5), then each
 * step alone and the combination coherence factor + SRAD; CNR (PICMUS, dB image) and gCNR of
 * the cysts, FWHM of the points. Persistence needs a sequence: 8 frames of the dataset's channel
 * data with independent white noise (RMS 1× the RF's RMS) added, persisted with α = 0.5, against
 * one such frame. Writes <out>/<dataset>.png (60 dB, each panel to its own peak), and
 * <out>/results.json and <out>/results.md (the tables docs/imaging.md quotes). Prints the
 * cost of each step on the 256 × 512 display grid.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng } from '../drivers/sim/png.js';
import { FastBeamformer } from '../pipeline/beamform/fast-beamformer.js';
import { loadReferenceDataset, type ReferenceDataset } from '../pipeline/beamform/reference-dataset.js';
import type { ChannelData } from '../pipeline/beamform/beamformer.js';
import { probeScanGrid, type ScanGrid } from '../pipeline/beamform/grid.js';
import { imageGeometryOf } from '../pipeline/beamform/grid.js';
import { SpeckleFilter, SRAD_DEFAULTS } from '../pipeline/enhance/speckle-filter.js';
import { Persistence } from '../pipeline/enhance/persistence.js';
import { applyEnhancements, ENHANCEMENT_DEFAULTS, parseEnhancementList } from '../pipeline/enhance/enhancement.js';
import { logCompress } from '../pipeline/enhance/log-compression.js';
import { ScanConverter } from '../pipeline/enhance/scan-convert.js';
import { datasetMetrics, type DatasetMetricsJson } from '../pipeline/metrics/dataset-metrics.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, datasets: { type: 'string' } } });
const outDir = values.out ?? 'docs/imaging';
const datasetsDir = values.datasets ?? process.env.PLEURA_RF_DATASETS ?? '../shared/datasets/rf';
const PANEL_WIDTH = 300;
const COHERENCE_EXPONENT = 0.5;
const NOISE_FRAMES = 8;
const PERSISTENCE_ALPHA = 0.5;

interface Summary {
  cnrDb: number | null;
  gcnr: number | null;
  contrastDb: number | null;
  fwhmAxialMm: number | null;
  fwhmLateralMm: number | null;
  speckleSnr: number | null;
}

function mean(values: number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** Means over the anechoic cysts and over the points (polar-grid measurements on convex data). */
function summarize(m: DatasetMetricsJson): Summary {
  const cysts = m.cysts ?? [];
  const points = m.points ?? m.points_polar_grid ?? [];
  return {
    cnrDb: mean(cysts.map((c) => c.cnr_picmus_db)),
    gcnr: mean(cysts.map((c) => c.gcnr)),
    contrastDb: mean(cysts.map((c) => c.contrast_db)),
    fwhmAxialMm: mean(points.map((p) => p.fwhm_axial_mm)),
    fwhmLateralMm: mean(points.map((p) => p.fwhm_lateral_mm)),
    speckleSnr: m.speckle_snr_background ?? null,
  };
}

/** A 60 dB display panel of an envelope, scan-converted to PANEL_WIDTH pixels wide. */
function panel(envelope: Float32Array, grid: ScanGrid): { width: number; height: number; pixels: Uint8Array } {
  const levels = logCompress(envelope, grid.colCount, { dynamicRangeDb: 60, reference: 'peak' });
  const geometry = imageGeometryOf(grid);
  const probe = new ScanConverter(geometry, grid.rowCount, grid.colCount, { widthPx: PANEL_WIDTH, heightPx: 4 * PANEL_WIDTH });
  return probe.convert(levels);
}

function sideBySide(panels: Array<{ width: number; height: number; pixels: Uint8Array }>): { width: number; height: number; pixels: Uint8Array } {
  const gap = 6;
  const height = Math.max(...panels.map((p) => p.height));
  const width = panels.reduce((w, p) => w + p.width, 0) + gap * (panels.length - 1);
  const pixels = new Uint8Array(width * height).fill(255);
  let x0 = 0;
  for (const p of panels) {
    for (let y = 0; y < p.height; y++) pixels.set(p.pixels.subarray(y * p.width, (y + 1) * p.width), y * width + x0);
    x0 += p.width + gap;
  }
  return { width, height, pixels };
}

/** Deterministic white Gaussian noise (LCG + Box-Muller). */
function noiseSource(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function noisyFrame(frame: ChannelData, rms: number, seed: number): ChannelData {
  const next = noiseSource(seed);
  return { ...frame, samples: Float32Array.from(frame.samples, (v) => v + rms * next()) };
}

function rfRms(frame: ChannelData): number {
  let ss = 0;
  for (let i = 0; i < frame.samples.length; i++) ss += frame.samples[i]! ** 2;
  return Math.sqrt(ss / frame.samples.length);
}

async function measureDataset(ds: ReferenceDataset) {
  const bf = new FastBeamformer(ds.probe, ds.grid, { window: 'boxcar', fNumber: 1.5 });
  const n = ds.grid.rowCount * ds.grid.colCount;
  const cf = new Float32Array(n);
  const baseline = bf.beamform(ds.frame, { coherence: cf }).envelope.slice();
  const variants: Record<string, Float32Array> = { baseline };
  variants.cf = applyEnhancements(parseEnhancementList('cf'), { envelope: baseline, energy: cf, grid: ds.grid, centerFrequencyHz: ds.frame.centerFrequencyHz }, { ...ENHANCEMENT_DEFAULTS, coherence: { exponent: COHERENCE_EXPONENT } });
  variants.srad = new SpeckleFilter(SRAD_DEFAULTS).apply(baseline, ds.grid.rowCount, ds.grid.colCount);
  variants.agc = applyEnhancements(parseEnhancementList('agc'), { envelope: baseline, energy: null, grid: ds.grid, centerFrequencyHz: ds.frame.centerFrequencyHz });
  variants['cf+srad'] = new SpeckleFilter(SRAD_DEFAULTS).apply(variants.cf, ds.grid.rowCount, ds.grid.colCount);
  // Persistence: one noisy frame against the persisted 8th.
  const rms = rfRms(ds.frame);
  const persistence = new Persistence({ alpha: PERSISTENCE_ALPHA });
  let persisted = new Float32Array(0);
  let single = new Float32Array(0);
  for (let k = 0; k < NOISE_FRAMES; k++) {
    const env = bf.beamform(noisyFrame(ds.frame, rms, 1000 + k)).envelope;
    if (k === 0) single = env.slice();
    persisted = persistence.apply(env).slice();
  }
  variants['noisy frame'] = single;
  variants['noisy, persisted'] = persisted;
  await bf.close();
  const results: Record<string, Summary> = {};
  for (const [name, env] of Object.entries(variants)) results[name] = summarize(datasetMetrics(ds, env));
  const picture = sideBySide(Object.values(variants).map((env) => panel(env, ds.grid)));
  return { results, picture, labels: Object.keys(variants) };
}

/** The cost of each step on the display grid, median of 9 runs (ms). */
async function stepCosts(ds: ReferenceDataset): Promise<Record<string, number>> {
  const depthM = ds.grid.kind === 'polar' ? ds.grid.rMaxM - ds.grid.rMinM : ds.grid.zMaxM;
  const grid = probeScanGrid(ds.probe, depthM, { colCount: 256, rowCount: 512 });
  const time = (run: () => void) => {
    run();
    const t: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      run();
      t.push(performance.now() - t0);
    }
    return Math.round(t.sort((a, b) => a - b)[4]! * 100) / 100;
  };
  const bf = new FastBeamformer(ds.probe, grid, { window: 'boxcar', threads: 1 });
  const cf = new Float32Array(grid.rowCount * grid.colCount);
  const env = bf.beamform(ds.frame).envelope.slice();
  const costs = {
    'beamform, 1 thread': time(() => void bf.beamform(ds.frame)),
    'beamform + coherence factor (CF map, averaging, weighting), 1 thread': time(() => {
      const image = bf.beamform(ds.frame, { coherence: cf });
      applyEnhancements(parseEnhancementList('cf'), { envelope: image.envelope, energy: cf, grid, centerFrequencyHz: ds.frame.centerFrequencyHz });
    }),
    'SRAD (4 iterations)': time(() => void new SpeckleFilter(SRAD_DEFAULTS).apply(env, grid.rowCount, grid.colCount)),
    'automatic gain': time(() => void applyEnhancements(parseEnhancementList('agc'), { envelope: env, energy: null, grid, centerFrequencyHz: ds.frame.centerFrequencyHz })),
    persistence: time(() => void new Persistence({ alpha: 0.5 }).apply(env)),
  };
  await bf.close();
  return costs;
}

function fmt(v: number | null, digits = 2): string {
  return v === null ? '—' : v.toFixed(digits);
}

function change(v: number | null, base: number | null, kind: 'db' | 'ratio'): string {
  if (v === null || base === null) return '';
  return kind === 'db' ? ` (${v - base >= 0 ? '+' : ''}${(v - base).toFixed(2)})` : ` (${v / base - 1 >= 0 ? '+' : ''}${(100 * (v / base - 1)).toFixed(1)} %)`;
}

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const all: Record<string, Record<string, Summary>> = {};
  const lines: string[] = [];
  for (const name of ['linear_pw_cysts', 'convex_dw_lung', 'linear_pw_points']) {
    const dir = path.join(datasetsDir, name);
    if (!fs.existsSync(path.join(dir, 'channels.json'))) {
      process.stderr.write(`skipping ${name}: not found at ${dir}\n`);
      continue;
    }
    const ds = loadReferenceDataset(dir);
    const { results, picture, labels } = await measureDataset(ds);
    all[name] = results;
    fs.writeFileSync(path.join(outDir, `${name}.png`), encodePng({ ...picture, channels: 1 }));
    lines.push(`### ${name}`, '', `Panels, left to right: ${labels.join(' · ')}.`, '', `![${name}](imaging/${name}.png)`, '');
    lines.push('| image | CNR (dB) | gCNR | contrast (dB) | speckle SNR | FWHM axial (mm) | FWHM lateral (mm) |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const [variant, s] of Object.entries(results)) {
      const base = variant.startsWith('noisy') ? results['noisy frame']! : results.baseline!;
      lines.push(
        `| ${variant} | ${fmt(s.cnrDb)}${variant === 'baseline' || variant === 'noisy frame' ? '' : change(s.cnrDb, base.cnrDb, 'db')} | ${fmt(s.gcnr, 3)}${variant === 'baseline' || variant === 'noisy frame' ? '' : change(s.gcnr, base.gcnr, 'db')} | ${fmt(s.contrastDb, 1)} | ${fmt(s.speckleSnr)} | ${fmt(s.fwhmAxialMm, 3)}${change(s.fwhmAxialMm, base.fwhmAxialMm, 'ratio')} | ${fmt(s.fwhmLateralMm, 3)}${change(s.fwhmLateralMm, base.fwhmLateralMm, 'ratio')} |`,
      );
    }
    lines.push('');
    process.stderr.write(`${name}: done\n`);
  }
  const convex = path.join(datasetsDir, 'convex_dw_lung');
  const costs = fs.existsSync(path.join(convex, 'channels.json')) ? await stepCosts(loadReferenceDataset(convex)) : {};
  lines.push('### Cost on the 256 × 512 display grid (C5-2v, 3 transmits), one thread, ms', '', '| step | ms |', '|---|---:|');
  for (const [k, v] of Object.entries(costs)) lines.push(`| ${k} | ${v} |`);
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify({ results: all, costsMs: costs }, null, 1) + '\n');
  fs.writeFileSync(path.join(outDir, 'results.md'), lines.join('\n') + '\n');
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: Error) => {
  process.stderr.write(`imaging-figures: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
