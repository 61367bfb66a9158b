/**
 * Scan grids: where the beamformer computes pixels. Row-major images, `[row][column]`.
 *  - polar: rows are radii from the centre of curvature (0, -apothem), columns angles
 *    (0 = straight down); the natural grid of a convex array (scan lines = columns).
 *  - cartesian: rows are depth z, columns lateral x; the natural grid of a linear array, and
 *    handy on any array for fine local patches.
 * Rows and columns are evenly spaced with both ends included (linspace), as ImageGeometry in
 * drivers/protocol/messages.ts.
 */
import type { ImageGeometry, TransducerGeometry } from '../../drivers/protocol/messages.js';
import { convexApothemM, convexElementAngleRad } from './probe-geometry.js';

export type ScanGrid = ImageGeometry & { rowCount: number; colCount: number };
export type PolarScanGrid = Extract<ScanGrid, { kind: 'polar' }>;
export type CartesianScanGrid = Extract<ScanGrid, { kind: 'cartesian' }>;

export interface GridSize {
  /** Columns: scan lines (polar) or lateral samples (cartesian). */
  colCount: number;
  /** Rows: depth samples. */
  rowCount: number;
}

/** Live-display default: 160 scan lines × 512 depth samples. */
export const DEFAULT_GRID_SIZE: GridSize = { colCount: 160, rowCount: 512 };

/**
 * The probe's full field of view to `depthM` below the array: for a convex array a polar grid
 * from r = R to R + depth and θ from the first to the last element angle; for a linear array a
 * Cartesian grid under the aperture from z = 0 to depth.
 */
export function probeScanGrid(probe: TransducerGeometry, depthM: number, size: GridSize = DEFAULT_GRID_SIZE): ScanGrid {
  if (probe.kind === 'convex') {
    const n = probe.elementCount;
    return {
      kind: 'polar',
      rMinM: probe.radiusM,
      rMaxM: probe.radiusM + depthM,
      thetaMinRad: convexElementAngleRad(0, n, probe.pitchM, probe.radiusM),
      thetaMaxRad: convexElementAngleRad(n - 1, n, probe.pitchM, probe.radiusM),
      apothemM: convexApothemM(n, probe.pitchM, probe.radiusM),
      ...size,
    };
  }
  const halfWidthM = ((probe.elementCount - 1) / 2) * probe.pitchM;
  return { kind: 'cartesian', xMinM: -halfWidthM, xMaxM: halfWidthM, zMinM: 0, zMaxM: depthM, ...size };
}

/** Step between samples of linspace(first, last, count). */
export function linspaceStep(first: number, last: number, count: number): number {
  return count > 1 ? (last - first) / (count - 1) : 0;
}

/** Pixel centres in the probe frame (x lateral, z depth), row-major. */
export function pixelPositions(grid: ScanGrid): { xM: Float64Array; zM: Float64Array } {
  const n = grid.rowCount * grid.colCount;
  const xM = new Float64Array(n);
  const zM = new Float64Array(n);
  if (grid.kind === 'polar') {
    const dr = linspaceStep(grid.rMinM, grid.rMaxM, grid.rowCount);
    const dth = linspaceStep(grid.thetaMinRad, grid.thetaMaxRad, grid.colCount);
    for (let row = 0; row < grid.rowCount; row++) {
      const r = grid.rMinM + row * dr;
      for (let col = 0; col < grid.colCount; col++) {
        const th = grid.thetaMinRad + col * dth;
        xM[row * grid.colCount + col] = r * Math.sin(th);
        zM[row * grid.colCount + col] = r * Math.cos(th) - grid.apothemM;
      }
    }
  } else {
    const dx = linspaceStep(grid.xMinM, grid.xMaxM, grid.colCount);
    const dz = linspaceStep(grid.zMinM, grid.zMaxM, grid.rowCount);
    for (let row = 0; row < grid.rowCount; row++) {
      for (let col = 0; col < grid.colCount; col++) {
        xM[row * grid.colCount + col] = grid.xMinM + col * dx;
        zM[row * grid.colCount + col] = grid.zMinM + row * dz;
      }
    }
  }
  return { xM, zM };
}

/** The ImageGeometry (wire format) of a grid. */
export function imageGeometryOf(grid: ScanGrid): ImageGeometry {
  if (grid.kind === 'polar') {
    const { kind, rMinM, rMaxM, thetaMinRad, thetaMaxRad, apothemM } = grid;
    return { kind, rMinM, rMaxM, thetaMinRad, thetaMaxRad, apothemM };
  }
  const { kind, xMinM, xMaxM, zMinM, zMaxM } = grid;
  return { kind, xMinM, xMaxM, zMinM, zMaxM };
}
