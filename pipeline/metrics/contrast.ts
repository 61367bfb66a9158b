/**
 * Contrast of round regions (cysts, inclusions) against their surroundings, as the reference
 * datasets measure it (../shared/datasets/rf/README.md, PICMUS us_picmus_metrics.m):
 *   inside  = disc of radius r - pad around the centre
 *   outside = annulus from r + pad to 1.2·sqrt((r - pad)² + (r + pad)²)
 *   CNR_picmus_db = 20 log10(|μ_in - μ_out| / sqrt((σ²_in + σ²_out)/2))   on the dB image
 *   cnr_linear    = |m_in - m_out| / sqrt(v_in + v_out)                    on the envelope
 *   contrast_db   = 20 log10(m_in / m_out)                                  on the envelope
 *   gCNR          = 1 - Σ_bins min(h_in, h_out), histograms of the dB values over 256 bins
 *                   spanning both regions (generalised CNR, Rodriguez-Molares et al. 2020:
 *                   1 - the overlap of the two distributions; 0 = indistinguishable, 1 = separable)
 * Variances are population variances (numpy's default). pad = 0.5 mm on Cartesian grids,
 * 1.5 mm on polar ones, as in the reference.
 *
 * Speckle SNR = mean/std of the envelope over a background region (2-D Rayleigh speckle: 1.91).
 * The datasets do not say which region they used; here it is the union of the outside annuli
 * of the anechoic cysts, which reproduces the stored values within 1.5 %.
 */
import type { ScanGrid } from '../beamform/grid.js';
import { decibelImage, imageAxes, pixelXzMm, type ImageAxes } from './image-axes.js';

export interface RoundRegion {
  xMm: number;
  zMm: number;
  rMm: number;
  /** The phantom's contrast of the region, dB (-300: anechoic). */
  contrastDb?: number;
}

export interface ContrastMeasurement {
  region: RoundRegion;
  cnrPicmusDb: number;
  cnrLinear: number;
  contrastDb: number;
  gcnr: number;
  meanDbInside: number;
  meanDbOutside: number;
  nInside: number;
  nOutside: number;
  rInnerMm: number;
  rOuter1Mm: number;
  rOuter2Mm: number;
}

export function defaultPadMm(grid: ScanGrid): number {
  return grid.kind === 'polar' ? 1.5 : 0.5;
}

export interface RegionMasks {
  inside: Uint8Array;
  outside: Uint8Array;
  rInnerMm: number;
  rOuter1Mm: number;
  rOuter2Mm: number;
}

export function regionMasks(axes: ImageAxes, region: RoundRegion, padMm: number): RegionMasks {
  const rInnerMm = region.rMm - padMm;
  const rOuter1Mm = region.rMm + padMm;
  const rOuter2Mm = 1.2 * Math.sqrt(rInnerMm ** 2 + rOuter1Mm ** 2);
  const inside = new Uint8Array(axes.rows * axes.cols);
  const outside = new Uint8Array(axes.rows * axes.cols);
  for (let r = 0; r < axes.rows; r++) {
    for (let c = 0; c < axes.cols; c++) {
      const p = pixelXzMm(axes, r, c);
      const d = Math.hypot(p.xMm - region.xMm, p.zMm - region.zMm);
      if (d <= rInnerMm) inside[r * axes.cols + c] = 1;
      else if (d >= rOuter1Mm && d <= rOuter2Mm) outside[r * axes.cols + c] = 1;
    }
  }
  return { inside, outside, rInnerMm, rOuter1Mm, rOuter2Mm };
}

interface Moments {
  n: number;
  mean: number;
  variance: number;
}

function moments(values: ArrayLike<number>, mask: Uint8Array): Moments {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) {
      n++;
      sum += values[i]!;
    }
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) ss += (values[i]! - mean) ** 2;
  return { n, mean, variance: ss / n };
}

/** 1 - overlap of the two regions' value histograms (common bins over both ranges). */
export function gcnr(values: ArrayLike<number>, inside: Uint8Array, outside: Uint8Array, bins = 256): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (inside[i] || outside[i]) {
      lo = Math.min(lo, values[i]!);
      hi = Math.max(hi, values[i]!);
    }
  }
  if (!(hi > lo)) return 0;
  const hIn = new Float64Array(bins);
  const hOut = new Float64Array(bins);
  let nIn = 0;
  let nOut = 0;
  const scale = bins / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    if (!inside[i] && !outside[i]) continue;
    const b = Math.min(bins - 1, Math.floor((values[i]! - lo) * scale));
    if (inside[i]) {
      hIn[b]!++;
      nIn++;
    } else {
      hOut[b]!++;
      nOut++;
    }
  }
  let overlap = 0;
  for (let b = 0; b < bins; b++) overlap += Math.min(hIn[b]! / nIn, hOut[b]! / nOut);
  return 1 - overlap;
}

export function measureContrast(envelope: ArrayLike<number>, db: Float64Array, axes: ImageAxes, region: RoundRegion, padMm: number): ContrastMeasurement {
  const masks = regionMasks(axes, region, padMm);
  const dIn = moments(db, masks.inside);
  const dOut = moments(db, masks.outside);
  const eIn = moments(envelope, masks.inside);
  const eOut = moments(envelope, masks.outside);
  return {
    region,
    cnrPicmusDb: 20 * Math.log10(Math.abs(dIn.mean - dOut.mean) / Math.sqrt((dIn.variance + dOut.variance) / 2)),
    cnrLinear: Math.abs(eIn.mean - eOut.mean) / Math.sqrt(eIn.variance + eOut.variance),
    contrastDb: 20 * Math.log10(eIn.mean / eOut.mean),
    gcnr: gcnr(db, masks.inside, masks.outside),
    meanDbInside: dIn.mean,
    meanDbOutside: dOut.mean,
    nInside: dIn.n,
    nOutside: dOut.n,
    rInnerMm: masks.rInnerMm,
    rOuter1Mm: masks.rOuter1Mm,
    rOuter2Mm: masks.rOuter2Mm,
  };
}

export function measureRegions(envelope: ArrayLike<number>, grid: ScanGrid, regions: readonly RoundRegion[], padMm = defaultPadMm(grid)): ContrastMeasurement[] {
  const db = decibelImage(envelope);
  const axes = imageAxes(grid);
  return regions.map((r) => measureContrast(envelope, db, axes, r, padMm));
}

/** Speckle SNR (mean/std of the envelope) over the union of the anechoic regions' outside annuli. */
export function speckleSnr(envelope: ArrayLike<number>, grid: ScanGrid, regions: readonly RoundRegion[], padMm = defaultPadMm(grid)): number | null {
  const axes = imageAxes(grid);
  const background = new Uint8Array(axes.rows * axes.cols);
  let any = false;
  for (const region of regions) {
    if ((region.contrastDb ?? -300) > -100) continue;
    const { outside } = regionMasks(axes, region, padMm);
    outside.forEach((v, i) => {
      if (v) {
        background[i] = 1;
        any = true;
      }
    });
  }
  if (!any) return null;
  const m = moments(envelope, background);
  return m.mean / Math.sqrt(m.variance);
}
