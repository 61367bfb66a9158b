/**
 * A DAS plan: everything about a (probe, grid, transmit sequence, sampling) combination that
 * does not depend on the channel data, computed once so that per-frame work is only
 * interpolation and summation (das.ts).
 *
 * Per pixel: position, first and last element of the receive aperture (the reference f-number
 * rule, apodization.ts), and for a window the aperture centre and half-width in element units.
 * Per transmit and pixel: the transmit arrival T_tx (delay-models.ts) as a fractional sample
 * index (T_tx - t0)·fs. Receive distances are recomputed per frame by das.ts (one square root
 * per pixel-element, shared by all transmits); the fast beamformer keeps whole positions in a
 * delay table of its own when it fits (wasm/kernel-arena.ts).
 */
import type { ScanGrid } from './grid.js';
import { pixelPositions } from './grid.js';
import type { ElementGeometry } from './probe-geometry.js';
import { transmitArrivalTimesS } from './delay-models.js';
import { apertureExtentEl, inReceiveAperture, windowWeight, type ReceiveApodization } from './apodization.js';

/** What a plan depends on beyond the probe and the grid (read from each frame). */
export interface PlanInputs {
  samplingRateHz: number;
  centerFrequencyHz: number;
  t0S: number;
  soundSpeedMps: number;
  transmitCount: number;
  /** `[transmit][element]`, seconds. */
  transmitDelaysS: ArrayLike<number>;
}

/** Fractional-sample resolution of the interpolation/phase-rotation weight table. */
export const FRACTION_STEPS = 1024;

export interface DasPlan {
  grid: ScanGrid;
  elements: ElementGeometry;
  apodization: ReceiveApodization;
  inputs: PlanInputs;
  pixelCount: number;
  xM: Float64Array;
  zM: Float64Array;
  /** First and last element in the aperture of each pixel; last < first when empty. */
  apertureFirst: Int16Array;
  apertureLast: Int16Array;
  /** Windowed apodization only: aperture centre and 1/half-width, element-index units. */
  apertureCentreEl: Float32Array | null;
  apertureInvHalfWidthEl: Float32Array | null;
  /** Window over u ∈ [-1, 1], WINDOW_STEPS + 1 entries; null for boxcar. */
  windowTable: Float32Array | null;
  /** Per transmit: (T_tx(p) - t0)·fs. */
  transmitSamples: Float64Array[];
  /** fs / c: receive distance (m) → samples. */
  samplesPerMetre: number;
  /**
   * Linear interpolation between IQ samples s0 and s0+1 and phase rotation exp(+2jπ fc τ) as
   * two complex weights of the fraction f (see das.ts): [w0re, w0im, w1re, w1im] × (FRACTION_STEPS + 1).
   */
  interpolationWeights: Float32Array;
}

export const WINDOW_STEPS = 512;

export function buildDasPlan(elements: ElementGeometry, grid: ScanGrid, inputs: PlanInputs, apodization: ReceiveApodization): DasPlan {
  const { xM, zM } = pixelPositions(grid);
  const pixelCount = xM.length;
  const nE = elements.count;
  const F = apodization.fNumber;
  const windowed = apodization.window !== 'boxcar';

  const apertureFirst = new Int16Array(pixelCount);
  const apertureLast = new Int16Array(pixelCount);
  const apertureCentreEl = windowed ? new Float32Array(pixelCount) : null;
  const apertureInvHalfWidthEl = windowed ? new Float32Array(pixelCount) : null;
  for (let p = 0; p < pixelCount; p++) {
    const { centreEl, halfWidthEl } = apertureExtentEl(elements, xM[p]!, zM[p]!, F);
    // The aperture is contiguous in element index; test only around its analytic extent
    // (±3 elements of slack for rounding) with the exact reference rule.
    const lo = Math.max(0, Math.floor(centreEl - halfWidthEl) - 3);
    const hi = Math.min(nE - 1, Math.ceil(centreEl + halfWidthEl) + 3);
    let first = -1;
    let last = -2;
    for (let e = lo; e <= hi; e++) {
      if (inReceiveAperture(elements, e, xM[p]!, zM[p]!, F)) {
        if (first < 0) first = e;
        last = e;
      }
    }
    if (first < 0) first = 0;
    apertureFirst[p] = first;
    apertureLast[p] = last < 0 ? -1 : last;
    if (apertureCentreEl && apertureInvHalfWidthEl) {
      apertureCentreEl[p] = centreEl;
      apertureInvHalfWidthEl[p] = halfWidthEl > 0 ? 1 / halfWidthEl : 0;
    }
  }

  let windowTable: Float32Array | null = null;
  if (windowed) {
    windowTable = new Float32Array(WINDOW_STEPS + 1);
    for (let k = 0; k <= WINDOW_STEPS; k++) windowTable[k] = windowWeight(apodization.window, (2 * k) / WINDOW_STEPS - 1, apodization.tukeyAlpha);
  }

  const fs = inputs.samplingRateHz;
  const transmitSamples = transmitArrivalTimesS({ xM, zM }, elements, inputs.transmitDelaysS, inputs.transmitCount, inputs.soundSpeedMps).map(
    (times) => times.map((t) => (t - inputs.t0S) * fs),
  );

  const phi = (2 * Math.PI * inputs.centerFrequencyHz) / fs;
  const interpolationWeights = new Float32Array(4 * (FRACTION_STEPS + 1));
  for (let k = 0; k <= FRACTION_STEPS; k++) {
    const f = k / FRACTION_STEPS;
    interpolationWeights[4 * k] = (1 - f) * Math.cos(phi * f);
    interpolationWeights[4 * k + 1] = (1 - f) * Math.sin(phi * f);
    interpolationWeights[4 * k + 2] = f * Math.cos(phi * (f - 1));
    interpolationWeights[4 * k + 3] = f * Math.sin(phi * (f - 1));
  }

  return {
    grid,
    elements,
    apodization,
    inputs: { ...inputs, transmitDelaysS: Float64Array.from(inputs.transmitDelaysS) },
    pixelCount,
    xM,
    zM,
    apertureFirst,
    apertureLast,
    apertureCentreEl,
    apertureInvHalfWidthEl,
    windowTable,
    transmitSamples,
    samplesPerMetre: fs / inputs.soundSpeedMps,
    interpolationWeights,
  };
}

/** Whether `plan` was built for these frame inputs (delays compared value by value). */
export function planMatches(plan: DasPlan, inputs: PlanInputs): boolean {
  const p = plan.inputs;
  if (
    p.samplingRateHz !== inputs.samplingRateHz ||
    p.centerFrequencyHz !== inputs.centerFrequencyHz ||
    p.t0S !== inputs.t0S ||
    p.soundSpeedMps !== inputs.soundSpeedMps ||
    p.transmitCount !== inputs.transmitCount ||
    p.transmitDelaysS.length !== inputs.transmitDelaysS.length
  ) {
    return false;
  }
  // Compare at float32 precision: a frame carries its delays as f32 (FrameRf).
  for (let i = 0; i < inputs.transmitDelaysS.length; i++) {
    if (Math.fround(p.transmitDelaysS[i]!) !== Math.fround(inputs.transmitDelaysS[i]!)) return false;
  }
  return true;
}
