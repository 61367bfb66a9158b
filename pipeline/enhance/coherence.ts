/**
 * Coherence-factor weighting (Mallart & Fink 1994; Hollman et al. 1999): each pixel's envelope
 * is multiplied by CF^γ, where CF ∈ [0, 1] is the fraction of the aperture's energy that adds
 * coherently (computed by the beamformer, FastBeamformer `coherence`). Off-axis clutter and
 * side lobes, which add incoherently across the aperture, are suppressed; a point target or an
 * in-phase echo (CF near 1) keeps its amplitude. Raw CF fluctuates from pixel to pixel like the
 * speckle itself, and weighting by it makes speckle grainier (lower CNR); averaged over about a
 * wavelength axially and three lines laterally it keeps the gain in contrast and resolution and
 * raises CNR and gCNR (docs/imaging.md has the measurements). γ < 1 softens the weighting.
 *
 * @example
 *   const cf = new Float32Array(n);
 *   const image = bf.beamform(frame, { coherence: cf });
 *   smoothCoherence(cf, rows, cols, coherenceWindow(grid, fc));
 *   applyCoherenceWeighting(image.envelope, cf, { exponent: 0.5 });
 */
import type { ImageGeometry } from '../../drivers/protocol/messages.js';

export interface CoherenceOptions {
  /** γ: 1 = classic CF, 0 = no weighting. */
  exponent: number;
}

export const COHERENCE_DEFAULTS: CoherenceOptions = { exponent: 0.5 };

/** In place: envelope ← envelope · CF^γ. */
export function applyCoherenceWeighting(envelope: Float32Array, coherence: Float32Array, options: CoherenceOptions = COHERENCE_DEFAULTS): Float32Array {
  if (coherence.length !== envelope.length) throw new RangeError(`coherence has ${coherence.length} values for ${envelope.length} pixels`);
  const g = options.exponent;
  if (g === 0) return envelope;
  for (let i = 0; i < envelope.length; i++) envelope[i] = envelope[i]! * (g === 1 ? coherence[i]! : Math.pow(coherence[i]!, g));
  return envelope;
}

/** Half-widths of the CF averaging window, in grid rows and columns. */
export interface CoherenceWindow {
  halfRows: number;
  halfCols: number;
}

/** ±1 wavelength axially (at least one row), ±1 column laterally. */
export function coherenceWindow(geometry: ImageGeometry, rows: number, centerFrequencyHz: number, soundSpeedMps = 1540): CoherenceWindow {
  const depthM = geometry.kind === 'polar' ? geometry.rMaxM - geometry.rMinM : geometry.zMaxM - geometry.zMinM;
  const rowStepM = depthM / Math.max(1, rows - 1);
  return { halfRows: Math.max(1, Math.round(soundSpeedMps / centerFrequencyHz / rowStepM)), halfCols: 1 };
}

/** In place: a separable moving average (edges averaged over what is inside the image). */
export function smoothCoherence(cf: Float32Array, rows: number, cols: number, window: CoherenceWindow, scratch: Float32Array = new Float32Array(cf.length)): Float32Array {
  const { halfRows: hr, halfCols: hc } = window;
  // along columns (within each row)
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sum = 0;
    for (let c = 0; c < Math.min(cols, hc); c++) sum += cf[base + c]!;
    for (let c = 0; c < cols; c++) {
      if (c + hc < cols) sum += cf[base + c + hc]!;
      if (c - hc - 1 >= 0) sum -= cf[base + c - hc - 1]!;
      scratch[base + c] = sum / (Math.min(cols - 1, c + hc) - Math.max(0, c - hc) + 1);
    }
  }
  // along rows (depth), column by column through a running sum per column
  const sums = new Float64Array(cols);
  for (let r = 0; r < Math.min(rows, hr); r++) for (let c = 0; c < cols; c++) sums[c]! += scratch[r * cols + c]!;
  for (let r = 0; r < rows; r++) {
    const add = r + hr < rows ? (r + hr) * cols : -1;
    const drop = r - hr - 1 >= 0 ? (r - hr - 1) * cols : -1;
    const n = Math.min(rows - 1, r + hr) - Math.max(0, r - hr) + 1;
    for (let c = 0; c < cols; c++) {
      if (add >= 0) sums[c]! += scratch[add + c]!;
      if (drop >= 0) sums[c]! -= scratch[drop + c]!;
      cf[r * cols + c] = sums[c]! / n;
    }
  }
  return cf;
}
