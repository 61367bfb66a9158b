/**
 * Export folders (build-dataset.ts) → tensors for train.py. For each frame: the kiosk PNG,
 * randomised (display-augment.ts: gain, gamma, noise, blur, resolution, letterbox, burnt-in text,
 * unusable views), then exactly the device's preprocessing (models/findings/preprocess.ts:
 * findImageRegion + prepareInput), and the targets from the truth (targets.ts). Run from dist/:
 *
 *   node dist/scripts/train/prepare-dataset.js [--data DIR] [--out DIR] [--splits train,val,test]
 *                                              [--copies 2] [--seed 1] [--clean]
 *
 * Output, per split, in <out>/<split>/ (N samples; all little-endian, row-major):
 *   images.u8        uint8 [N,128,128]   round(input · 255): the model input is images / 255
 *   frame.u8         uint8 [N,7]         FRAME_LABELS targets (0/1)
 *   bline.u8         uint8 [N,32]
 *   pleura_row.i16   int16 [N]           -1: no target
 *   pleura_vis.u8    uint8 [N,32]
 *   lesion.u8        uint8 [N,2,32,32]
 *   valid.u8         uint8 [N]           0: unusable picture, only view_ok is a target
 *   index.json       shapes, counts, and per sample: export, frame, probe, category, issue, summary
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DatasetManifest } from '../../drivers/sim/export/dataset-layout.js';
import type { FrameTruth } from '../../drivers/sim/scene/truth.js';
import { FRAME_LABELS, INPUT_SIZE, LATERAL_BINS, LESION_GRID } from '../../models/findings/model-io.js';
import { findImageRegion, NoImageRegionError, prepareInput, toSource, type ImageRegion } from '../../models/findings/preprocess.js';
import { KIOSK_RENDER } from '../../drivers/sim/render.js';
import { ScanConverter } from '../../pipeline/enhance/scan-convert.js';
import { defaultDataDir } from './build-dataset.js';
import { augmentDisplay, type AugmentInput } from './display-augment.js';
import { readPngGray } from '../png-read.js';
import { prng } from './random-scene.js';
import { frameTargets, mmToInputMap, type DisplayGeometry } from './targets.js';

interface SceneIndexEntry {
  id: string;
  category: string;
  viewIssue: string;
  probe: string;
  depthMm: number;
}

/** The display image's geometry and sector of an export, as its PNGs were scan-converted. */
export function displayOf(manifest: DatasetManifest): { geometry: DisplayGeometry; sector: Uint8Array } {
  const b = manifest.layout.bmode;
  if (!b) throw new Error('export has no B-mode layout: export with --mode bmode or both');
  const sc = new ScanConverter(b.geometry, b.shape[1], b.shape[2], KIOSK_RENDER.display);
  const full = sc.convert(new Uint8Array(b.shape[1] * b.shape[2]).fill(255));
  const sector = new Uint8Array(full.pixels.length);
  for (let i = 0; i < sector.length; i++) sector[i] = full.pixels[i]! > 0 ? 1 : 0;
  return { geometry: { width: sc.width, height: sc.height, mmPerPixel: sc.mmPerPixel, origin: sc.origin }, sector };
}

/** FNV-1a of a string: per-sample seeds that do not depend on processing order. */
export function hashSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function regionTest(region: ImageRegion, transform: ReturnType<typeof prepareInput>['transform']): (xIn: number, yIn: number) => boolean {
  return (xIn, yIn) => {
    const s = toSource(transform, xIn, yIn);
    const x = Math.floor(s.x);
    const y = Math.floor(s.y);
    return x >= region.x0 && x < region.x1 && y >= region.y0 && y < region.y1 && region.mask[y * region.width + x] === 1;
  };
}

class SplitWriter {
  readonly chunks = { images: [] as Uint8Array[], frame: [] as Uint8Array[], bline: [] as Uint8Array[], row: [] as number[], vis: [] as Uint8Array[], lesion: [] as Uint8Array[], valid: [] as number[] };
  readonly meta: Array<Record<string, string | number>> = [];
  get count(): number {
    return this.meta.length;
  }
  write(dir: string, extra: Record<string, unknown>): void {
    fs.mkdirSync(dir, { recursive: true });
    const cat = (xs: Uint8Array[]): Uint8Array => Buffer.concat(xs);
    fs.writeFileSync(path.join(dir, 'images.u8'), cat(this.chunks.images));
    fs.writeFileSync(path.join(dir, 'frame.u8'), cat(this.chunks.frame));
    fs.writeFileSync(path.join(dir, 'bline.u8'), cat(this.chunks.bline));
    fs.writeFileSync(path.join(dir, 'pleura_row.i16'), new Uint8Array(Int16Array.from(this.chunks.row).buffer));
    fs.writeFileSync(path.join(dir, 'pleura_vis.u8'), cat(this.chunks.vis));
    fs.writeFileSync(path.join(dir, 'lesion.u8'), cat(this.chunks.lesion));
    fs.writeFileSync(path.join(dir, 'valid.u8'), Uint8Array.from(this.chunks.valid));
    const n = this.count;
    fs.writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({
        format: 'pleura-lung-findings-tensors',
        version: 1,
        count: n,
        frameLabels: FRAME_LABELS,
        shapes: { images: [n, INPUT_SIZE, INPUT_SIZE], frame: [n, FRAME_LABELS.length], bline: [n, LATERAL_BINS], pleura_row: [n], pleura_vis: [n, LATERAL_BINS], lesion: [n, 2, LESION_GRID, LESION_GRID], valid: [n] },
        ...extra,
        samples: this.meta,
      }),
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      out: { type: 'string' },
      splits: { type: 'string', default: 'train,val,test' },
      copies: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      clean: { type: 'boolean', default: false },
      'unusable-rate': { type: 'string', default: '0.12' },
    },
  });
  const data = path.resolve(values.data ?? defaultDataDir());
  const out = path.resolve(values.out ?? path.join(data, 'tensors'));
  const baseSeed = Number(values.seed);
  const unusableRate = values.clean ? 0 : Number(values['unusable-rate']);
  for (const split of values.splits!.split(',')) {
    const splitDir = path.join(data, split);
    const scenes = new Map((JSON.parse(fs.readFileSync(path.join(splitDir, 'index.json'), 'utf8')) as SceneIndexEntry[]).map((s) => [s.id, s]));
    const copies = values.clean ? 1 : split === 'train' ? Number(values.copies) : 1;
    const writer = new SplitWriter();
    const t0 = performance.now();
    let skipped = 0;
    let exports = 0;
    const displays = new Map<string, ReturnType<typeof displayOf>>();
    const ids = fs.readdirSync(splitDir).filter((d) => fs.existsSync(path.join(splitDir, d, 'manifest.json'))).sort();
    for (const id of ids) {
      const dir = path.join(splitDir, id);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
      const labels = fs.readFileSync(path.join(dir, 'labels.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FrameTruth);
      const key = JSON.stringify(manifest.layout.bmode?.geometry);
      if (!displays.has(key)) displays.set(key, displayOf(manifest));
      const { geometry, sector } = displays.get(key)!;
      const scene = scenes.get(id);
      exports++;
      for (let f = 0; f < labels.length; f++) {
        const display = readPngGray(fs.readFileSync(path.join(dir, 'png', `${String(f).padStart(6, '0')}.png`)));
        if (display.width !== geometry.width || display.height !== geometry.height) {
          throw new Error(`${dir} frame ${f}: PNG is ${display.width}×${display.height}, the scan conversion gives ${geometry.width}×${geometry.height}`);
        }
        const aug: AugmentInput = { display, sector, dynamicRangeDb: manifest.layout.bmode!.dynamicRangeDb, mmPerPixel: geometry.mmPerPixel };
        for (let c = 0; c < copies; c++) {
          const rnd = prng(hashSeed(`${baseSeed}/${split}/${id}/${f}/${c}`));
          const a = augmentDisplay(aug, rnd, { unusableRate, randomise: !values.clean });
          let region: ImageRegion;
          try {
            region = findImageRegion(a.picture);
          } catch (err) {
            if (err instanceof NoImageRegionError) {
              skipped++;
              continue;
            }
            throw err;
          }
          const input = prepareInput(a.picture, region);
          const t = frameTargets(labels[f]!, mmToInputMap(geometry, a.placement, input.transform), regionTest(region, input.transform), a.issue);
          const img = new Uint8Array(INPUT_SIZE * INPUT_SIZE);
          for (let i = 0; i < img.length; i++) img[i] = Math.round(input.data[i]! * 255);
          writer.chunks.images.push(img);
          writer.chunks.frame.push(t.frame);
          writer.chunks.bline.push(t.blineMap);
          writer.chunks.row.push(t.pleuraRow);
          writer.chunks.vis.push(t.pleuraVisible);
          writer.chunks.lesion.push(t.lesionMap);
          writer.chunks.valid.push(t.findingsValid ? 1 : 0);
          writer.meta.push({ export: id, frame: f, copy: c, probe: manifest.spec.probeModel, depthMm: Math.round(manifest.spec.depthM * 1000), category: scene?.category ?? '?', issue: t.viewIssue, aug: a.summary });
        }
      }
    }
    const s = (performance.now() - t0) / 1000;
    writer.write(path.join(out, split), { split, exports, copies, seed: baseSeed, clean: values.clean, unusableRate, seconds: Math.round(s) });
    console.log(`${split}: ${exports} exports → ${writer.count} samples (${skipped} pictures without an image region skipped) in ${s.toFixed(0)} s → ${path.join(out, split)}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error((err as Error).stack ?? String(err));
    process.exit(1);
  });
}
