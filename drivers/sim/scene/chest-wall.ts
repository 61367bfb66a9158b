/**
 * The chest wall between the skin and the parietal pleura, as diffuse scatterers (speckle)
 * whose strength follows the layers of a chest wall: bright skin, hypoechoic subcutaneous fat,
 * striated muscle with horizontal bright bands, and specular fascia lines between layers.
 * Amplitudes are N(0, level²/ρ) with ρ the density per mm², so the speckle brightness does not
 * depend on how many scatterers are spent on it (only how developed the speckle is).
 * Phenomenological: the levels are chosen to look like chest walls on real lung scans.
 */
import type { SeededRandom } from '../physics/random.js';
import { SmoothNoise } from './smooth-noise.js';
import { Moves, Role, type PrimaryBuilder } from './primaries.js';
import type { SceneGeometry } from './geometry.js';
import type { SceneSpec } from './spec.js';
import type { RibShape } from './ribs.js';

const dB = (db: number): number => 10 ** (db / 20);

/**
 * Diffuse backscatter of soft tissue relative to the foundation scene's calibration (docs/simulator.md):
 * −5 dB, which puts chest-wall muscle about 30–35 dB below the pleural line, as on real lung scans.
 */
export const TISSUE_LEVEL = 10 ** (-5 / 20);

/** Specular line strength per metre of line; the pleura is 1 (pleura.ts). */
export const FASCIA_LINE_STRENGTH = 0.22;

export interface ChestWallLayers {
  skinEndM: number;
  fatEndM: number;
}

export function addChestWall(b: PrimaryBuilder, g: SceneGeometry, spec: SceneSpec, rng: SeededRandom, ribs: readonly RibShape[], lineAmplitudePerM: number): ChestWallLayers {
  const skinEndM = 2e-3;
  const fatEndM = skinEndM + spec.chestWall.fatMm / 1000;
  const pleuraTopM = (sM: number): number => g.pleuraBaseU(sM) - 0.3e-3;
  const striation = new SmoothNoise(rng, { fromM: 0, toM: 0.07, correlationM: 0.22e-3 });
  const waviness = new SmoothNoise(rng, { fromM: -g.halfWidthSM, toM: g.halfWidthSM, correlationM: 4e-3 });
  const patch = new SmoothNoise(rng, { fromM: -g.halfWidthSM, toM: g.halfWidthSM, correlationM: 2.5e-3 });

  const levelAt = (sM: number, uM: number): number => {
    if (uM < skinEndM) return dB(3);
    if (uM < fatEndM) return dB(-11) * (1 + 0.5 * Math.max(0, patch.at(sM + 3 * uM)));
    // Muscle: log-normal horizontal bands, slightly wavy, a little darker just above the pleura.
    const band = Math.exp(0.75 * striation.at(uM + 0.4e-3 * waviness.at(sM)) - 0.28);
    const nearPleura = uM > pleuraTopM(sM) - 1.5e-3 ? dB(-4) : 1;
    return band * nearPleura;
  };

  // Uniform in area over the field of view down to the deepest pleura, kept above the pleura.
  const sMax = g.halfWidthSM;
  const uMax = pleuraTopM(sMax);
  const R = g.radiusM;
  const areaMm2 = (g.frame.kind === 'convex' ? 2 * sMax * g.latPerS * 0.5 * ((R + uMax) ** 2 - R ** 2) : 2 * sMax * uMax) * 1e6;
  const density = g.densityPerMm2(spec.chestWall.scatterersPerMm2);
  const candidates = Math.round(areaMm2 * density);
  const sigmaPerLevel = TISSUE_LEVEL / Math.sqrt(density);
  for (let i = 0; i < candidates; i++) {
    const sM = (2 * rng.uniform() - 1) * sMax;
    const uM = R > 0 ? Math.sqrt(R * R + rng.uniform() * ((R + uMax) ** 2 - R * R)) - R : rng.uniform() * uMax;
    const a = rng.gaussian();
    if (uM < 0.3e-3 || uM > pleuraTopM(sM) || ribs.some((r) => r.contains(sM, uM, g))) continue;
    b.add(sM, uM, sigmaPerLevel * levelAt(sM, uM) * a, Moves.ChestWall, Role.Reverberates);
  }

  // Fascia: partially coherent lines (λ/2 apart, random strength) that wander a little.
  const fascia = (depthM: number, strength: number): void => {
    const step = g.wavelengthM / 2;
    const wander = new SmoothNoise(rng, { fromM: -sMax, toM: sMax, correlationM: 3e-3 });
    for (let sM = -sMax; sM <= sMax; sM += step) {
      const uM = depthM + 0.35e-3 * wander.at(sM);
      if (uM > pleuraTopM(sM) - 1e-3 || ribs.some((r) => r.contains(sM, uM, g))) continue;
      b.add(sM, uM, strength * lineAmplitudePerM * step * (0.2 + 0.8 * rng.uniform()), Moves.ChestWall, Role.Reverberates);
    }
  };
  fascia(fatEndM, FASCIA_LINE_STRENGTH);
  const muscleM = g.pleuraDepthM - fatEndM;
  if (muscleM > 6e-3) fascia(fatEndM + 0.45 * muscleM, 0.6 * FASCIA_LINE_STRENGTH);
  return { skinEndM, fatEndM };
}
