/**
 * Beam coordinates of a probe: where along which scan line a point lies.
 *  - convex: `lat` is the angle θ (rad) of the radial line from the centre of curvature (0, -h),
 *    `u` the depth below the array face along that line: x = (R + u) sin θ, z = (R + u) cos θ - h;
 *  - linear: `lat` is x (m), `u` is z.
 * Reverberation travels back and forth along the beam, so the lung scene places its image
 * sources (A-lines, reverberation copies, ring-down columns) in these coordinates.
 *
 * @example
 *   const bf = beamFrame(C5_2V.geometry);
 *   const p = { xM: 0, zM: 0 };
 *   bf.toXZ(0.1, 0.03, p);            // 30 mm below the face on the line at 0.1 rad
 *   bf.latPerM(0.025)                 // lat units per metre of arc 25 mm below the face
 */
import type { TransducerGeometry } from '../../protocol/messages.js';
import { convexApothemM, convexElementAngleRad } from '../../../pipeline/beamform/probe-geometry.js';

export interface XZ {
  xM: number;
  zM: number;
}

export interface LatU {
  lat: number;
  uM: number;
}

export interface BeamFrame {
  readonly kind: 'convex' | 'linear';
  /** z of the skin under the array centre (convex: the apex R - h; linear: 0). */
  readonly apexZM: number;
  /** Half the field of view in lat units (the end elements). */
  readonly halfFieldLat: number;
  toXZ(lat: number, uM: number, out: XZ): void;
  fromXZ(xM: number, zM: number, out: LatU): void;
  /** lat units per metre of lateral distance at depth u (convex: 1/(R + u); linear: 1). */
  latPerM(uM: number): number;
}

export function beamFrame(probe: TransducerGeometry): BeamFrame {
  if (probe.kind === 'convex') {
    const R = probe.radiusM;
    const h = convexApothemM(probe.elementCount, probe.pitchM, R);
    return {
      kind: 'convex',
      apexZM: R - h,
      halfFieldLat: convexElementAngleRad(probe.elementCount - 1, probe.elementCount, probe.pitchM, R),
      toXZ(lat, uM, out) {
        const r = R + uM;
        out.xM = r * Math.sin(lat);
        out.zM = r * Math.cos(lat) - h;
      },
      fromXZ(xM, zM, out) {
        const zc = zM + h;
        out.lat = Math.atan2(xM, zc);
        out.uM = Math.hypot(xM, zc) - R;
      },
      latPerM: (uM) => 1 / (R + uM),
    };
  }
  return {
    kind: 'linear',
    apexZM: 0,
    halfFieldLat: ((probe.elementCount - 1) / 2) * probe.pitchM,
    toXZ(lat, uM, out) {
      out.xM = lat;
      out.zM = uM;
    },
    fromXZ(xM, zM, out) {
      out.lat = xM;
      out.uM = zM;
    },
    latPerM: () => 1,
  };
}
