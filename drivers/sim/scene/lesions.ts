/**
 * What fills the space between the pleura and the air when the lung is not aerated there
 * (phenomenological strengths, physical geometry):
 *  - consolidation: airless lung that looks like tissue (hepatisation): speckle, bright
 *    branching air bronchograms, and an irregular bright deep border (the shred sign) where
 *    aerated lung begins;
 *  - pleural effusion: anechoic fluid between the pleural layers (a few floating echoes), the
 *    compressed lung below it, and that lung's air surface deeper still.
 * Geometry comes from LungSurface; these are the scatterers.
 */
import type { SeededRandom } from '../physics/random.js';
import type { SceneGeometry } from './geometry.js';
import type { LungSurface } from './lung-surface.js';
import { LINE_AMPLITUDE_PER_M } from './pleura.js';
import { TISSUE_LEVEL } from './chest-wall.js';
import { Moves, Role, type PrimaryBuilder } from './primaries.js';
import { SmoothNoise } from './smooth-noise.js';
import type { SceneSpec } from './spec.js';

const dB = (db: number): number => 10 ** (db / 20);

/** Diffuse scatterers uniform in area between two depth profiles over [fromS, toS]. */
function fillBetween(
  b: PrimaryBuilder,
  g: SceneGeometry,
  rng: SeededRandom,
  range: { fromS: number; toS: number },
  top: (s: number) => number,
  bottom: (s: number) => number,
  densityPerMm2: number,
  level: (s: number, u: number) => number,
  moves: Moves,
): void {
  const from = Math.max(range.fromS, -g.halfWidthSM);
  const to = Math.min(range.toS, g.halfWidthSM);
  if (to <= from) return;
  let uMax = 0;
  for (let s = from; s <= to; s += 0.5e-3) uMax = Math.max(uMax, bottom(s));
  uMax = Math.min(uMax, g.depthM + 2e-3);
  const R = g.radiusM;
  // Candidates uniform in area over the bounding band, kept between the profiles.
  const areaMm2 = (R > 0 ? (to - from) * g.latPerS * 0.5 * ((R + uMax) ** 2 - R ** 2) : (to - from) * uMax) * 1e6;
  const n = Math.round(areaMm2 * densityPerMm2);
  const sigma = TISSUE_LEVEL / Math.sqrt(densityPerMm2);
  for (let i = 0; i < n; i++) {
    const s = from + rng.uniform() * (to - from);
    const u = R > 0 ? Math.sqrt(R * R + rng.uniform() * ((R + uMax) ** 2 - R * R)) - R : rng.uniform() * uMax;
    const a = rng.gaussian();
    if (u < top(s) || u > bottom(s) || u > g.depthM + 2e-3) continue;
    b.add(s, u, sigma * level(s, u) * a, moves, Role.Reverberates);
  }
}

/** A rough, partially coherent line along a depth profile: the air surface under lesions. */
function roughLine(b: PrimaryBuilder, g: SceneGeometry, rng: SeededRandom, range: { fromS: number; toS: number }, depth: (s: number) => number, strength: number, roughM: number): void {
  const step = g.wavelengthM / 2;
  const from = Math.max(range.fromS, -g.halfWidthSM);
  const to = Math.min(range.toS, g.halfWidthSM);
  const patchy = new SmoothNoise(rng, { fromM: from, toM: to, correlationM: 0.7e-3 });
  for (let s = from; s <= to; s += step) {
    const amp = LINE_AMPLITUDE_PER_M * step * strength * Math.max(0.05, 0.6 + 0.5 * patchy.at(s)) * (0.5 + rng.uniform());
    b.add(s, depth(s) + roughM * rng.gaussian(), amp, Moves.Lung, Role.AirLine);
  }
}

export function addConsolidations(b: PrimaryBuilder, g: SceneGeometry, spec: SceneSpec, surface: LungSurface, rng: SeededRandom): void {
  const density = g.densityPerMm2(spec.chestWall.scatterersPerMm2);
  for (const c of surface.consolidations) {
    const range = { fromS: c.fromM, toS: c.toM };
    const top = (s: number): number => surface.visceralAt(s, s) + 0.4e-3;
    const air = (s: number): number => surface.airAt(s, s);
    const patches = new SmoothNoise(rng, { fromM: c.fromM, toM: c.toM, correlationM: 1.5e-3 });
    fillBetween(b, g, rng, range, top, (s) => air(s) - 0.3e-3, density, (s, u) => dB(2) * Math.exp(0.3 * patches.at(s + 0.7 * u)), Moves.Lung);
    roughLine(b, g, rng, range, air, 0.55, 0.12e-3);
    if (c.airBronchograms) addBronchograms(b, g, rng, c.fromM, c.toM, top, air);
  }
}

/**
 * Air bronchograms: air in the small airways of the consolidated lung, bright punctate and
 * branching linear echoes running from the depth toward the pleura.
 */
function addBronchograms(b: PrimaryBuilder, g: SceneGeometry, rng: SeededRandom, fromS: number, toS: number, top: (s: number) => number, air: (s: number) => number): void {
  const step = g.wavelengthM / 2;
  const branches = Math.max(3, Math.round((toS - fromS) / 3e-3));
  for (let k = 0; k < branches; k++) {
    let s = fromS + (toS - fromS) * (0.15 + 0.7 * rng.uniform());
    const depthRoom = air(s) - top(s);
    if (depthRoom < 4e-3) continue;
    let u = top(s) + depthRoom * (0.55 + 0.35 * rng.uniform());
    // Mostly toward the pleura, tilted, wandering.
    let angle = (rng.uniform() - 0.5) * 1.2;
    const length = 2e-3 + 7e-3 * rng.uniform();
    for (let walked = 0; walked < length; walked += step) {
      angle += 0.08 * rng.gaussian();
      s += step * Math.sin(angle);
      u -= step * Math.cos(angle);
      if (u < top(s) + 1e-3 || u > air(s) - 0.5e-3) break;
      // Punctate: bright dots with gaps.
      if (rng.uniform() < 0.45) continue;
      b.add(s, u, LINE_AMPLITUDE_PER_M * step * 0.22 * (0.3 + rng.uniform()), Moves.Lung, Role.Reverberates);
    }
  }
}

export function addEffusion(b: PrimaryBuilder, g: SceneGeometry, spec: SceneSpec, surface: LungSurface, rng: SeededRandom): void {
  const e = surface.effusion;
  if (!e) return;
  const range = { fromS: e.fromM, toS: e.toM };
  const parietal = (s: number): number => g.pleuraBaseU(s) + 0.4e-3;
  const visceral = (s: number): number => surface.visceralAt(s, s);
  if (e.particles > 0) {
    fillBetween(b, g, rng, range, parietal, (s) => visceral(s) - 0.5e-3, g.densityPerMm2(1.5 * e.particles), () => dB(-24), Moves.Fluid);
  }
  if (e.atelectasisM > 0) {
    const density = g.densityPerMm2(spec.chestWall.scatterersPerMm2);
    const patches = new SmoothNoise(rng, { fromM: e.fromM, toM: e.toM, correlationM: 2e-3 });
    fillBetween(b, g, rng, range, (s) => visceral(s) + 0.3e-3, (s) => surface.airAt(s, s) - 0.3e-3, density, (s, u) => dB(-9) * Math.exp(0.3 * patches.at(s + u)), Moves.Lung);
    roughLine(b, g, rng, range, (s) => surface.airAt(s, s), 0.7, 0.08e-3);
  }
}
