/**
 * From a picture on a screen to the lung-findings model's input, identically for live frames,
 * replayed recordings, real clips and the training set (scripts/train/prepare-dataset.ts):
 *
 * 1. `findImageRegion`: the ultrasound region is the largest bright connected blob; each of its
 *    rows is filled between its left- and right-most pixels (an anechoic effusion inside the
 *    sector stays inside). Everything else — burnt-in text, scale bars, logos, letterbox borders —
 *    is outside the region and zeroed. Computed once per clip (on the mean of a few frames) or
 *    per display geometry live, not per frame.
 * 2. `prepareInput`: the region's bounding box, fitted into INPUT_SIZE² keeping its aspect
 *    ratio (top-aligned, centred left-right), area-averaged, / 255.
 *
 * `InputTransform` maps model-input coordinates back to the source image's pixels, so findings
 * are reported (and drawn) where they are on the screen.
 */
import { INPUT_SIZE } from './model-io.js';

export interface GrayImage {
  width: number;
  height: number;
  /** Row-major 8-bit grey. */
  pixels: Uint8Array;
}

export interface ImageRegion {
  /** Bounding box in source pixels, x1/y1 exclusive. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** 1 inside the ultrasound region, per source pixel. */
  mask: Uint8Array;
  width: number;
  height: number;
}

export interface InputTransform {
  /** Input pixels per source pixel. */
  scale: number;
  /** Source pixel of input pixel (0, 0)'s top-left corner. */
  x0: number;
  y0: number;
  /** Input columns left empty on the left (centring). */
  padX: number;
  size: number;
}

export interface PreparedInput {
  data: Float32Array;
  transform: InputTransform;
}

/** Grey level above which a pixel may belong to the image (below: background or black border). */
const FOREGROUND_LEVEL = 10;
/** Block size for the region search: cheap, and bridges speckle gaps. */
const BLOCK = 4;

/**
 * Colour → grey for decoded RGB(A) video: strongly coloured pixels (annotations, Doppler, colour
 * logos) become 0 so that they fall outside the region or count as background.
 */
export function rgbToGray(rgb: Uint8Array, width: number, height: number, channels: 3 | 4): GrayImage {
  const pixels = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < pixels.length; i++, j += channels) {
    const r = rgb[j]!;
    const g = rgb[j + 1]!;
    const b = rgb[j + 2]!;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    pixels[i] = max - min > 40 ? 0 : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  return { width, height, pixels };
}

/** The pixel-wise mean of images of one size (a clip's frames), for a stable region. */
export function meanImage(images: GrayImage[]): GrayImage {
  if (images.length === 0) throw new Error('meanImage: no images');
  const { width, height } = images[0]!;
  const sum = new Float32Array(width * height);
  for (const img of images) {
    if (img.width !== width || img.height !== height) throw new Error('meanImage: images differ in size');
    for (let i = 0; i < sum.length; i++) sum[i]! += img.pixels[i]!;
  }
  const pixels = new Uint8Array(sum.length);
  for (let i = 0; i < sum.length; i++) pixels[i] = Math.round(sum[i]! / images.length);
  return { width, height, pixels };
}

export class NoImageRegionError extends Error {
  override name = 'NoImageRegionError';
}

export function findImageRegion(img: GrayImage): ImageRegion {
  const { width, height, pixels } = img;
  if (pixels.length !== width * height) throw new Error(`image is ${pixels.length} bytes, expected ${width}×${height}`);
  const bw = Math.ceil(width / BLOCK);
  const bh = Math.ceil(height / BLOCK);
  // Block means above the foreground level.
  const fg = new Uint8Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let s = 0;
      let n = 0;
      for (let y = by * BLOCK; y < Math.min(height, (by + 1) * BLOCK); y++) {
        for (let x = bx * BLOCK; x < Math.min(width, (bx + 1) * BLOCK); x++) {
          s += pixels[y * width + x]!;
          n++;
        }
      }
      fg[by * bw + bx] = s / n > FOREGROUND_LEVEL ? 1 : 0;
    }
  }
  // Largest 8-connected component of blocks.
  const label = new Int32Array(bw * bh);
  const stack: number[] = [];
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let i = 0; i < fg.length; i++) {
    if (!fg[i] || label[i]) continue;
    next++;
    let size = 0;
    label[i] = next;
    stack.push(i);
    while (stack.length) {
      const k = stack.pop()!;
      size++;
      const kx = k % bw;
      const ky = (k - kx) / bw;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = kx + dx;
          const y = ky + dy;
          if (x < 0 || y < 0 || x >= bw || y >= bh) continue;
          const j = y * bw + x;
          if (fg[j] && !label[j]) {
            label[j] = next;
            stack.push(j);
          }
        }
      }
    }
    if (size > bestSize) {
      bestSize = size;
      best = next;
    }
  }
  // A region smaller than 5 % of the picture is not an ultrasound image.
  if (bestSize < 0.05 * bw * bh) throw new NoImageRegionError(`no ultrasound image found: the largest bright area covers ${((100 * bestSize) / (bw * bh)).toFixed(1)} % of the picture`);
  // Fill each block row between its extremes; collect the bounding box.
  const mask = new Uint8Array(width * height);
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let by = 0; by < bh; by++) {
    let left = -1;
    let right = -1;
    for (let bx = 0; bx < bw; bx++) {
      if (label[by * bw + bx] === best) {
        if (left < 0) left = bx;
        right = bx;
      }
    }
    if (left < 0) continue;
    const px0 = left * BLOCK;
    const px1 = Math.min(width, (right + 1) * BLOCK);
    const py0 = by * BLOCK;
    const py1 = Math.min(height, (by + 1) * BLOCK);
    for (let y = py0; y < py1; y++) mask.fill(1, y * width + px0, y * width + px1);
    x0 = Math.min(x0, px0);
    x1 = Math.max(x1, px1);
    y0 = Math.min(y0, py0);
    y1 = Math.max(y1, py1);
  }
  return { x0, y0, x1, y1, mask, width, height };
}

/** The transform that fits a region's bounding box into the model input. */
export function inputTransform(region: Pick<ImageRegion, 'x0' | 'y0' | 'x1' | 'y1'>, size = INPUT_SIZE): InputTransform {
  const w = region.x1 - region.x0;
  const h = region.y1 - region.y0;
  const scale = Math.min(size / w, size / h);
  return { scale, x0: region.x0, y0: region.y0, padX: (size - w * scale) / 2, size };
}

/** Input pixel coordinates (continuous, pixel centres at i + 0.5) → source pixel coordinates. */
export function toSource(t: InputTransform, xIn: number, yIn: number): { x: number; y: number } {
  return { x: t.x0 + (xIn - t.padX) / t.scale, y: t.y0 + yIn / t.scale };
}

/** Source pixel coordinates → input pixel coordinates. */
export function toInput(t: InputTransform, x: number, y: number): { x: number; y: number } {
  return { x: t.padX + (x - t.x0) * t.scale, y: (y - t.y0) * t.scale };
}

/**
 * The model input for one frame: area-averaged over each input pixel's footprint in the
 * source (pixels outside the region count as 0), / 255. Writes into `out` when given.
 */
export function prepareInput(img: GrayImage, region: ImageRegion, out?: Float32Array): PreparedInput {
  if (img.width !== region.width || img.height !== region.height) {
    throw new Error(`frame is ${img.width}×${img.height} but its region was found on ${region.width}×${region.height}`);
  }
  const t = inputTransform(region);
  const size = t.size;
  const data = out ?? new Float32Array(size * size);
  data.fill(0);
  const { pixels, width } = img;
  const { mask } = region;
  const inv = 1 / t.scale;
  const colFrom = new Int32Array(size);
  const colTo = new Int32Array(size);
  for (let c = 0; c < size; c++) {
    const a = t.x0 + (c - t.padX) * inv;
    const b = a + inv;
    colFrom[c] = Math.max(region.x0, Math.floor(a));
    colTo[c] = Math.min(region.x1, Math.max(Math.floor(a) + 1, Math.floor(b)));
  }
  for (let r = 0; r < size; r++) {
    const a = t.y0 + r * inv;
    const yFrom = Math.max(region.y0, Math.floor(a));
    const yTo = Math.min(region.y1, Math.max(Math.floor(a) + 1, Math.floor(a + inv)));
    if (yFrom >= yTo) continue;
    for (let c = 0; c < size; c++) {
      const xFrom = colFrom[c]!;
      const xTo = colTo[c]!;
      if (xFrom >= xTo) continue;
      let s = 0;
      for (let y = yFrom; y < yTo; y++) {
        const row = y * width;
        for (let x = xFrom; x < xTo; x++) if (mask[row + x]) s += pixels[row + x]!;
      }
      data[r * size + c] = s / ((yTo - yFrom) * (xTo - xFrom) * 255);
    }
  }
  return { data, transform: t };
}
