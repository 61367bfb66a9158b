/**
 * Receive apodization: which elements contribute to a pixel (the f-number aperture) and with
 * what weight (a window across that aperture).
 *
 * Aperture membership is the reference DAS rule (../shared/datasets/rf/README.md), exactly:
 *  - linear: |x - x_e| <= z / (2F)
 *  - convex: |asin((x - x_e) / |p - e|) - θ_e| <= atan(1 / (2F)), i.e. the pixel is within
 *    the acceptance angle around the element normal. A pixel on an element (0/0) is outside.
 * The window is evaluated at the normalised aperture coordinate u ∈ [-1, 1] of the element,
 * measured in element-index units from the aperture centre (the element whose normal points at
 * the pixel) to the edge of the full (un-truncated) aperture, so a window stays centred on the
 * pixel and is cut, not squeezed, at the ends of the array.
 */
import type { ElementGeometry } from './probe-geometry.js';

export type ApodizationWindow = 'boxcar' | 'hann' | 'tukey';

export interface ReceiveApodization {
  /** Receive f-number F: aperture width = depth / F. */
  fNumber: number;
  window: ApodizationWindow;
  /** Tukey taper fraction (0 = boxcar, 1 = hann). */
  tukeyAlpha: number;
}

export const DEFAULT_APODIZATION: ReceiveApodization = { fNumber: 1.5, window: 'boxcar', tukeyAlpha: 0.5 };

/** Window value at u ∈ [-1, 1] (0 outside). */
export function windowWeight(window: ApodizationWindow, u: number, tukeyAlpha = 0.5): number {
  const a = Math.abs(u);
  if (a > 1) return 0;
  switch (window) {
    case 'boxcar':
      return 1;
    case 'hann':
      return 0.5 * (1 + Math.cos(Math.PI * a));
    case 'tukey': {
      if (tukeyAlpha <= 0) return 1;
      const flat = 1 - tukeyAlpha;
      return a <= flat ? 1 : 0.5 * (1 + Math.cos((Math.PI * (a - flat)) / tukeyAlpha));
    }
  }
}

/** The reference aperture test for pixel (x, z) and element e. */
export function inReceiveAperture(elements: ElementGeometry, e: number, xM: number, zM: number, fNumber: number): boolean {
  const dx = xM - elements.xM[e]!;
  if (elements.kind === 'linear') return Math.abs(dx) <= zM / (2 * fNumber);
  const dz = zM - elements.zM[e]!;
  const dist = Math.sqrt(dx * dx + dz * dz);
  // NaN (pixel on the element) compares false: the element is skipped, as in the reference.
  return Math.abs(Math.asin(dx / dist) - elements.normalAngleRad[e]!) <= Math.atan(1 / (2 * fNumber));
}

/**
 * Centre and half-width of the full receive aperture of pixel (x, z), in element-index units
 * (may extend past the array). Linear: centre under the pixel, half-width z/(2F)/pitch.
 * Convex: centre at the pixel's angle θp; the acceptance half-angle α = atan(1/(2F)) around an
 * element normal is reached at Δθ = α - asin(R sin α / r) (r = pixel radius), from the law of
 * sines in the triangle (centre of curvature, element, pixel).
 */
export function apertureExtentEl(elements: ElementGeometry, xM: number, zM: number, fNumber: number): { centreEl: number; halfWidthEl: number } {
  const mid = (elements.count - 1) / 2;
  if (elements.kind === 'linear') {
    return { centreEl: xM / elements.pitchM + mid, halfWidthEl: Math.max(0, zM) / (2 * fNumber) / elements.pitchM };
  }
  const R = elements.radiusM;
  const zc = zM + elements.apothemM;
  const r = Math.sqrt(xM * xM + zc * zc);
  const thetaP = Math.atan2(xM, zc);
  const alpha = Math.atan(1 / (2 * fNumber));
  const halfAngle = r > R ? alpha - Math.asin((R * Math.sin(alpha)) / r) : 0;
  const radPerEl = elements.pitchM / R;
  return { centreEl: thetaP / radPerEl + mid, halfWidthEl: halfAngle / radPerEl };
}
