/**
 * Side-by-side of simulated presets and frames of real clips from ../shared/datasets/lus-dev
 * (used by sim-gallery.ts). The real frames are decoded with ffmpeg into memory and composed with
 * the simulated image into one PNG per preset under an output folder that git ignores; nothing
 * of the clips is written anywhere else. Skipped (empty result) when the dataset or ffmpeg is
 * missing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { encodePng } from '../drivers/sim/png.js';

const DATASET = '../shared/datasets/lus-dev';
const TILE = 360;

/** Real clips that show what each preset simulates (by the dataset's finding flags, chosen by eye). */
export const COMPARISON_CLIPS: Record<string, string[]> = {
  normal: ['lus_089', 'lus_110'],
  pneumothorax: ['lus_112'],
  'lung-point': ['lus_053'],
  'b-lines-3': ['lus_047', 'lus_054'],
  'b-lines-6': ['lus_081', 'lus_041'],
  confluent: ['lus_088'],
  consolidation: ['lus_010', 'lus_040'],
  effusion: ['lus_012', 'lus_072'],
  'thick-pleura': ['lus_050'],
};

interface Grey {
  width: number;
  height: number;
  pixels: Uint8Array;
}

function decodeFrame(clip: string, atS: number): Grey | null {
  const file = path.join(DATASET, 'clips', `${clip}.mp4`);
  if (!fs.existsSync(file)) return null;
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-ss', String(atS), '-i', file, '-frames:v', '1', '-vf', `scale=${TILE}:${TILE}:force_original_aspect_ratio=decrease,pad=${TILE}:${TILE}:(ow-iw)/2:(oh-ih)/2`, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 24 });
  if (r.status !== 0 || r.stdout.length !== TILE * TILE) return null;
  return { width: TILE, height: TILE, pixels: new Uint8Array(r.stdout) };
}

/**
 * Nearest-neighbour fit of a simulated image into a TILE × TILE square: scaled to the tile's
 * height and cropped at the sides (the sector's empty corners), as the real clips are framed.
 */
function fit(img: Grey): Grey {
  const scale = TILE / img.height;
  const out = new Uint8Array(TILE * TILE);
  const w = Math.round(img.width * scale);
  const x0 = (w - TILE) >> 1; // source columns cropped on the left, in tile pixels
  for (let y = 0; y < TILE; y++) {
    for (let x = 0; x < TILE; x++) {
      const sx = Math.floor((x + x0) / scale);
      if (sx < 0 || sx >= img.width) continue;
      out[y * TILE + x] = img.pixels[Math.min(img.height - 1, Math.floor(y / scale)) * img.width + sx]!;
    }
  }
  return { width: TILE, height: TILE, pixels: out };
}

function hstack(tiles: Grey[]): Grey {
  const gap = 8;
  const width = tiles.length * TILE + (tiles.length - 1) * gap;
  const pixels = new Uint8Array(width * TILE).fill(40);
  tiles.forEach((t, i) => {
    for (let y = 0; y < TILE; y++) pixels.set(t.pixels.subarray(y * TILE, (y + 1) * TILE), y * width + i * (TILE + gap));
  });
  return { width, height: TILE, pixels };
}

export function renderComparisons(simulated: Map<string, Grey>, outDir: string): string[] {
  if (!fs.existsSync(path.join(DATASET, 'clips'))) return [];
  if (spawnSync('ffmpeg', ['-version']).status !== 0) return [];
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, img] of simulated) {
    const real = (COMPARISON_CLIPS[name] ?? []).map((c) => decodeFrame(c, 1)).filter((f): f is Grey => f !== null);
    if (real.length === 0) continue;
    const file = path.join(outDir, `${name}-vs-real.png`);
    const row = hstack([fit(img), ...real]);
    fs.writeFileSync(file, encodePng({ ...row, channels: 1 }));
    written.push(file);
  }
  return written;
}
