/**
 * Classical lung sliding from a window (≥ 1 s) of frames: an M-mode per column across the
 * visible pleural line. Below the pleura the lung's texture changes from frame to frame when
 * the lung slides (seashore); above it, the chest wall barely changes. For each pair of
 * consecutive frames and each sampled column, the decorrelation 1 − max ρ (ρ: correlation of the
 * column's band, searched over a few rows of axial shift so breathing and probe motion do not
 * count) is measured in a band just below the pleural row and in one just above it (chest wall).
 * score = mean decorrelation below / mean above (floored), over the window's pairs.
 * (test/unit/sim/physics-validation.test.ts measured the same idea on channel data: sliding
 * 10.8 vs pneumothorax 4.0; on 320 × 170 simulated display images this detector measures about
 * 10 vs 3, hence the thresholds in SLIDING_DEFAULTS. Real clips are not calibrated yet.)
 *
 * @example
 *   const sliding = new SlidingDetector();
 *   for (const f of frames) finding = sliding.push(f.image, f.timeMs, { yPx, topYPx, extentPx });
 */
import type { GrayImage } from './preprocess.js';
import type { SlidingFinding, SlidingState } from './types.js';

export interface SlidingOptions {
  /** Seconds of frames a state is based on (default 1). */
  windowS: number;
  /** Frame pairs needed in the window before a state is given (default 5). */
  minPairs: number;
  /** score ≥ this: sliding present (default 6). */
  presentAtScore: number;
  /** score < this: sliding absent (default 4); between the two: unknown. */
  absentBelowScore: number;
  /** Columns sampled across the visible pleura (default 48). */
  maxColumns: number;
  /** Gap between the pleural row and each band, × the skin–pleura distance (default 0.1). */
  gapFraction: number;
  /** Height of each band, × the skin–pleura distance (default 0.4). */
  bandFraction: number;
  /** Per column, the pleural row is searched within ± this × the skin–pleura distance of the given row (default 0.3). */
  rowSearchFraction: number;
}

/** Calibrated on simulated display frames (test/unit/findings/sliding-detector.test.ts logs the scores). */
export const SLIDING_DEFAULTS: SlidingOptions = { windowS: 1, minPairs: 5, presentAtScore: 6, absentBelowScore: 4, maxColumns: 48, gapFraction: 0.1, bandFraction: 0.4, rowSearchFraction: 0.3 };

/** Decorrelation of a still chest wall is ~0; this floor keeps the ratio finite and meaningful. */
const ABOVE_FLOOR = 0.01;

export interface PleuraLine {
  /** Row of the pleural line in the source image. */
  yPx: number | null;
  /** Row of the skin (the region's top): bands scale with the skin–pleura distance. */
  topYPx: number;
  extentPx: Array<[number, number]>;
}

interface Pair {
  timeMs: number;
  below: number;
  above: number;
}

export function slidingState(score: number | null, opts: Pick<SlidingOptions, 'presentAtScore' | 'absentBelowScore'> = SLIDING_DEFAULTS): SlidingState {
  if (score === null || !Number.isFinite(score)) return 'unknown';
  if (score >= opts.presentAtScore) return 'present';
  if (score < opts.absentBelowScore) return 'absent';
  return 'unknown';
}

export class SlidingDetector {
  readonly options: SlidingOptions;
  private prev: { pixels: Uint8Array; width: number; height: number; timeMs: number } | null = null;
  private pairs: Pair[] = [];

  constructor(options: Partial<SlidingOptions> = {}) {
    this.options = { ...SLIDING_DEFAULTS, ...options };
  }

  reset(): void {
    this.prev = null;
    this.pairs = [];
  }

  push(img: GrayImage, timeMs: number, pleura: PleuraLine): SlidingFinding {
    const prev = this.prev;
    if (prev && (prev.width !== img.width || prev.height !== img.height || timeMs <= prev.timeMs)) this.reset();
    if (this.prev && pleura.yPx !== null && pleura.extentPx.length) {
      const pair = this.measure(this.prev.pixels, img, pleura);
      // Identical frames (a repeated frame in a video) say nothing about motion.
      if (pair && pair.below + pair.above > 1e-4) this.pairs.push({ timeMs, ...pair });
    }
    if (!this.prev || this.prev.pixels.length !== img.pixels.length) this.prev = { pixels: new Uint8Array(img.pixels.length), width: img.width, height: img.height, timeMs };
    this.prev.pixels.set(img.pixels);
    this.prev.timeMs = timeMs;
    const from = timeMs - this.options.windowS * 1000;
    while (this.pairs.length && this.pairs[0]!.timeMs < from) this.pairs.shift();
    return this.finding();
  }

  /** The state over the current window. */
  finding(): SlidingFinding {
    const n = this.pairs.length;
    if (n < this.options.minPairs) return { state: 'unknown', score: null, windowS: 0 };
    let below = 0;
    let above = 0;
    for (const p of this.pairs) {
      below += p.below;
      above += p.above;
    }
    const score = below / n / Math.max(above / n, ABOVE_FLOOR);
    // Span covered by the pairs: each pair covers the interval before its time.
    const spanS = (this.pairs[n - 1]!.timeMs - this.pairs[0]!.timeMs) / 1000 * (n / Math.max(1, n - 1));
    const full = spanS >= 0.9 * this.options.windowS;
    return { state: full ? slidingState(score, this.options) : 'unknown', score: Math.round(score * 100) / 100, windowS: Math.round(spanS * 100) / 100 };
  }

  private measure(prev: Uint8Array, img: GrayImage, pleura: PleuraLine): { below: number; above: number } | null {
    const y = Math.round(pleura.yPx!);
    const depth = y - pleura.topYPx;
    if (depth < 8) return null;
    const gap = Math.max(2, Math.round(this.options.gapFraction * depth));
    const band = Math.max(6, Math.round(this.options.bandFraction * depth));
    const shift = Math.max(2, Math.round(0.05 * depth));
    const search = Math.round(this.options.rowSearchFraction * depth);
    const columns = sampleColumns(intercostalWindow(pleura.extentPx), this.options.maxColumns, img.width);
    let below = 0;
    let above = 0;
    let n = 0;
    for (const x of columns) {
      // The pleural line follows the probe's arc: find it in this column near the given row.
      const yc = brightestRow(img, x, y - search, y + search);
      const belowFrom = yc + gap;
      const aboveFrom = yc - gap - band;
      if (aboveFrom - shift < 0 || belowFrom + band + shift > img.height) continue;
      below += 1 - bestCorrelation(prev, img.pixels, img.width, x, belowFrom, band, shift);
      above += 1 - bestCorrelation(prev, img.pixels, img.width, x, aboveFrom, band, shift);
      n++;
    }
    return n ? { below: below / n, above: above / n } : null;
  }
}

/**
 * The widest visible span (the window between two ribs, where one looks for sliding), its
 * outer 10 % on each side left out: at the ends of a span the pleura meets a rib shadow, and
 * far lateral spans of a convex image are mostly noise, which decorrelates with or without sliding.
 */
export function intercostalWindow(spans: Array<[number, number]>): Array<[number, number]> {
  if (!spans.length) return [];
  const [a, b] = spans.reduce((w, s) => (s[1] - s[0] > w[1] - w[0] ? s : w));
  const trim = 0.1 * (b - a);
  return [[a + trim, b - trim]];
}

/** The row in [from, to] with the brightest 3-column mean around x. */
function brightestRow(img: GrayImage, x: number, from: number, to: number): number {
  const { width, height, pixels } = img;
  const x0 = Math.max(0, x - 1);
  const x1 = Math.min(width - 1, x + 1);
  let best = -1;
  let at = Math.round((from + to) / 2);
  for (let r = Math.max(0, from); r <= Math.min(height - 1, to); r++) {
    let s = 0;
    for (let c = x0; c <= x1; c++) s += pixels[r * width + c]!;
    if (s > best) {
      best = s;
      at = r;
    }
  }
  return at;
}

/** Up to `max` columns spread evenly over the spans, 2 px in from each end. */
function sampleColumns(spans: Array<[number, number]>, max: number, width: number): number[] {
  const inner = spans.map(([a, b]) => [Math.max(0, Math.ceil(a) + 2), Math.min(width, Math.floor(b) - 2)] as const).filter(([a, b]) => b > a);
  const total = inner.reduce((s, [a, b]) => s + (b - a), 0);
  if (total <= 0) return [];
  const step = Math.max(1, total / max);
  const out: number[] = [];
  let offset = step / 2;
  for (const [a, b] of inner) {
    for (; offset < b - a; offset += step) out.push(Math.floor(a + offset));
    offset -= b - a;
  }
  return out;
}

/** max over d ∈ [−shift, shift] of the correlation of prev[from..from+n) with cur[from+d..from+d+n) in column x. */
function bestCorrelation(prev: Uint8Array, cur: Uint8Array, width: number, x: number, from: number, n: number, shift: number): number {
  let sa = 0;
  let saa = 0;
  for (let r = 0; r < n; r++) {
    const v = prev[(from + r) * width + x]!;
    sa += v;
    saa += v * v;
  }
  const va = saa - (sa * sa) / n;
  let best = -1;
  for (let d = -shift; d <= shift; d++) {
    let sb = 0;
    let sbb = 0;
    let sab = 0;
    for (let r = 0; r < n; r++) {
      const a = prev[(from + r) * width + x]!;
      const b = cur[(from + r + d) * width + x]!;
      sb += b;
      sbb += b * b;
      sab += a * b;
    }
    const vb = sbb - (sb * sb) / n;
    const cov = sab - (sa * sb) / n;
    // A flat band on both sides (black, saturated) is "unchanged".
    const rho = va < 1e-6 && vb < 1e-6 ? 1 : cov / Math.sqrt(va * vb || 1);
    if (rho > best) best = rho;
  }
  return best;
}
