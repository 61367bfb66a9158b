/**
 * The grain below a sliding pleura. The visceral pleura is rough on the scale of a wavelength,
 * so besides its mirror reflection it scatters diffusely, and that scattered sound comes back
 * reverberated, drawn in the first centimetre or two below the pleural line. It belongs to the
 * lung surface, so it slides with the lung: in M-mode it is the "sand" of the seashore sign;
 * where the lung has gone (pneumothorax) it is absent and only the still reverberations of the
 * chest wall remain (the barcode).
 *
 * Phenomenological: diffuse scatterers in a band below the air surface of aerated lung, moving
 * with the lung, +3 dB re. chest-wall tissue at the pleura and fading with an e-fold depth of
 * 6 mm. A 2-D model has no motion across the slice, which in a real lung decorrelates this
 * grain much faster than the lateral sliding alone: each scatterer fades in and out as the lung
 * slides (Moves.LungSurfaceScatter). (The mirror copies' sliding roughness in reverberation.ts
 * adds the same kind of shimmer, more weakly.)
 */
import type { SeededRandom } from '../physics/random.js';
import { TISSUE_LEVEL } from './chest-wall.js';
import type { SceneGeometry } from './geometry.js';
import type { LungSurface } from './lung-surface.js';
import { Moves, Role, type PrimaryBuilder } from './primaries.js';

const LEVEL = 10 ** (3 / 20);
const DEPTH_M = 6e-3;
const BAND_M = 3 * DEPTH_M;

export function addSlidingScatter(b: PrimaryBuilder, g: SceneGeometry, surface: LungSurface, rng: SeededRandom, densityAt3p57MHz: number): void {
  const density = g.densityPerMm2(densityAt3p57MHz);
  const sMax = g.halfWidthSM;
  const R = g.radiusM;
  // Candidates uniform in area over a band of BAND_M below the deepest visceral pleura in view.
  let uTop = Infinity;
  let uBottom = 0;
  for (let s = -sMax; s <= sMax; s += 1e-3) {
    const v = surface.visceralAt(s, s);
    uTop = Math.min(uTop, v);
    uBottom = Math.max(uBottom, v + BAND_M);
  }
  const areaMm2 = (R > 0 ? 2 * sMax * g.latPerS * 0.5 * ((R + uBottom) ** 2 - (R + uTop) ** 2) : 2 * sMax * (uBottom - uTop)) * 1e6;
  const n = Math.round(areaMm2 * density);
  const sigma = (TISSUE_LEVEL * LEVEL) / Math.sqrt(density);
  for (let i = 0; i < n; i++) {
    const s = (2 * rng.uniform() - 1) * sMax;
    const u = R > 0 ? Math.sqrt((R + uTop) ** 2 + rng.uniform() * ((R + uBottom) ** 2 - (R + uTop) ** 2)) - R : uTop + rng.uniform() * (uBottom - uTop);
    const a = rng.gaussian();
    // Only below aerated lung whose air surface is the visceral pleura (not under lesions).
    const air = surface.airAt(s, s);
    const below = u - air;
    if (below < 0.4e-3 || below > BAND_M || air - surface.visceralAt(s, s) > 0.1e-3) continue;
    b.add(s, u, Math.SQRT2 * sigma * a * Math.exp(-below / DEPTH_M), Moves.LungSurfaceScatter, Role.Plain); // √2: the cos modulation halves the power
  }
}
