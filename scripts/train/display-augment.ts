/**
 * Domain randomisation of the display image, before preprocess.ts, so the model sees what a
 * screen capture of another scanner (or a badly set one) looks like: gain as a dB offset of the
 * log-compressed pixels, gamma/contrast, noise, blur, a resolution change, letterboxing into
 * another aspect ratio, and burnt-in text, a depth scale, a probe marker and a UI panel around
 * the image. Some pictures are made unusable on purpose (gain far too low/high, probe in the air).
 *
 * The randomisation is reproducible: every draw comes from the `rnd` passed in.
 */
import type { GrayImage } from '../../models/findings/preprocess.js';
import { drawText, fillRect, FONT_CHARS, textSize } from './bitmap-font.js';
import type { ImageIssue, Placement } from './targets.js';

export interface AugmentInput {
  /** The kiosk's display image (0 outside the sector). */
  display: GrayImage;
  /** 1 inside the imaged sector, per display pixel. */
  sector: Uint8Array;
  /** Display mapping: pixel = 255 · (dB − floor) / dynamicRangeDb. */
  dynamicRangeDb: number;
  mmPerPixel: number;
}

export interface AugmentOptions {
  /** Fraction of pictures made unusable (gain far off, no contact). */
  unusableRate: number;
  /** false: the display image as it is (placement identity), for tests and clean evaluation. */
  randomise: boolean;
}

export interface Augmented {
  picture: GrayImage;
  placement: Placement;
  issue: ImageIssue;
  /** Short description of what was done, for the index. */
  summary: string;
}

const clamp8 = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

function gaussian(rnd: () => number): number {
  const u = Math.max(1e-12, rnd());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** Bilinear resize (pixel centres mapped onto each other). */
export function resize(img: GrayImage, width: number, height: number): GrayImage {
  const out = new Uint8Array(width * height);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.min(img.height - 2, Math.floor(fy));
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.min(img.width - 2, Math.floor(fx));
      const wx = fx - x0;
      const i = y0 * img.width + x0;
      const p = img.pixels;
      const top = p[i]! + wx * (p[i + 1]! - p[i]!);
      const bot = p[i + img.width]! + wx * (p[i + img.width + 1]! - p[i + img.width]!);
      out[y * width + x] = clamp8(top + wy * (bot - top));
    }
  }
  return { width, height, pixels: out };
}

function boxBlur3(img: GrayImage): void {
  const { width: w, height: h, pixels } = img;
  const src = pixels.slice();
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += src[(y + dy) * w + x + dx]!;
      pixels[y * w + x] = Math.round(s / 9);
    }
  }
}

export function augmentDisplay(input: AugmentInput, rnd: () => number, opts: AugmentOptions): Augmented {
  const { display, sector } = input;
  if (!opts.randomise) {
    return { picture: { width: display.width, height: display.height, pixels: display.pixels.slice() }, placement: { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 }, issue: 'none', summary: 'clean' };
  }
  const uni = (a: number, b: number): number => a + (b - a) * rnd();
  const chance = (p: number): boolean => rnd() < p;
  const notes: string[] = [];
  const px = display.pixels.slice();
  const n = px.length;

  let issue: ImageIssue = 'none';
  if (chance(opts.unusableRate)) {
    const u = rnd();
    issue = u < 0.35 ? 'gain-too-low' : u < 0.7 ? 'gain-too-high' : 'no-contact';
  }
  if (issue === 'no-contact') {
    // Probe in the air: ring-down of the lens near the top, then electronic noise.
    const mean = uni(12, 35);
    const sigma = uni(3, 14);
    const period = uni(4, 14);
    const bands = uni(20, 90);
    let top = -1;
    for (let i = 0; i < n && top < 0; i++) if (sector[i]) top = Math.floor(i / display.width);
    for (let i = 0; i < n; i++) {
      if (!sector[i]) continue;
      const d = Math.floor(i / display.width) - top;
      const ring = d < 6 * period ? bands * Math.exp(-d / (2 * period)) * (Math.cos((2 * Math.PI * d) / period) > 0.3 ? 1 : 0) : 0;
      px[i] = clamp8(mean + ring + sigma * gaussian(rnd));
    }
    notes.push('no-contact');
  } else {
    const gainDb = issue === 'gain-too-low' ? uni(-34, -22) : issue === 'gain-too-high' ? uni(20, 32) : chance(0.25) ? 0 : uni(-8, 8);
    const offset = (255 * gainDb) / input.dynamicRangeDb;
    const gamma = chance(0.5) ? uni(0.75, 1.35) : 1;
    const contrast = chance(0.4) ? uni(0.8, 1.25) : 1;
    const noise = chance(0.5) ? uni(2, 10) : 0;
    for (let i = 0; i < n; i++) {
      if (!sector[i]) continue;
      let v = px[i]! + offset;
      v = v <= 0 ? 0 : v >= 255 ? 255 : v;
      if (gamma !== 1) v = 255 * (v / 255) ** gamma;
      if (contrast !== 1) v = 128 + (v - 128) * contrast;
      if (noise) v += noise * gaussian(rnd);
      px[i] = clamp8(v);
    }
    notes.push(`gain ${gainDb.toFixed(1)} dB`, `gamma ${gamma.toFixed(2)}`, `contrast ${contrast.toFixed(2)}`, `noise ${noise.toFixed(1)}`);
  }
  let img: GrayImage = { width: display.width, height: display.height, pixels: px };
  if (chance(0.3)) {
    boxBlur3(img);
    for (let i = 0; i < n; i++) if (!sector[i]) px[i] = 0;
    notes.push('blur');
  }

  // Resolution change (sometimes with slightly non-square pixels, as in captured video).
  let scaleX = 1;
  let scaleY = 1;
  let sectorImg: GrayImage = { width: display.width, height: display.height, pixels: sector };
  if (chance(0.65)) {
    const s = uni(0.5, 1.5);
    const aniso = chance(0.3) ? uni(0.93, 1.07) : 1;
    const w = Math.max(32, Math.round(display.width * s * aniso));
    const h = Math.max(32, Math.round(display.height * s));
    scaleX = w / display.width;
    scaleY = h / display.height;
    img = resize(img, w, h);
    const m = new Uint8Array(display.width * display.height);
    for (let i = 0; i < n; i++) m[i] = sector[i] ? 255 : 0;
    const rm = resize({ width: display.width, height: display.height, pixels: m }, w, h);
    for (let i = 0; i < rm.pixels.length; i++) rm.pixels[i] = rm.pixels[i]! >= 128 ? 1 : 0;
    sectorImg = rm;
    notes.push(`resize ${scaleX.toFixed(2)}×${scaleY.toFixed(2)}`);
  }

  // Canvas: another aspect ratio, margins (letterbox/pillarbox), a dark or black background.
  const aspect = [4 / 3, 16 / 9, 16 / 10, 5 / 4, 1, 0][Math.floor(rnd() * 6)]!;
  const top = chance(0.5) ? Math.round(uni(0, 60)) : Math.round(uni(0, 12));
  const bottom = Math.round(uni(0, 60));
  const H = img.height + top + bottom;
  const minW = img.width + 2 * Math.round(uni(0, 40));
  const W = Math.max(minW, aspect ? Math.round(H * aspect) : minW);
  const offsetX = Math.round(uni(0, W - img.width));
  const offsetY = top;
  const background = chance(0.7) ? 0 : Math.round(uni(1, 7));
  const canvas = new Uint8Array(W * H).fill(background);
  const placed = new Uint8Array(W * H);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const k = (y + offsetY) * W + x + offsetX;
      const s = y * img.width + x;
      if (sectorImg.pixels[s]) {
        canvas[k] = img.pixels[s]!;
        placed[k] = 1;
      }
    }
  }
  const picture: GrayImage = { width: W, height: H, pixels: canvas };
  notes.push(`canvas ${W}×${H}`);

  // Overlays must stay clear of the sector (a gap of GAP px), or the region search would merge them.
  const GAP = 12;
  const rowLeft = new Int32Array(H).fill(W);
  const rowRight = new Int32Array(H).fill(-1);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!placed[y * W + x]) continue;
      rowLeft[y] = Math.min(rowLeft[y]!, x);
      rowRight[y] = Math.max(rowRight[y]!, x);
    }
  }
  const free = (x: number, y: number, w: number, h: number): boolean => {
    if (x < 0 || y < 0 || x + w > W || y + h > H) return false;
    for (let yy = Math.max(0, y - GAP); yy < Math.min(H, y + h + GAP); yy++) {
      if (rowRight[yy]! < 0) continue;
      if (x + w + GAP > rowLeft[yy]! && x - GAP <= rowRight[yy]!) return false;
    }
    return true;
  };
  const place = (w: number, h: number, draw: (x: number, y: number) => void, tries = 30): boolean => {
    for (let t = 0; t < tries; t++) {
      const x = Math.round(uni(0, W - w));
      const y = Math.round(uni(0, H - h));
      if (free(x, y, w, h)) {
        draw(x, y);
        return true;
      }
    }
    return false;
  };
  const texts = Math.floor(uni(0, 7));
  for (let i = 0; i < texts; i++) {
    const len = Math.floor(uni(2, 12));
    let str = '';
    for (let k = 0; k < len; k++) str += chance(0.15) ? ' ' : FONT_CHARS[Math.floor(rnd() * FONT_CHARS.length)];
    const scale = Math.floor(uni(1, 4));
    const level = Math.round(uni(120, 255));
    const { width: tw, height: th } = textSize(str, scale);
    place(tw, th, (x, y) => drawText(picture, str, x, y, scale, level));
  }
  if (chance(0.6)) {
    // Depth scale: a tick every 10 mm (longer every 50 mm) beside the image, with numbers.
    const pxPerCm = (10 / input.mmPerPixel) * scaleY;
    let xr = -1;
    for (let y = 0; y < H; y++) xr = Math.max(xr, rowRight[y]!);
    const left = chance(0.5);
    let xl = W;
    for (let y = 0; y < H; y++) xl = Math.min(xl, rowLeft[y]!);
    const x = left ? xl - GAP - 14 - Math.round(uni(0, 20)) : xr + GAP + 2 + Math.round(uni(0, 20));
    const level = Math.round(uni(140, 255));
    for (let k = 0; offsetY + k * pxPerCm < H - 2; k++) {
      const y = Math.round(offsetY + k * pxPerCm);
      const len = k % 5 === 0 ? 6 : 3;
      if (free(x, y, len, 1)) fillRect(picture, x, y, len, 1, level);
      if (k % 5 === 0 && k > 0 && free(x + 8, y - 2, 8, 5)) drawText(picture, String(k), x + 8, y - 2, 1, level);
    }
    notes.push('depth scale');
  }
  if (chance(0.6)) {
    const size = Math.round(uni(4, 10));
    const level = Math.round(uni(150, 255));
    place(size, size, (x, y) => fillRect(picture, x, y, size, size, level));
    notes.push('marker');
  }
  if (chance(0.2)) {
    // A UI panel at one side (smaller than the image, so the region search never prefers it).
    const pw = Math.round(uni(0.05, 0.14) * W);
    const ph = Math.round(uni(0.2, 0.7) * H);
    const level = Math.round(uni(25, 70));
    if (place(pw, ph, (x, y) => fillRect(picture, x, y, pw, ph, level), 10)) notes.push('panel');
  }
  return { picture, placement: { scaleX, scaleY, offsetX, offsetY }, issue, summary: notes.join(', ') };
}
