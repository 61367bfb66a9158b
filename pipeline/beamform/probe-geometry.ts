/**
 * Element positions and normals of a transducer array, derived from the geometry the probe
 * reports in IDENTIFY. Shared by the simulator (drivers/sim/physics) and the beamformer so
 * that both place the elements identically.
 *
 * Conventions (docs/probe-protocol.md, ../shared/datasets/rf/README.md): x lateral, 0 at the
 * array centre, increasing from element 0 to the last; z depth. Linear: elements on z = 0.
 * Convex: centre of curvature at (0, -h), h = R cos(θmax) (the apothem), so z = 0 is the chord
 * through the two end elements and the apex of the array is at z = R - h.
 *
 * @example
 *   const el = elementGeometry(probe);
 *   el.xM[0], el.zM[0], el.normalAngleRad[0]
 */
import type { TransducerGeometry } from '../../drivers/protocol/messages.js';

export interface ElementGeometry {
  kind: 'linear' | 'convex';
  count: number;
  pitchM: number;
  /** Radius of curvature; 0 for a linear array. */
  radiusM: number;
  /** Distance from the chord (z = 0) up to the centre of curvature at (0, -apothemM); 0 for linear. */
  apothemM: number;
  xM: Float64Array;
  zM: Float64Array;
  /** Angle of the element normal from +z (straight down), positive toward +x. */
  normalAngleRad: Float64Array;
}

/** Angle of element e on a convex array: equal angular steps of pitch/R (arc length = pitch). */
export function convexElementAngleRad(e: number, count: number, pitchM: number, radiusM: number): number {
  return ((e - (count - 1) / 2) * pitchM) / radiusM;
}

/** Apothem h = R cos(θmax): the depth of the centre of curvature above the end-element chord. */
export function convexApothemM(count: number, pitchM: number, radiusM: number): number {
  return radiusM * Math.cos(convexElementAngleRad(count - 1, count, pitchM, radiusM));
}

export function elementGeometry(probe: TransducerGeometry): ElementGeometry {
  const n = probe.elementCount;
  const xM = new Float64Array(n);
  const zM = new Float64Array(n);
  const normalAngleRad = new Float64Array(n);
  if (probe.kind === 'convex') {
    if (!(probe.radiusM > 0)) {
      throw new RangeError(`convex probe needs radiusM > 0, got ${probe.radiusM}; check the IDENTIFY geometry`);
    }
    const h = convexApothemM(n, probe.pitchM, probe.radiusM);
    for (let e = 0; e < n; e++) {
      const th = convexElementAngleRad(e, n, probe.pitchM, probe.radiusM);
      xM[e] = probe.radiusM * Math.sin(th);
      zM[e] = probe.radiusM * Math.cos(th) - h;
      normalAngleRad[e] = th;
    }
    return { kind: 'convex', count: n, pitchM: probe.pitchM, radiusM: probe.radiusM, apothemM: h, xM, zM, normalAngleRad };
  }
  for (let e = 0; e < n; e++) xM[e] = (e - (n - 1) / 2) * probe.pitchM;
  return { kind: 'linear', count: n, pitchM: probe.pitchM, radiusM: 0, apothemM: 0, xM, zM, normalAngleRad };
}
