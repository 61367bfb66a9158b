/**
 * The region under a probe where scene scatterers live: an annular sector around the centre of
 * curvature for a convex array, a rectangle for a linear one. Sampling is uniform in area, so a
 * density (per mm²) translates directly into a scatterer count.
 */
import type { TransducerGeometry } from '../../protocol/messages.js';
import { convexApothemM, convexElementAngleRad } from '../../../pipeline/beamform/probe-geometry.js';
import type { SeededRandom } from './random.js';

export interface ImagingRegion {
  /** Depth of the skin line under the array centre (convex: the apex, z = R - h). */
  readonly apexZM: number;
  readonly areaM2: number;
  /** Half-width of the region at depth z (for laying lines across it). */
  halfWidthAtM(zM: number): number;
  sample(rng: SeededRandom, out: { xM: number; zM: number }): void;
}

export interface RegionMargins {
  /** Extra lateral room (m) beyond the field of view, so scatterers sliding in stay dense. */
  lateralM: number;
  /** Extra depth (m) beyond the imaging depth. */
  deepM: number;
}

export function imagingRegion(probe: TransducerGeometry, depthM: number, margins: RegionMargins): ImagingRegion {
  const skinGapM = 0.5e-3; // no scatterers in the lens/contact layer
  if (probe.kind === 'convex') {
    const R = probe.radiusM;
    const h = convexApothemM(probe.elementCount, probe.pitchM, R);
    const r0 = R + skinGapM;
    const r1 = R + depthM + margins.deepM;
    const thetaMax = convexElementAngleRad(probe.elementCount - 1, probe.elementCount, probe.pitchM, R) + margins.lateralM / R;
    return {
      apexZM: R - h,
      areaM2: thetaMax * (r1 * r1 - r0 * r0),
      halfWidthAtM: (zM) => (zM + h) * Math.tan(thetaMax),
      sample(rng, out) {
        const r = Math.sqrt(r0 * r0 + rng.uniform() * (r1 * r1 - r0 * r0));
        const th = (2 * rng.uniform() - 1) * thetaMax;
        out.xM = r * Math.sin(th);
        out.zM = r * Math.cos(th) - h;
      },
    };
  }
  const halfWidthM = ((probe.elementCount - 1) / 2) * probe.pitchM + margins.lateralM;
  const z0 = skinGapM;
  const z1 = depthM + margins.deepM;
  return {
    apexZM: 0,
    areaM2: 2 * halfWidthM * (z1 - z0),
    halfWidthAtM: () => halfWidthM,
    sample(rng, out) {
      out.xM = (2 * rng.uniform() - 1) * halfWidthM;
      out.zM = z0 + rng.uniform() * (z1 - z0);
    },
  };
}
