/**
 * The pleural line: the parietal pleura (fixed to the chest wall) and the visceral pleura (on the
 * lung, sliding under it), each a line of scatterers λ/3 apart — closer than λ/2, so the line
 * reflects coherently like a mirror (bright at normal incidence, dimmer where the beam meets it
 * obliquely) — with a ±25 % amplitude roughness that makes sliding visible as a shimmer.
 * Normally the two are one bright line and the visceral one is the air surface; where the lung
 * has gone (pneumothorax) the parietal pleura alone reflects everything.
 * A thickened pleura is a band of partially coherent scatterers; a fragmented one has gaps.
 */
import type { SeededRandom } from '../physics/random.js';
import type { SceneGeometry } from './geometry.js';
import type { LungSurface } from './lung-surface.js';
import { Moves, Role, type PrimaryBuilder } from './primaries.js';
import { SmoothNoise } from './smooth-noise.js';
import type { SceneSpec } from './spec.js';

/**
 * Echo strength of the pleural line, per metre of line: 2.5 per λ/3 on the C5-2v, which puts the
 * line ~25–29 dB above the chest-wall speckle at normal incidence (docs/simulator.md).
 */
export const LINE_AMPLITUDE_PER_M = 2.5 / (1540 / 3.57e6 / 3);

/** Share of the normal pleural echo from the parietal layer. */
export const PARIETAL_SHARE = 0.35;

export function addPleura(b: PrimaryBuilder, g: SceneGeometry, spec: SceneSpec, surface: LungSurface, rng: SeededRandom): void {
  const step = g.wavelengthM / 3;
  const p = spec.pleura;
  const thicknessM = p.thicknessMm / 1000;
  const layers = Math.max(1, Math.round(thicknessM / 0.5e-3));
  const gaps = new SmoothNoise(rng, { fromM: -g.halfWidthSM, toM: g.halfWidthSM, correlationM: 0.8e-3 });
  // A gentle waviness of both layers, below the axial resolution, so the line is not one perfect
  // mirror across the whole field (which would throw its oblique specular echoes across the image).
  const wave = new SmoothNoise(rng, { fromM: -g.halfWidthSM, toM: g.halfWidthSM, correlationM: 2.5e-3 });
  const WAVE_M = 0.1e-3;
  // The quantile of a unit normal below which `fragmentation` of the line is missing.
  const gapBelow = p.fragmentation > 0 ? normalQuantile(p.fragmentation) : -Infinity;
  const perStep = LINE_AMPLITUDE_PER_M * step * p.brightness;
  const consolidated = (s: number): boolean => surface.consolidations.some((c) => c.extraDepthAt(s) > 0);
  const overFluid = (s: number): boolean => (surface.effusion?.thicknessAt(s) ?? 0) > 0;

  for (let s = -g.halfWidthSM; s <= g.halfWidthSM; s += step) {
    const base = g.pleuraBaseU(s) + WAVE_M * wave.at(s);
    const fluid = overFluid(s);
    // Parietal: on the chest wall; a tissue/fluid interface over an effusion (no air there).
    const parietalAmp = perStep * (fluid ? 0.3 : PARIETAL_SHARE) * (1 + 0.25 * (2 * rng.uniform() - 1));
    b.add(s, base - 0.15e-3 + 0.02e-3 * rng.gaussian(), parietalAmp, fluid ? Moves.ChestWall : Moves.Parietal, fluid ? Role.Reverberates : Role.AirLine);

    if (gaps.at(s) < gapBelow) continue;
    const visceralU = surface.visceralAt(s, s) + WAVE_M * wave.at(s);
    const weak = consolidated(s) || (fluid && (surface.effusion?.atelectasisM ?? 0) > 0);
    const share = weak ? 0.3 : 1 - PARIETAL_SHARE;
    for (let k = 0; k < layers; k++) {
      const depth = layers === 1 ? visceralU + 0.15e-3 + 0.02e-3 * rng.gaussian() : visceralU + thicknessM * (rng.uniform() - 0.35);
      // A thick band adds partly incoherently: each sub-layer keeps the line's strength.
      const amp = perStep * share * (1 + 0.25 * (2 * rng.uniform() - 1)) * (layers > 1 ? 0.7 : 1);
      b.add(s, depth, amp, Moves.Visceral, weak ? Role.Reverberates : Role.AirLine);
    }
  }
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9 · p). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const bb = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  if (q < 0.02425) {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  }
  if (q > 1 - 0.02425) return -normalQuantile(1 - q);
  const r = q - 0.5;
  const t = r * r;
  return ((((((a[0]! * t + a[1]!) * t + a[2]!) * t + a[3]!) * t + a[4]!) * t + a[5]!) * r) / (((((bb[0]! * t + bb[1]!) * t + bb[2]!) * t + bb[3]!) * t + bb[4]!) * t + 1);
}
