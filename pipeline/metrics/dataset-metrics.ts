/**
 * The image-quality metrics of a reference dataset's envelope, measured the way its das.json
 * stores them (same keys, same units), so that the two can be compared value by value:
 *   points / points_polar_grid       FWHM and peak of every phantom point (point-targets.ts)
 *   points_fine_cartesian_patch_0p05mm   (polar datasets, compound) the same on 0.05 mm
 *                                    Cartesian patches re-beamformed around each point
 *   cysts, inclusions                CNR, contrast, gCNR (contrast.ts)
 *   speckle_snr_background
 */
import type { ScanGrid } from '../beamform/grid.js';
import { Beamformer } from '../beamform/beamformer.js';
import type { CystMetricJson, ImageMetricsJson, PointMetricJson, ReferenceDataset } from '../beamform/reference-dataset.js';
import { measureRegions, speckleSnr, type ContrastMeasurement, type RoundRegion } from './contrast.js';
import { measurePointTargets, type PointMeasurement, type PointTarget } from './point-targets.js';

export type PointJson = PointMetricJson;
export type ContrastJson = CystMetricJson & { gcnr: number };

export interface DatasetMetricsJson {
  points?: PointJson[];
  points_polar_grid?: PointJson[];
  points_fine_cartesian_patch_0p05mm?: PointJson[];
  cysts?: ContrastJson[];
  inclusions?: ContrastJson[];
  speckle_snr_background?: number;
}

/** The fine patches of the reference: x₀ - 2.5 mm + 0.05 mm·i, i < 100 (z likewise). */
export const FINE_PATCH = { startMm: -2.5, stepMm: 0.05, count: 100 } as const;

export function pointJson(m: PointMeasurement): PointJson {
  return { x_true_mm: m.xTrueMm, z_true_mm: m.zTrueMm, x_peak_mm: m.xPeakMm, z_peak_mm: m.zPeakMm, peak_db: m.peakDb, fwhm_axial_mm: m.fwhmAxialMm, fwhm_lateral_mm: m.fwhmLateralMm };
}

export function contrastJson(m: ContrastMeasurement): ContrastJson {
  return {
    cnr_picmus_db: m.cnrPicmusDb,
    cnr_linear: m.cnrLinear,
    contrast_db: m.contrastDb,
    gcnr: m.gcnr,
    mean_db_inside: m.meanDbInside,
    mean_db_outside: m.meanDbOutside,
    n_inside: m.nInside,
    n_outside: m.nOutside,
    cyst: { x_mm: m.region.xMm, z_mm: m.region.zMm, r_mm: m.region.rMm, contrast_db: m.region.contrastDb ?? -300 },
    r_inner_mm: m.rInnerMm,
    r_outer1_mm: m.rOuter1Mm,
    r_outer2_mm: m.rOuter2Mm,
  };
}

export function phantomPoints(ds: ReferenceDataset): PointTarget[] {
  return (ds.phantom?.points_mm ?? []).map(([xMm, zMm]) => ({ xMm, zMm }));
}

export function phantomRegions(ds: ReferenceDataset): RoundRegion[] {
  return (ds.phantom?.cysts ?? []).map((c) => ({ xMm: c.x_mm, zMm: c.z_mm, rMm: c.r_mm, contrastDb: c.contrast_db }));
}

/** Envelope → metrics in das.json's layout. `patches` beamforms the fine patches (compound, polar). */
export function datasetMetrics(ds: ReferenceDataset, envelope: ArrayLike<number>, options: { grid?: ScanGrid; patches?: boolean; transmitIndices?: readonly number[] } = {}): DatasetMetricsJson {
  const grid = options.grid ?? ds.grid;
  const out: DatasetMetricsJson = {};
  const points = phantomPoints(ds);
  if (points.length) {
    const measured = measurePointTargets(envelope, grid, points).map(pointJson);
    if (grid.kind === 'polar') out.points_polar_grid = measured;
    else out.points = measured;
    if (grid.kind === 'polar' && options.patches) out.points_fine_cartesian_patch_0p05mm = finePatchPoints(ds, points, options.transmitIndices);
  }
  const regions = phantomRegions(ds);
  if (regions.length) {
    const measured = measureRegions(envelope, grid, regions);
    const cysts = measured.filter((m) => (m.region.contrastDb ?? -300) < 0).map(contrastJson);
    const inclusions = measured.filter((m) => (m.region.contrastDb ?? -300) >= 0).map(contrastJson);
    if (cysts.length) out.cysts = cysts;
    if (inclusions.length) out.inclusions = inclusions;
    const snr = speckleSnr(envelope, grid, regions);
    if (snr !== null) out.speckle_snr_background = snr;
  }
  return out;
}

/** Each point re-beamformed (reference method) on a 0.05 mm Cartesian patch around it. */
export function finePatchPoints(ds: ReferenceDataset, points: readonly PointTarget[], transmitIndices?: readonly number[]): PointJson[] {
  const span = FINE_PATCH.stepMm * (FINE_PATCH.count - 1);
  return points.map((p) => {
    const grid: ScanGrid = {
      kind: 'cartesian',
      xMinM: (p.xMm + FINE_PATCH.startMm) * 1e-3,
      xMaxM: (p.xMm + FINE_PATCH.startMm + span) * 1e-3,
      zMinM: (p.zMm + FINE_PATCH.startMm) * 1e-3,
      zMaxM: (p.zMm + FINE_PATCH.startMm + span) * 1e-3,
      rowCount: FINE_PATCH.count,
      colCount: FINE_PATCH.count,
    };
    const env = new Beamformer(ds.probe, grid, { fNumber: 1.5, window: 'boxcar' }).beamform(ds.frame, transmitIndices ? { transmitIndices } : {}).envelope;
    // The whole patch is the search box.
    return pointJson(measurePointTargets(env, grid, [p], 1e9)[0]!);
  });
}

export interface MetricComparison {
  metric: string;
  ours: number;
  reference: number;
  /** |ours - reference| / |reference| */
  relative: number;
}

/** Every numeric metric present in both, relative difference first. */
export function compareMetrics(ours: DatasetMetricsJson, reference: ImageMetricsJson): MetricComparison[] {
  const rows: MetricComparison[] = [];
  const add = (metric: string, a: number | undefined, b: number | undefined) => {
    if (a === undefined || b === undefined) return;
    rows.push({ metric, ours: a, reference: b, relative: Math.abs(a - b) / Math.abs(b) });
  };
  for (const key of ['points', 'points_polar_grid', 'points_fine_cartesian_patch_0p05mm'] as const) {
    const refs = reference[key] ?? [];
    for (const m of ours[key] ?? []) {
      const r = refs.find((x) => x.x_true_mm === m.x_true_mm && x.z_true_mm === m.z_true_mm);
      if (!r) continue;
      const at = `${key}(${m.x_true_mm},${m.z_true_mm})`;
      add(`${at}.fwhm_axial_mm`, m.fwhm_axial_mm, r.fwhm_axial_mm);
      add(`${at}.fwhm_lateral_mm`, m.fwhm_lateral_mm, r.fwhm_lateral_mm);
    }
  }
  for (const key of ['cysts', 'inclusions'] as const) {
    const refs = reference[key] ?? [];
    for (const m of ours[key] ?? []) {
      const r = refs.find((x) => x.cyst.x_mm === m.cyst.x_mm && x.cyst.z_mm === m.cyst.z_mm);
      if (!r) continue;
      const at = `${key}(${m.cyst.x_mm},${m.cyst.z_mm})`;
      add(`${at}.cnr_picmus_db`, m.cnr_picmus_db, r.cnr_picmus_db);
      add(`${at}.cnr_linear`, m.cnr_linear, r.cnr_linear);
      add(`${at}.contrast_db`, m.contrast_db, r.contrast_db);
    }
  }
  add('speckle_snr_background', ours.speckle_snr_background, reference.speckle_snr_background);
  return rows;
}
