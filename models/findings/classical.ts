/**
 * Classical detectors, for comparison with the model ("measure both"), on the same prepared
 * input (preprocess.ts: 128 × 128, region only) and with the same output shape as the model's
 * decoding, so an evaluation swaps one for the other:
 *
 * * pleural line: dynamic programming finds the brightest continuous ridge (a bright row between
 *   darker rows) in the upper 60 % of the image; a column counts as visible where the ridge is
 *   strong and there is no acoustic shadow (a rib) below it. Irregular: the ridge's residual
 *   roughness around a quadratic (the arc of a convex probe) or gaps inside its span.
 * * A-lines: the row profile at 2 × (and 3 ×) the skin–pleura distance stands out from the profile
 *   halfway between (per visible column, median over columns).
 * * B-lines: per visible column, the mean level below the pleura; peaks ≥ reference + 6 dB (the
 *   display maps `displayRangeDb` to 255 levels) with a prominence of 3 dB, at least
 *   MIN_SEPARATION columns apart. Reference: the median column, or the chest wall above the
 *   pleura if darker (so that a white lung, whose median is bright, still stands out).
 * * consolidation, effusion: no classical detector (always absent, p = 0).
 */
import { emptyFindings, FrameAnalyzerBase, type AnalyzerStats, type FrameAnalyzer, type FrameMeta } from './frame-analyzer.js';
import { depthMmOf, type DecodeContext } from './decode-outputs.js';
import { INPUT_SIZE } from './model-io.js';
import { prepareInput, toSource, type GrayImage } from './preprocess.js';
import { noImageQuality, qualityFinding, qualityReasons } from './quality-rules.js';
import type { SlidingOptions } from './sliding-detector.js';
import type { BLinesFinding, Flag, FrameFindings, PleuraFinding } from './types.js';

export interface ClassicalOptions {
  /** Dynamic range of the display image, dB over 255 levels (device default 50). */
  displayRangeDb: number;
  sliding?: Partial<SlidingOptions>;
}

export const CLASSICAL_DEFAULTS: ClassicalOptions = { displayRangeDb: 50 };

const N = INPUT_SIZE;
/** Rows above/below a pleura candidate that must be darker than it (input pixels). */
const RIDGE_HALF_WIDTH = 3;
/** Smoothness of the pleural path: cost of a one-row step between neighbouring columns. */
const STEP_COST = 0.01;
/** Ridge contrast (0–1 levels) for a column of visible pleura. */
const RIDGE_MIN = 0.05;
/** Below a rib the image is dark: a column is shadowed when its mean below is < this × the region's mean. */
const SHADOW_RATIO = 0.45;
const MIN_SEPARATION = 5;
const MIN_VISIBLE_COLUMNS = 8;

const r1 = (v: number): number => Math.round(v * 10) / 10;
const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const clamp01 = (v: number): number => Math.max(0, Math.min(1, v));

export interface ClassicalFrame {
  pleura: PleuraFinding;
  aLines: Flag;
  bLines: BLinesFinding;
  /** Pleura path row per input column (−1 outside the region), for drawing and tests. */
  pathRow: Int16Array;
}

/** Detection on a prepared input (values 0–1, INPUT_SIZE², region only). */
export function detectClassical(input: Float32Array, ctx: DecodeContext, opts: ClassicalOptions = CLASSICAL_DEFAULTS): ClassicalFrame {
  const t = ctx.transform;
  const cL = Math.max(0, Math.ceil(t.padX));
  const cR = Math.min(N, Math.floor(t.padX + (ctx.region.x1 - ctx.region.x0) * t.scale));
  const rows = Math.min(N, Math.floor((ctx.region.y1 - ctx.region.y0) * t.scale));
  const level = (db: number) => (db * 255) / opts.displayRangeDb / 255;
  // 3 × 3 box smoothing.
  const S = new Float32Array(N * N);
  for (let r = 1; r < rows - 1; r++) {
    for (let c = Math.max(1, cL); c < Math.min(N - 1, cR); c++) {
      let s = 0;
      for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) s += input[(r + dr) * N + c + dc]!;
      S[r * N + c] = s / 9;
    }
  }
  // Skin (first non-empty row) and bottom (last) per column; the region's mean level.
  const top = new Int16Array(N).fill(-1);
  const bottom = new Int16Array(N).fill(-1);
  let sum = 0;
  let count = 0;
  for (let c = cL; c < cR; c++) {
    for (let r = 0; r < rows; r++) {
      const v = input[r * N + c]!;
      if (v > 0) {
        if (top[c] < 0) top[c] = r;
        bottom[c] = r;
        sum += v;
        count++;
      }
    }
  }
  const regionMean = count ? sum / count : 0;
  const none = classicalNone(ctx);
  if (cR - cL < 8 || rows < 24 || regionMean <= 0) return none;

  // Ridge strength with a shadow check, then the best path by dynamic programming.
  const rTop = 3 + RIDGE_HALF_WIDTH;
  const rBot = Math.floor(0.6 * rows);
  const ridge = new Float32Array(N * N);
  const shadowed = new Uint8Array(N * N);
  for (let c = cL; c < cR; c++) {
    if (top[c]! < 0) continue;
    for (let r = Math.max(rTop, top[c]! + 2); r < rBot; r++) {
      const v = S[r * N + c]! - 0.5 * (S[(r - RIDGE_HALF_WIDTH) * N + c]! + S[(r + RIDGE_HALF_WIDTH) * N + c]!);
      let below = 0;
      const to = Math.min(bottom[c]!, r + 4 + Math.round(0.25 * rows));
      for (let k = r + 4; k <= to; k++) below += S[k * N + c]!;
      const belowMean = to >= r + 4 ? below / (to - r - 3) : 0;
      const shadow = belowMean < SHADOW_RATIO * regionMean;
      shadowed[r * N + c] = shadow ? 1 : 0;
      ridge[r * N + c] = shadow ? v * 0.25 : v;
    }
  }
  const score = new Float32Array(N * N).fill(-Infinity);
  const from = new Int8Array(N * N);
  for (let r = rTop; r < rBot; r++) score[r * N + cL] = ridge[r * N + cL]!;
  for (let c = cL + 1; c < cR; c++) {
    for (let r = rTop; r < rBot; r++) {
      let best = -Infinity;
      let arg = 0;
      for (let d = -1; d <= 1; d++) {
        const rr = r + d;
        if (rr < rTop || rr >= rBot) continue;
        const s = score[rr * N + c - 1]! - STEP_COST * Math.abs(d);
        if (s > best) {
          best = s;
          arg = d;
        }
      }
      score[r * N + c] = best + ridge[r * N + c]!;
      from[r * N + c] = arg;
    }
  }
  const pathRow = new Int16Array(N).fill(-1);
  let bestR = rTop;
  for (let r = rTop; r < rBot; r++) if (score[r * N + cR - 1]! > score[bestR * N + cR - 1]!) bestR = r;
  for (let c = cR - 1, r = bestR; c >= cL; c--) {
    pathRow[c] = r;
    r += from[r * N + c]!;
  }

  // Visible columns: a strong ridge with no shadow below; runs with gaps ≤ 2 merged.
  const visible = new Uint8Array(N);
  for (let c = cL; c < cR; c++) {
    const r = pathRow[c]!;
    visible[c] = top[c]! >= 0 && r > top[c]! && !shadowed[r * N + c] && S[r * N + c]! - 0.5 * (S[(r - RIDGE_HALF_WIDTH) * N + c]! + S[(r + RIDGE_HALF_WIDTH) * N + c]!) >= RIDGE_MIN ? 1 : 0;
  }
  const runs: Array<[number, number]> = [];
  for (let c = cL; c < cR; c++) {
    if (!visible[c]) continue;
    const last = runs[runs.length - 1];
    if (last && c - last[1] <= 3) last[1] = c + 1;
    else runs.push([c, c + 1]);
  }
  const kept = runs.filter(([a, b]) => b - a >= 4);
  const visibleCols = kept.reduce((s, [a, b]) => s + (b - a), 0);
  const pPleura = clamp01(visibleCols / (0.3 * (cR - cL)));
  if (visibleCols < MIN_VISIBLE_COLUMNS) return { ...none, pleura: { ...none.pleura, p: r3(pPleura) }, pathRow };
  const longest = kept.reduce((a, b) => (b[1] - b[0] > a[1] - a[0] ? b : a));
  // The row: the median over visible columns (the middle of one run can sit on a rib's edge).
  const visibleRows: number[] = [];
  for (const [a, b] of kept) for (let c = a; c < b; c++) if (visible[c]) visibleRows.push(pathRow[c]!);
  const yIn = median(visibleRows) + 0.5;
  const yPx = r1(toSource(t, 0, yIn).y);

  // Irregularity: residual of a quadratic fit over the longest run, and gaps inside the span.
  const xs: number[] = [];
  const ys: number[] = [];
  for (let c = longest[0]; c < longest[1]; c++) if (visible[c]) (xs.push(c), ys.push(pathRow[c]!));
  const residual = quadraticResidualStd(xs, ys);
  const span = kept[kept.length - 1]![1] - kept[0]![0];
  const gaps = 1 - visibleCols / span;
  const pIrregular = clamp01(Math.max(residual / 1.6, gaps / 0.5));
  const extentPx = kept.map(([a, b]) => [r1(Math.max(ctx.region.x0, toSource(t, a, 0).x)), r1(Math.min(ctx.region.x1, toSource(t, b, 0).x))] as [number, number]);
  const pleura: PleuraFinding = {
    present: true,
    p: r3(pPleura),
    yPx,
    depthMm: depthMmOf(yPx, ctx),
    extentPx,
    irregular: { present: pIrregular >= 0.5, p: r3(pIrregular) },
  };

  // A-lines and B-lines, per visible column.
  const contrasts: number[] = [];
  const colMean = new Float32Array(N);
  const wall: number[] = [];
  const cols: number[] = [];
  for (let c = cL; c < cR; c++) {
    if (!visible[c]) continue;
    const p = pathRow[c]!;
    const d = p - top[c]!;
    const at = (r: number) => (r >= 0 && r < rows ? S[Math.round(r) * N + c]! : NaN);
    const peakNear = (r: number) => Math.max(at(r - 1), at(r), at(r + 1));
    const a2 = peakNear(top[c]! + 2 * d);
    const base = 0.5 * (at(top[c]! + 1.5 * d) + at(top[c]! + 2.5 * d));
    if (Number.isFinite(a2) && Number.isFinite(base)) contrasts.push(a2 - base);
    let s = 0;
    let n = 0;
    for (let r = p + Math.max(3, Math.round(0.3 * d)); r <= bottom[c]!; r++) {
      s += S[r * N + c]!;
      n++;
    }
    colMean[c] = n ? s / n : 0;
    cols.push(c);
    let w = 0;
    let wn = 0;
    for (let r = Math.max(top[c]! + 1, p - Math.round(0.6 * d)); r < p - RIDGE_HALF_WIDTH; r++) {
      w += S[r * N + c]!;
      wn++;
    }
    if (wn) wall.push(w / wn);
  }
  const aContrast = contrasts.length >= MIN_VISIBLE_COLUMNS ? median(contrasts) : 0;
  const pA = clamp01(aContrast / (2 * level(2)));
  const aLines: Flag = { present: aContrast >= level(2), p: r3(pA) };

  const reference = Math.min(median(cols.map((c) => colMean[c]!)), wall.length ? median(wall) : Infinity);
  const threshold = reference + level(6);
  const prominence = level(3);
  const peaks: Array<{ c: number; v: number }> = [];
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    const v = colMean[c]!;
    if (v < threshold) continue;
    if ((i > 0 && colMean[cols[i - 1]!]! > v) || (i < cols.length - 1 && colMean[cols[i + 1]!]! >= v)) continue;
    // Prominence: the higher of the two minima down to a higher peak (or the ends) on each side.
    let leftMin = v;
    for (let j = i - 1; j >= 0 && colMean[cols[j]!]! <= v; j--) leftMin = Math.min(leftMin, colMean[cols[j]!]!);
    let rightMin = v;
    for (let j = i + 1; j < cols.length && colMean[cols[j]!]! <= v; j++) rightMin = Math.min(rightMin, colMean[cols[j]!]!);
    if (v - Math.max(leftMin, rightMin) < prominence && v - Math.min(leftMin, rightMin) < prominence) continue;
    peaks.push({ c, v });
  }
  peaks.sort((a, b) => b.v - a.v);
  const lines: Array<{ c: number; v: number }> = [];
  for (const pk of peaks) if (lines.every((l) => Math.abs(l.c - pk.c) >= MIN_SEPARATION)) lines.push(pk);
  lines.sort((a, b) => a.c - b.c);
  const above = cols.filter((c) => colMean[c]! >= threshold).length;
  const coverage = cols.length ? above / cols.length : 0;
  let run = 0;
  let longestRun = 0;
  for (let i = 0; i < cols.length; i++) {
    const bright = colMean[cols[i]!]! >= threshold;
    run = bright ? (i > 0 && cols[i - 1] === cols[i]! - 1 ? run + 1 : 1) : 0;
    longestRun = Math.max(longestRun, run);
  }
  const pConfluent = clamp01(longestRun / Math.max(12, 0.5 * cols.length));
  const centreX = (ctx.region.x0 + ctx.region.x1) / 2;
  const positionsPx = lines.map((l) => r1(toSource(t, l.c + 0.5, yIn).x));
  const pB = lines.length ? clamp01(0.5 + (Math.max(...lines.map((l) => l.v)) - threshold) / level(12)) : clamp01(0.5 * (coverage / 0.1));
  const bLines: BLinesFinding = {
    present: lines.length > 0,
    p: r3(pB),
    count: lines.length,
    positionsPx,
    positionsMm: ctx.mmPerPixel ? positionsPx.map((x) => r1((x - centreX) * ctx.mmPerPixel!)) : null,
    confluent: { present: pConfluent >= 0.5 && longestRun >= 12, p: r3(pConfluent) },
    coverage: r3(coverage),
  };
  return { pleura, aLines, bLines, pathRow };
}

function classicalNone(ctx: DecodeContext): ClassicalFrame {
  void ctx;
  const none = { present: false, p: 0 };
  return {
    pleura: { ...none, yPx: null, depthMm: null, extentPx: [], irregular: { ...none } },
    aLines: { ...none },
    bLines: { ...none, count: 0, positionsPx: [], positionsMm: null, confluent: { ...none }, coverage: 0 },
    pathRow: new Int16Array(N).fill(-1),
  };
}

function median(v: number[]): number {
  if (!v.length) return 0;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

/** Standard deviation of ys around the least-squares quadratic in xs. */
function quadraticResidualStd(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 5) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  // Normal equations for y = a + b·u + c·u², u = x − mean (well conditioned).
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
  for (let i = 0; i < n; i++) {
    const u = xs[i]! - mx;
    const y = ys[i]!;
    s0 += 1; s1 += u; s2 += u * u; s3 += u * u * u; s4 += u * u * u * u;
    t0 += y; t1 += u * y; t2 += u * u * y;
  }
  const det = (m: number[][]) => m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const A = [[s0, s1, s2], [s1, s2, s3], [s2, s3, s4]];
  const D = det(A);
  if (Math.abs(D) < 1e-9) return 0;
  const col = (k: number) => A.map((row, i) => row.map((v, j) => (j === k ? [t0, t1, t2][i]! : v)));
  const a = det(col(0)) / D;
  const b = det(col(1)) / D;
  const c = det(col(2)) / D;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const u = xs[i]! - mx;
    const e = ys[i]! - (a + b * u + c * u * u);
    ss += e * e;
  }
  return Math.sqrt(ss / n);
}

/** The classical detectors behind the same per-frame API as FindingsEngine. */
export class ClassicalFindings extends FrameAnalyzerBase implements FrameAnalyzer {
  readonly method = 'classical' as const;
  readonly executionProvider = 'classical';
  readonly options: ClassicalOptions;

  constructor(options: Partial<ClassicalOptions> = {}) {
    const o = { ...CLASSICAL_DEFAULTS, ...options };
    super(o.sliding ?? {});
    this.options = o;
  }

  async analyzeFrame(img: GrayImage, meta: FrameMeta): Promise<FrameFindings> {
    const t0 = performance.now();
    const region = this.regions.ensure(img);
    let f: FrameFindings;
    if (!region) {
      this.sliding.reset();
      f = emptyFindings(meta, noImageQuality(), 0);
    } else {
      const { transform } = prepareInput(img, region, this.input);
      const ctx = { transform, region, mmPerPixel: meta.mmPerPixel, topDepthMm: meta.topDepthMm };
      const d = detectClassical(this.input, ctx, this.options);
      f = emptyFindings(meta, qualityFinding(d.pleura.p, 0.5, qualityReasons(img, region, d.pleura)), 0);
      f.pleura = d.pleura;
      f.aLines = d.aLines;
      f.bLines = d.bLines;
      f.sliding = this.sliding.push(img, meta.timeMs, { yPx: d.pleura.yPx, topYPx: region.y0, extentPx: d.pleura.extentPx });
      f.geometry = { regionPx: { x0: region.x0, y0: region.y0, x1: region.x1, y1: region.y1 }, mmPerPixel: meta.mmPerPixel ?? null };
    }
    return this.finish(f, t0);
  }

  stats(): AnalyzerStats {
    return { method: 'classical', executionProvider: 'classical', ...this.timing(), modelMsP50: null };
  }

  async close(): Promise<void> {}
}
