/**
 * Rule-based view quality from the image itself, beside the model's `view_ok`: the reasons a
 * novice can act on (types.ts QualityReasonCode). Thresholds are on the display image's grey
 * levels and on the pleural line's position in the ultrasound region, so they hold for
 * uncalibrated clips; `pleura-too-deep` needs mm and is only judged on calibrated images.
 */
import type { ImageRegion, GrayImage } from './preprocess.js';
import type { QualityFinding, QualityReasonCode } from './types.js';

export const QUALITY_RULES = {
  /** Mean grey level inside the region below which the image is too dark. */
  gainLowMean: 14,
  /** Mean grey level inside the region above which the image is washed out. */
  gainHighMean: 150,
  /** The visible pleural line must span at least this fraction of the region's width. */
  pleuraMinWidthFraction: 0.15,
  /** Image depth below the pleura must be ≥ this × the skin–pleura distance (to see the first A-line at 2×). */
  belowPleuraMinRatio: 1.05,
  /** Calibrated only: a pleural line deeper than this (mm) is too deep. */
  pleuraMaxDepthMm: 45,
} as const;

export const QUALITY_MESSAGES: Record<QualityReasonCode, string> = {
  'no-image': 'No ultrasound image: put gel on the probe and place it on the chest.',
  'pleura-not-visible': 'Pleural line not seen: place the probe between two ribs, across them, and tilt it slightly.',
  'pleura-too-short': 'The pleural line is seen over too little width: a rib is in the way; move the probe a little up or down.',
  'gain-too-high': 'The image is too bright: lower the gain.',
  'gain-too-low': 'The image is too dark: raise the gain, or add gel and press a little.',
  'pleura-too-deep': 'The pleural line lies very deep (thick chest wall?): try a spot with less soft tissue.',
  'depth-too-shallow': 'The image ends just below the pleural line: increase the depth.',
};

export interface PleuraForQuality {
  present: boolean;
  yPx: number | null;
  depthMm: number | null;
  extentPx: Array<[number, number]>;
}

export function reason(code: QualityReasonCode): { code: QualityReasonCode; message: string } {
  return { code, message: QUALITY_MESSAGES[code] };
}

/** Mean grey level inside the region (every 3rd pixel of every 3rd row: enough, and cheap). */
export function regionMean(img: GrayImage, region: ImageRegion): number {
  let s = 0;
  let n = 0;
  for (let y = region.y0; y < region.y1; y += 3) {
    const row = y * img.width;
    for (let x = region.x0; x < region.x1; x += 3) {
      if (region.mask[row + x]) {
        s += img.pixels[row + x]!;
        n++;
      }
    }
  }
  return n ? s / n : 0;
}

export function qualityReasons(img: GrayImage, region: ImageRegion, pleura: PleuraForQuality): Array<{ code: QualityReasonCode; message: string }> {
  const reasons: Array<{ code: QualityReasonCode; message: string }> = [];
  const mean = regionMean(img, region);
  if (mean < QUALITY_RULES.gainLowMean) reasons.push(reason('gain-too-low'));
  if (mean > QUALITY_RULES.gainHighMean) reasons.push(reason('gain-too-high'));
  if (!pleura.present || pleura.yPx === null) {
    reasons.push(reason('pleura-not-visible'));
    return reasons;
  }
  const width = pleura.extentPx.reduce((s, [a, b]) => s + (b - a), 0);
  if (width < QUALITY_RULES.pleuraMinWidthFraction * (region.x1 - region.x0)) reasons.push(reason('pleura-too-short'));
  const above = pleura.yPx - region.y0;
  const below = region.y1 - pleura.yPx;
  if (below < QUALITY_RULES.belowPleuraMinRatio * above) reasons.push(reason('depth-too-shallow'));
  if (pleura.depthMm !== null && pleura.depthMm > QUALITY_RULES.pleuraMaxDepthMm) reasons.push(reason('pleura-too-deep'));
  return reasons;
}

/** Reasons that make a frame unusable for findings (gain problems only lower the score). */
const BLOCKING: ReadonlySet<QualityReasonCode> = new Set(['no-image', 'pleura-not-visible', 'pleura-too-short', 'depth-too-shallow']);

/** Combines a view probability (model `view_ok`, or a classical score) with the rule-based reasons. */
export function qualityFinding(viewP: number, viewThreshold: number, reasons: QualityFinding['reasons']): QualityFinding {
  const blocking = reasons.some((r) => BLOCKING.has(r.code));
  const score = Math.max(0, Math.min(1, viewP * Math.pow(0.6, reasons.length)));
  return { usable: viewP >= viewThreshold && !blocking, score: round3(score), reasons };
}

export function noImageQuality(): QualityFinding {
  return { usable: false, score: 0, reasons: [reason('no-image')] };
}

export const round3 = (v: number): number => Math.round(v * 1000) / 1000;
