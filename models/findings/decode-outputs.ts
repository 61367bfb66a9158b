/**
 * The lung-findings model's outputs (model-io.ts) → findings in source pixels: sigmoids with the
 * manifest's thresholds, B-lines as peaks of `bline_map` with non-maximum suppression, the
 * pleural row as the softmax expectation of `pleura_row`, its extent from runs of
 * `pleura_visible`, lesion boxes from `lesion_map`. Pure functions of the output arrays, so the
 * decoding is tested without any weights.
 */
import { FRAME_LABELS, INPUT_SIZE, LATERAL_BINS, LESION_GRID, sigmoid, type FrameLabel } from './model-io.js';
import { toSource, type ImageRegion, type InputTransform } from './preprocess.js';
import type { BLinesFinding, Flag, PleuraFinding, RegionFinding } from './types.js';

/** One frame's raw outputs (logits), batch dimension removed. */
export interface ModelOutputs {
  frameLogits: Float32Array; // [7]
  blineMap: Float32Array; // [32]
  pleuraRow: Float32Array; // [128]
  pleuraVisible: Float32Array; // [32]
  lesionMap: Float32Array; // [2 × 32 × 32]
}

/** Decision thresholds on probabilities; the manifest's `thresholds` override these defaults. */
export interface DecodeThresholds {
  frame: Record<FrameLabel, number>;
  bLine: number;
  pleuraVisible: number;
  lesion: number;
}

export const DEFAULT_THRESHOLDS: DecodeThresholds = {
  frame: { view_ok: 0.5, a_lines: 0.5, b_lines: 0.5, confluent_b_lines: 0.5, pleura_irregular: 0.5, consolidation: 0.5, effusion: 0.5 },
  bLine: 0.5,
  pleuraVisible: 0.5,
  lesion: 0.5,
};

/**
 * Two B-line peaks at most this many lateral bins apart (4 input columns each) are one B-line,
 * unless the map dips below the threshold between them (then they are two: B-lines 2 bins apart
 * are resolved by the model with a clear gap, e.g. the `b-lines-3` preset at 80 mm depth).
 */
export const BLINE_NMS_BINS = 2;
/** The pleura counts as visible when at least this many lateral bins inside the region are. */
export const PLEURA_MIN_BINS = 2;

const BIN = INPUT_SIZE / LATERAL_BINS;
const CELL = INPUT_SIZE / LESION_GRID;

export interface DecodeContext {
  transform: InputTransform;
  region: Pick<ImageRegion, 'x0' | 'y0' | 'x1' | 'y1'>;
  mmPerPixel?: number | undefined;
  /** Depth (mm) of source row 0; default: the region's top row is the skin. */
  topDepthMm?: number | undefined;
}

export interface DecodedFrame {
  frameP: Record<FrameLabel, number>;
  pleura: PleuraFinding;
  aLines: Flag;
  bLines: BLinesFinding;
  consolidation: RegionFinding;
  effusion: RegionFinding;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r1 = (v: number): number => Math.round(v * 10) / 10;

/** Lateral bins whose centre lies inside the region (the rest is the input's padding). */
export function binsInRegion(ctx: DecodeContext): [number, number] {
  const left = ctx.transform.padX;
  const right = ctx.transform.padX + (ctx.region.x1 - ctx.region.x0) * ctx.transform.scale;
  const first = Math.max(0, Math.ceil(left / BIN - 0.5));
  const last = Math.min(LATERAL_BINS - 1, Math.floor(right / BIN - 0.5));
  return [first, last];
}

export function depthMmOf(yPx: number, ctx: DecodeContext): number | null {
  if (!ctx.mmPerPixel) return null;
  return r1((ctx.topDepthMm ?? -ctx.region.y0 * ctx.mmPerPixel) + yPx * ctx.mmPerPixel);
}

export function decodeOutputs(out: ModelOutputs, th: DecodeThresholds, ctx: DecodeContext): DecodedFrame {
  const frameP = {} as Record<FrameLabel, number>;
  FRAME_LABELS.forEach((label, i) => (frameP[label] = sigmoid(out.frameLogits[i]!)));
  const flag = (label: FrameLabel): Flag => ({ present: frameP[label] >= th.frame[label], p: r3(frameP[label]) });
  const t = ctx.transform;
  const [firstBin, lastBin] = binsInRegion(ctx);

  // Pleural row: softmax expectation over input rows (pixel centres at r + 0.5).
  let max = -Infinity;
  for (const v of out.pleuraRow) max = Math.max(max, v);
  let z = 0;
  let m = 0;
  for (let r = 0; r < out.pleuraRow.length; r++) {
    const w = Math.exp(out.pleuraRow[r]! - max);
    z += w;
    m += w * (r + 0.5);
  }
  const pleuraYIn = m / z;

  // Visible extent: runs of bins above threshold.
  const visP = new Float64Array(LATERAL_BINS);
  for (let b = 0; b < LATERAL_BINS; b++) visP[b] = sigmoid(out.pleuraVisible[b]!);
  const extentPx: Array<[number, number]> = [];
  let visibleBins = 0;
  let pVisible = 0;
  for (let b = firstBin; b <= lastBin; b++) {
    pVisible = Math.max(pVisible, visP[b]!);
    if (visP[b]! < th.pleuraVisible) continue;
    visibleBins++;
    const x0 = Math.max(ctx.region.x0, toSource(t, b * BIN, 0).x);
    const x1 = Math.min(ctx.region.x1, toSource(t, (b + 1) * BIN, 0).x);
    const last = extentPx[extentPx.length - 1];
    if (last && b > firstBin && visP[b - 1]! >= th.pleuraVisible) last[1] = r1(x1);
    else extentPx.push([r1(x0), r1(x1)]);
  }
  const pleuraPresent = visibleBins >= PLEURA_MIN_BINS;
  const yPx = pleuraPresent ? r1(toSource(t, 0, pleuraYIn).y) : null;
  const pleura: PleuraFinding = {
    present: pleuraPresent,
    p: r3(pVisible),
    yPx,
    depthMm: yPx === null ? null : depthMmOf(yPx, ctx),
    extentPx: pleuraPresent ? extentPx : [],
    irregular: flag('pleura_irregular'),
  };

  // B-lines: local maxima of bline_map above threshold, strongest first, NMS over BLINE_NMS_BINS.
  const bP = Array.from({ length: LATERAL_BINS }, (_, b) => sigmoid(out.blineMap[b]!));
  const peaks: number[] = [];
  for (let b = firstBin; b <= lastBin; b++) {
    if (bP[b]! < th.bLine) continue;
    if ((b > firstBin && bP[b - 1]! > bP[b]!) || (b < lastBin && bP[b + 1]! >= bP[b]!)) continue;
    peaks.push(b);
  }
  peaks.sort((a, b) => bP[b]! - bP[a]!);
  const kept: number[] = [];
  const dipBetween = (a: number, b: number): boolean => {
    for (let i = Math.min(a, b) + 1; i < Math.max(a, b); i++) if (bP[i]! < th.bLine) return true;
    return false;
  };
  for (const b of peaks) if (kept.every((k) => Math.abs(k - b) > BLINE_NMS_BINS || dipBetween(k, b))) kept.push(b);
  kept.sort((a, b) => a - b);
  const centreX = (ctx.region.x0 + ctx.region.x1) / 2;
  const positionsPx = kept.map((b) => {
    // Sub-bin position from a parabola through the peak and its neighbours.
    const l = bP[b - 1] ?? bP[b]!;
    const r = bP[b + 1] ?? bP[b]!;
    const den = l - 2 * bP[b]! + r;
    const off = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / den)) : 0;
    return r1(toSource(t, (b + 0.5 + off) * BIN, pleuraYIn).x);
  });
  let covered = 0;
  for (let b = firstBin; b <= lastBin; b++) if (visP[b]! >= th.pleuraVisible && bP[b]! >= th.bLine) covered++;
  const bFrame = frameP.b_lines;
  const pB = Math.max(bFrame, ...kept.map((b) => bP[b]!));
  const bLines: BLinesFinding = {
    present: kept.length > 0 || bFrame >= th.frame.b_lines,
    p: r3(pB),
    count: kept.length,
    positionsPx,
    positionsMm: ctx.mmPerPixel ? positionsPx.map((x) => r1((x - centreX) * ctx.mmPerPixel!)) : null,
    confluent: flag('confluent_b_lines'),
    coverage: visibleBins ? r3(covered / visibleBins) : 0,
  };

  return {
    frameP,
    pleura,
    aLines: flag('a_lines'),
    bLines,
    consolidation: { ...flag('consolidation'), boxPx: lesionBox(out.lesionMap, 0, th.lesion, t) },
    effusion: { ...flag('effusion'), boxPx: lesionBox(out.lesionMap, 1, th.lesion, t) },
  };
}

/** Bounding box (source pixels) of the largest 4-connected group of cells above threshold. */
export function lesionBox(map: Float32Array, channel: number, threshold: number, t: InputTransform): RegionFinding['boxPx'] {
  const n = LESION_GRID;
  const logit = Math.log(threshold / (1 - threshold));
  const base = channel * n * n;
  const seen = new Uint8Array(n * n);
  let best: { size: number; c0: number; r0: number; c1: number; r1: number } | null = null;
  for (let i = 0; i < n * n; i++) {
    if (seen[i] || map[base + i]! < logit) continue;
    const stack = [i];
    seen[i] = 1;
    const box = { size: 0, c0: n, r0: n, c1: 0, r1: 0 };
    while (stack.length) {
      const k = stack.pop()!;
      const c = k % n;
      const r = (k - c) / n;
      box.size++;
      box.c0 = Math.min(box.c0, c);
      box.c1 = Math.max(box.c1, c + 1);
      box.r0 = Math.min(box.r0, r);
      box.r1 = Math.max(box.r1, r + 1);
      for (const j of [c > 0 ? k - 1 : -1, c < n - 1 ? k + 1 : -1, r > 0 ? k - n : -1, r < n - 1 ? k + n : -1]) {
        if (j >= 0 && !seen[j] && map[base + j]! >= logit) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    if (!best || box.size > best.size) best = box;
  }
  if (!best) return null;
  const a = toSource(t, best.c0 * CELL, best.r0 * CELL);
  const b = toSource(t, best.c1 * CELL, best.r1 * CELL);
  return { x0: r1(a.x), y0: r1(a.y), x1: r1(b.x), y1: r1(b.y) };
}
