/**
 * Point-target resolution, as the reference datasets measure it (../shared/datasets/rf/README.md,
 * the PICMUS evaluation): search the envelope's maximum in a box around the true position,
 * then the full width at half maximum (-6 dB) of the dB profiles through that peak, axially
 * (along z, or r on a polar grid) and laterally (along x, or the arc r·θ), after linear
 * interpolation of the dB profile onto 10× as many points (linspace over the profile's span),
 * counting the contiguous run >= peak - 6 dB.
 *
 * Box: |x - x₀| and |z - z₀| <= half-width on a Cartesian grid; on a polar grid
 * |r - r₀| <= half-width and |r₀(θ - θ₀)| <= half-width (r₀, θ₀ of the true position).
 * These choices reproduce every value in the datasets' das.json to 1e-12
 * (test/unit/metrics/reference-metrics.test.ts).
 */
import { decibelImage, imageAxes, pixelXzMm, type ImageAxes } from './image-axes.js';
import type { ScanGrid } from '../beamform/grid.js';

export interface PointTarget {
  xMm: number;
  zMm: number;
}

export interface PointMeasurement {
  xTrueMm: number;
  zTrueMm: number;
  xPeakMm: number;
  zPeakMm: number;
  /** Peak relative to the image maximum, dB. */
  peakDb: number;
  fwhmAxialMm: number;
  fwhmLateralMm: number;
}

/** Search half-widths used by the reference: 1.8 mm on Cartesian grids, 3 mm on polar ones. */
export function defaultSearchHalfWidthMm(grid: ScanGrid): number {
  return grid.kind === 'polar' ? 3 : 1.8;
}

/** -6 dB width of a dB profile sampled at `axis` (increasing), with 10× linear interpolation. */
export function fwhm(profileDb: ArrayLike<number>, axis: ArrayLike<number>, upsampling = 10): number {
  const n = profileDb.length;
  if (n < 2) return 0;
  const m = upsampling * n;
  const a0 = axis[0]!;
  const step = (axis[n - 1]! - a0) / (m - 1);
  const fine = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < m; i++) {
    const x = a0 + i * step;
    while (k < n - 2 && axis[k + 1]! < x) k++;
    const f = (x - axis[k]!) / (axis[k + 1]! - axis[k]!);
    fine[i] = profileDb[k]! + Math.min(1, Math.max(0, f)) * (profileDb[k + 1]! - profileDb[k]!);
  }
  let peak = 0;
  for (let i = 1; i < m; i++) if (fine[i]! > fine[peak]!) peak = i;
  const floor = fine[peak]! - 6;
  let lo = peak;
  let hi = peak;
  while (lo > 0 && fine[lo - 1]! >= floor) lo--;
  while (hi < m - 1 && fine[hi + 1]! >= floor) hi++;
  return (hi - lo) * step;
}

function indicesWithin(values: ArrayLike<number>, test: (v: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (test(values[i]!)) out.push(i);
  return out;
}

export function measurePoint(db: Float64Array, axes: ImageAxes, target: PointTarget, halfWidthMm: number): PointMeasurement | null {
  let rows: number[];
  let cols: number[];
  if (axes.grid.kind === 'polar') {
    const r0 = Math.hypot(target.xMm, target.zMm + axes.apothemMm);
    const th0 = Math.atan2(target.xMm, target.zMm + axes.apothemMm);
    rows = indicesWithin(axes.rowMm, (r) => Math.abs(r - r0) <= halfWidthMm);
    cols = indicesWithin(axes.col, (th) => Math.abs(r0 * (th - th0)) <= halfWidthMm);
  } else {
    rows = indicesWithin(axes.rowMm, (z) => Math.abs(z - target.zMm) <= halfWidthMm);
    cols = indicesWithin(axes.col, (x) => Math.abs(x - target.xMm) <= halfWidthMm);
  }
  if (rows.length < 2 || cols.length < 2) return null;
  let best = -Infinity;
  let pr = rows[0]!;
  let pc = cols[0]!;
  for (const r of rows) {
    for (const c of cols) {
      const v = db[r * axes.cols + c]!;
      if (v > best) {
        best = v;
        pr = r;
        pc = c;
      }
    }
  }
  const axialDb = rows.map((r) => db[r * axes.cols + pc]!);
  const axialMm = rows.map((r) => axes.rowMm[r]!);
  const lateralDb = cols.map((c) => db[pr * axes.cols + c]!);
  // Polar: the arc length r·θ at the peak's radius.
  const lateralMm = cols.map((c) => (axes.grid.kind === 'polar' ? axes.rowMm[pr]! * axes.col[c]! : axes.col[c]!));
  const peak = pixelXzMm(axes, pr, pc);
  return {
    xTrueMm: target.xMm,
    zTrueMm: target.zMm,
    xPeakMm: peak.xMm,
    zPeakMm: peak.zMm,
    peakDb: best,
    fwhmAxialMm: fwhm(axialDb, axialMm),
    fwhmLateralMm: fwhm(lateralDb, lateralMm),
  };
}

/** Every target of the phantom; a target outside the image is left out. */
export function measurePointTargets(envelope: ArrayLike<number>, grid: ScanGrid, targets: readonly PointTarget[], halfWidthMm = defaultSearchHalfWidthMm(grid)): PointMeasurement[] {
  const db = decibelImage(envelope);
  const axes = imageAxes(grid);
  return targets.map((t) => measurePoint(db, axes, t, halfWidthMm)).filter((m): m is PointMeasurement => m !== null);
}
