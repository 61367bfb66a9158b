import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import test from 'ava';
import { exportDataset } from '../../../drivers/sim/export/dataset-export.js';
import type { DatasetManifest } from '../../../drivers/sim/export/dataset-layout.js';
import { defaultTransmits } from '../../../drivers/sim/export/dataset-spec.js';
import { encodePng } from '../../../drivers/sim/png.js';
import { parseSceneSpec } from '../../../drivers/sim/scene/spec.js';
import { parseSimulatorArgs } from '../../../drivers/sim/sim-args.js';

/** Reads back the IHDR and the raw scan lines of a PNG written by encodePng. */
function decodePng(png: Buffer): { width: number; height: number; colourType: number; rows: Buffer } {
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
  let off = 8;
  let ihdr: Buffer | null = null;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  return { width: ihdr!.readUInt32BE(0), height: ihdr!.readUInt32BE(4), colourType: ihdr![9]!, rows: inflateSync(Buffer.concat(idat)) };
}

test('the PNG encoder writes images any decoder reads back pixel for pixel', (t) => {
  const pixels = Uint8Array.from({ length: 7 * 5 }, (_, i) => (i * 37) % 256);
  const png = decodePng(encodePng({ width: 7, height: 5, channels: 1, pixels }));
  t.like(png, { width: 7, height: 5, colourType: 0 });
  for (let y = 0; y < 5; y++) {
    t.is(png.rows[y * 8], 0, 'filter byte');
    t.deepEqual(Array.from(png.rows.subarray(y * 8 + 1, y * 8 + 8)), Array.from(pixels.subarray(y * 7, y * 7 + 7)));
  }
  t.throws(() => encodePng({ width: 3, height: 3, channels: 3, pixels: new Uint8Array(9) }), { message: /needs 27 bytes/ });
});

test('pleura sim export writes RF, B-mode, PNGs and one label per frame in the documented layout', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-export-'));
  try {
    const scene = parseSceneSpec({ name: 'tiny', chestWall: { scatterersPerMm2: 0.3 }, reverberation: { maxOrder: 1 }, bLines: [{ atMm: 0 }] });
    const manifest = await exportDataset(
      { probeModel: 'C5-2v', scene, seed: 7, frames: 4, clipFrames: 2, frameRateHz: 20, depthM: 0.04, transmits: defaultTransmits('convex', 1), mode: 'both', png: true },
      dir,
      { workers: 2, log: () => {} },
    );
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
    t.deepEqual(onDisk.layout, manifest.layout);
    const [frames, transmits, elements, samples] = manifest.layout.rf!.shape;
    t.deepEqual([frames, transmits, elements], [4, 1, 128]);
    t.is(fs.statSync(path.join(dir, 'rf.i16')).size, 2 * frames * transmits * elements * samples);
    t.is(fs.statSync(path.join(dir, 'bmode.u8')).size, 4 * 512 * 128);
    const rf = new Int16Array(fs.readFileSync(path.join(dir, 'rf.i16')).buffer.slice(0));
    const perFrame = transmits * elements * samples;
    for (let f = 0; f < frames; f++) t.true(rf.subarray(f * perFrame, (f + 1) * perFrame).some((v) => Math.abs(v) > 50), `frame ${f} has echoes`);
    const labels = fs.readFileSync(path.join(dir, 'labels.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    t.deepEqual(labels.map((l) => [l.frameIndex, l.clip, l.seed]), [[0, 0, 7], [1, 0, 7], [2, 1, 8], [3, 1, 8]]);
    t.is(labels[1].timeS, 0.05);
    t.true(labels.every((l) => l.bLines.count === 1 && l.kind === 'pleura-sim-truth'));
    t.deepEqual(manifest.clips.map((c) => c.seed), [7, 8]);
    t.true(decodePng(fs.readFileSync(path.join(dir, 'png', '000003.png'))).width > 100);
    await t.throwsAsync(exportDataset({ ...manifest.spec }, path.join(dir, 'png'), { log: () => {} }), { message: /not an earlier export/ });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('simulator arguments: scene from the flag, else $PLEURA_SIM_SCENE, else normal; clear errors', (t) => {
  t.like(parseSimulatorArgs(['--listen', 'unix:/tmp/x'], {}), { scene: 'normal', live: false, truth: true, seed: 1 });
  t.like(parseSimulatorArgs(['--pty', '/tmp/p', '--scene', 'b-lines-3', '--no-truth', '--live'], { PLEURA_SIM_SCENE: 'effusion' }), { scene: 'b-lines-3', truth: false, live: true });
  t.is(parseSimulatorArgs(['--listen', 'unix:/tmp/x'], { PLEURA_SIM_SCENE: 'effusion' }).scene, 'effusion');
  t.throws(() => parseSimulatorArgs(['--listen', 'unix:/x', '--seed', 'abc']), { message: /--seed abc is not an integer/ });
  t.throws(() => parseSimulatorArgs(['--scene', 'normal']), { message: /exactly one of --listen/ });
});
