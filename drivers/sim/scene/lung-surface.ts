/**
 * Where the air is: the surface that reflects nearly all the sound (tissue/air, |R| ≈ 0.999)
 * and so bounds everything the probe can see in a lung. Normally it is the visceral pleura; over
 * an effusion it lies deeper, below the fluid (and any compressed lung); in a consolidation it
 * is the irregular deep border of the airless lung (the "shred"). Reverberation copies and
 * A-lines mirror on it (reverberation.ts), B-lines start on it (ring-down.ts).
 *
 * Depths are at rest in body coordinates: `sWall` is the lateral position in the chest wall's
 * frame, `sLung` in the lung's (they differ by the sliding). The lung's breathing and pulse
 * are added by the scene.
 */
import type { SeededRandom } from '../physics/random.js';
import type { SceneGeometry } from './geometry.js';
import { SmoothNoise } from './smooth-noise.js';
import type { SceneSpec } from './spec.js';

export interface ConsolidationShape {
  fromM: number;
  toM: number;
  /** Depth of the shred border below the pleura at sLung (0 outside). */
  extraDepthAt(sLung: number): number;
  airBronchograms: boolean;
  depthM: number;
}

export interface EffusionShape {
  fromM: number;
  toM: number;
  /** Fluid thickness at rest at sWall (0 outside). */
  thicknessAt(sWall: number): number;
  atelectasisM: number;
  particles: number;
}

/** Fraction by which an effusion thins at full inspiration (the lung expands into it). */
export const EFFUSION_BREATHING = 0.12;

export class LungSurface {
  readonly consolidations: ConsolidationShape[];
  readonly effusion: EffusionShape | null;
  private readonly irregular: SmoothNoise;
  private readonly irregularityM: number;

  constructor(
    private readonly g: SceneGeometry,
    spec: SceneSpec,
    rng: SeededRandom,
  ) {
    const span = { fromM: -g.halfWidthSM - 0.02, toM: g.halfWidthSM + 0.02 };
    this.irregular = new SmoothNoise(rng, { ...span, correlationM: 0.9e-3 });
    this.irregularityM = spec.pleura.irregularityMm / 1000;
    this.consolidations = spec.consolidation.map((c) => {
      const fromM = c.fromMm / 1000;
      const toM = c.toMm / 1000;
      const depthM = c.depthMm / 1000;
      const coarse = new SmoothNoise(rng, { ...span, correlationM: 1.8e-3 });
      const fine = new SmoothNoise(rng, { ...span, correlationM: 0.5e-3 });
      return {
        fromM,
        toM,
        depthM,
        airBronchograms: c.airBronchograms,
        extraDepthAt(sLung: number): number {
          if (sLung <= fromM || sLung >= toM) return 0;
          const bump = Math.sin((Math.PI * (sLung - fromM)) / (toM - fromM)) ** 0.5;
          // The shred: a coarse lobulated border with a finer jagged edge.
          return Math.max(1.5e-3, depthM * bump * (0.78 + 0.22 * coarse.at(sLung)) + 0.9e-3 * fine.at(sLung)) * Math.min(1, 4 * bump);
        },
      };
    });
    const e = spec.effusion;
    this.effusion = e
      ? {
          fromM: e.fromMm / 1000,
          toM: e.toMm / 1000,
          atelectasisM: e.atelectasisMm / 1000,
          particles: e.particles,
          thicknessAt(sWall: number): number {
            const f = (sWall * 1000 - e.fromMm) / (e.toMm - e.fromMm);
            if (f < 0 || f > 1) return 0;
            return (e.thicknessMm[0] + f * (e.thicknessMm[1] - e.thicknessMm[0])) / 1000;
          },
        }
      : null;
  }

  /** Depth (at rest) of the visceral pleura: the lung's outer surface. */
  visceralAt(sWall: number, sLung: number): number {
    return this.g.pleuraBaseU(sWall) + this.irregularityM * this.irregular.at(sLung) + (this.effusion?.thicknessAt(sWall) ?? 0);
  }

  /** Depth (at rest) of the air surface. */
  airAt(sWall: number, sLung: number): number {
    let u = this.visceralAt(sWall, sLung);
    if (this.effusion && this.effusion.thicknessAt(sWall) > 0) u += this.effusion.atelectasisM;
    for (const c of this.consolidations) u += c.extraDepthAt(sLung);
    return u;
  }

  /**
   * How mirror-like the air surface is (0..1): 1 for aerated lung under a smooth pleura; low for
   * a consolidation's shred border, which scatters rather than reflects.
   */
  coherenceAt(sLung: number): number {
    let c = 1;
    for (const k of this.consolidations) if (k.extraDepthAt(sLung) > 0) c = Math.min(c, 0.25);
    return c / (1 + (this.irregularityM / 0.4e-3) ** 2);
  }

  /** Extra axial motion (m) of the lung at sWall with breathing: an effusion thins in inspiration. */
  breathingExtraAt(sWall: number, breath: number): number {
    return this.effusion ? -EFFUSION_BREATHING * breath * this.effusion.thicknessAt(sWall) : 0;
  }
}
