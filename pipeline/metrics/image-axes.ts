/**
 * The axes of a beamformed image in millimetres, and the dB image the metrics work on.
 * Polar grids: rows are radii r from the centre of curvature, columns angles θ; a pixel sits at
 * x = r sin θ, z = r cos θ - h. Cartesian grids: rows z, columns x.
 */
import { linspaceStep, type ScanGrid } from '../beamform/grid.js';

export interface ImageAxes {
  grid: ScanGrid;
  rows: number;
  cols: number;
  /** Row coordinate: r (polar) or z (cartesian), mm. */
  rowMm: Float64Array;
  /** Column coordinate: θ in rad (polar) or x in mm (cartesian). */
  col: Float64Array;
  /** Apothem h in mm (polar), 0 otherwise. */
  apothemMm: number;
}

export function imageAxes(grid: ScanGrid): ImageAxes {
  const rows = grid.rowCount;
  const cols = grid.colCount;
  if (grid.kind === 'polar') {
    const dr = linspaceStep(grid.rMinM, grid.rMaxM, rows);
    const dth = linspaceStep(grid.thetaMinRad, grid.thetaMaxRad, cols);
    return {
      grid,
      rows,
      cols,
      rowMm: Float64Array.from({ length: rows }, (_, i) => (grid.rMinM + i * dr) * 1e3),
      col: Float64Array.from({ length: cols }, (_, j) => grid.thetaMinRad + j * dth),
      apothemMm: grid.apothemM * 1e3,
    };
  }
  const dz = linspaceStep(grid.zMinM, grid.zMaxM, rows);
  const dx = linspaceStep(grid.xMinM, grid.xMaxM, cols);
  return {
    grid,
    rows,
    cols,
    rowMm: Float64Array.from({ length: rows }, (_, i) => (grid.zMinM + i * dz) * 1e3),
    col: Float64Array.from({ length: cols }, (_, j) => (grid.xMinM + j * dx) * 1e3),
    apothemMm: 0,
  };
}

/** Pixel (row, col) position in the probe frame, mm. */
export function pixelXzMm(axes: ImageAxes, row: number, col: number): { xMm: number; zMm: number } {
  if (axes.grid.kind === 'polar') {
    const r = axes.rowMm[row]!;
    const th = axes.col[col]!;
    return { xMm: r * Math.sin(th), zMm: r * Math.cos(th) - axes.apothemMm };
  }
  return { xMm: axes.col[col]!, zMm: axes.rowMm[row]! };
}

/**
 * 20·log10(envelope / its maximum). Zero pixels would be -∞ and poison means; they are held at
 * -300 dB (no reference image has any inside a measured region).
 */
export function decibelImage(envelope: ArrayLike<number>): Float64Array {
  let max = 0;
  for (let i = 0; i < envelope.length; i++) max = Math.max(max, envelope[i]!);
  const out = new Float64Array(envelope.length);
  for (let i = 0; i < envelope.length; i++) out[i] = Math.max(-300, 20 * Math.log10(envelope[i]! / max));
  return out;
}
