/**
 * Speckle-reducing anisotropic diffusion (SRAD, Yu & Acton, IEEE TIP 2002) on a linear envelope
 * image: diffusion that smooths where the local coefficient of variation looks like speckle and
 * stops at edges and bright targets, where it is larger. Works in grid pixels (rows × columns of
 * the beamforming grid, before scan conversion).
 *
 *   q²(x) = [½(|∇I|/I)² - (1/16)(∇²I/I)²] / [1 + ¼ ∇²I/I]²        instantaneous variation
 *   c(q)  = 1 / (1 + (q² - q0²) / (q0² (1 + q0²)))   clamped to [0, 1]
 *   I ← I + (Δt/4)·[c_S ∇_S I + c ∇_N I + c_E ∇_E I + c ∇_W I]
 * q0, the speckle's own variation, is re-estimated every iteration as the median of q over the
 * image (most of an ultrasound image is speckle); the edges are reflecting (Neumann).
 *
 * @example
 *   const smooth = srad(envelope, rows, cols, { iterations: 4 });
 */
import { median } from './order-statistics.js';

/** q0 is the median of every SAMPLE_STRIDE-th pixel's q² (a cheap, robust estimate). */
const SAMPLE_STRIDE = 5;

export interface SradOptions {
  iterations: number;
  /** Time step Δt; stable up to 0.25. */
  timeStep: number;
  /** q0 as a multiple of the median q: > 1 smooths more. */
  speckleScale: number;
}

export const SRAD_DEFAULTS: SradOptions = { iterations: 4, timeStep: 0.2, speckleScale: 0.7 };

/** Copies the edge rows and columns of a padded (rows+2)×(cols+2) image outward (Neumann edges). */
function replicateBorder(a: Float32Array, rows: number, cols: number): void {
  const w = cols + 2;
  for (let r = 1; r <= rows; r++) {
    a[r * w] = a[r * w + 1]!;
    a[r * w + cols + 1] = a[r * w + cols]!;
  }
  a.copyWithin(0, w, 2 * w);
  a.copyWithin((rows + 1) * w, rows * w, (rows + 1) * w);
}

export class SpeckleFilter {
  // Padded by one pixel on every side so that the stencil needs no edge tests.
  private img = new Float32Array(0);
  private c = new Float32Array(0);
  private q2 = new Float32Array(0);
  private sample = new Float32Array(0);

  constructor(readonly options: SradOptions = SRAD_DEFAULTS) {}

  /** Filters `envelope` (row-major rows × cols) into `out` (may be the same array). */
  apply(envelope: Float32Array, rows: number, cols: number, out: Float32Array = new Float32Array(envelope.length)): Float32Array {
    const w = cols + 2;
    const padded = (rows + 2) * w;
    if (this.img.length !== padded) {
      this.img = new Float32Array(padded);
      this.c = new Float32Array(padded);
      this.q2 = new Float32Array(padded);
      this.sample = new Float32Array(Math.ceil((rows * cols) / SAMPLE_STRIDE) + 1);
    }
    const { img, c, q2, sample } = this;
    for (let r = 0; r < rows; r++) img.set(envelope.subarray(r * cols, (r + 1) * cols), (r + 1) * w + 1);
    const eps = 1e-12;
    const dt4 = this.options.timeStep / 4;
    for (let it = 0; it < this.options.iterations; it++) {
      replicateBorder(img, rows, cols);
      let n = 0;
      for (let r = 1; r <= rows; r++) {
        for (let p = r * w + 1, end = r * w + cols; p <= end; p++) {
          const v = img[p]!;
          const dN = img[p - w]! - v;
          const dS = img[p + w]! - v;
          const dW = img[p - 1]! - v;
          const dE = img[p + 1]! - v;
          const inv = 1 / (v + eps);
          const g2 = (dN * dN + dS * dS + dW * dW + dE * dE) * inv * inv;
          const lap = (dN + dS + dW + dE) * inv;
          const den = 1 + 0.25 * lap;
          const q = (0.5 * g2 - 0.0625 * lap * lap) / (den * den);
          q2[p] = q > 0 ? q : 0;
          if (p % SAMPLE_STRIDE === 0) sample[n++] = q2[p]!;
        }
      }
      const scale = this.options.speckleScale;
      const q0 = median(sample, n) * scale * scale;
      const k0 = q0 * (1 + q0) + eps;
      for (let r = 1; r <= rows; r++) {
        for (let p = r * w + 1, end = r * w + cols; p <= end; p++) {
          const cv = 1 / (1 + (q2[p]! - q0) / k0);
          c[p] = cv < 0 ? 0 : cv > 1 ? 1 : cv;
        }
      }
      replicateBorder(c, rows, cols);
      // The update reads neighbours of the previous iteration: write into q2 (free now), then swap.
      for (let r = 1; r <= rows; r++) {
        for (let p = r * w + 1, end = r * w + cols; p <= end; p++) {
          const v = img[p]!;
          const cp = c[p]!;
          q2[p] = v + dt4 * (c[p + w]! * (img[p + w]! - v) + cp * (img[p - w]! - v) + c[p + 1]! * (img[p + 1]! - v) + cp * (img[p - 1]! - v));
        }
      }
      for (let r = 1; r <= rows; r++) img.set(q2.subarray(r * w + 1, r * w + cols + 1), r * w + 1);
    }
    for (let r = 0; r < rows; r++) out.set(img.subarray((r + 1) * w + 1, (r + 1) * w + 1 + cols), r * cols);
    return out;
  }
}
