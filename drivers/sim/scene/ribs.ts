/**
 * Ribs: an elliptical cross-section in the chest wall whose upper surface is a bright, rough
 * specular echo (bone reflects about half the amplitude) and which casts an acoustic shadow:
 * the RF model's occluder (physics/occluder.ts) removes what lies behind it along each
 * element's straight path. In a longitudinal scan between two ribs this makes the "bat sign":
 * two bright arcs with dark fans below and the pleural line between them, a few mm deeper.
 */
import type { SeededRandom } from '../physics/random.js';
import type { OccludingEllipse } from '../physics/occluder.js';
import type { SceneGeometry } from './geometry.js';
import { Moves, Role, type PrimaryBuilder } from './primaries.js';
import type { SceneSpec } from './spec.js';

/** Bone surface strength relative to the pleura, per metre of line. */
const RIB_SURFACE_STRENGTH = 1.1;

export interface RibShape {
  /** Lateral position (s) of the rib centre and the depth of its centre along that scan line. */
  sM: number;
  uM: number;
  halfWidthM: number;
  halfHeightM: number;
  /** True when the probe-frame point of body coordinates (s, u) lies inside the bone. */
  contains(sM: number, uM: number, g: SceneGeometry): boolean;
  /** The occluding ellipse in the probe frame, the rib moved by (ds, du) in beam coordinates. */
  ellipseAt(dsM: number, duM: number, g: SceneGeometry, out: OccludingEllipse): void;
}

export function ribShapes(spec: SceneSpec, g: SceneGeometry): RibShape[] {
  const r = spec.ribs;
  const halfWidthM = r.widthMm / 2000;
  const halfHeightM = r.heightMm / 2000;
  const topM = (r.topDepthMm ?? spec.chestWall.pleuraDepthMm - 5.5) / 1000;
  const p = { xM: 0, zM: 0 };
  return r.atMm.map((atMm) => {
    const sM = atMm / 1000;
    const uM = topM + halfHeightM;
    const centre = (ds: number, du: number): { xM: number; zM: number } => {
      g.frame.toXZ((sM + ds) * g.latPerS, uM + du, p);
      return p;
    };
    const c0 = { ...centre(0, 0) };
    return {
      sM,
      uM,
      halfWidthM,
      halfHeightM,
      contains(s, u, geo) {
        geo.frame.toXZ(s * geo.latPerS, u, p);
        return ((p.xM - c0.xM) / halfWidthM) ** 2 + ((p.zM - c0.zM) / halfHeightM) ** 2 < 1;
      },
      ellipseAt(ds, du, geo, out) {
        const c = centre(ds, du);
        void geo;
        out.cxM = c.xM;
        out.czM = c.zM;
        out.axM = halfWidthM;
        out.azM = halfHeightM;
      },
    };
  });
}

/** The bone surface: the upper part of each ellipse, λ/3 apart, rough. */
export function addRibSurfaces(b: PrimaryBuilder, g: SceneGeometry, ribs: readonly RibShape[], rng: SeededRandom, lineAmplitudePerM: number): void {
  const el: OccludingEllipse = { cxM: 0, czM: 0, axM: 0, azM: 0 };
  const q = { lat: 0, uM: 0 };
  for (const rib of ribs) {
    rib.ellipseAt(0, 0, g, el);
    const step = g.wavelengthM / 3;
    // Parametric angle φ from the top (φ = 0) toward both sides; arc length ≈ √(a²cos²φ + b²sin²φ) dφ.
    for (let phi = -1.35; phi <= 1.35; ) {
      const x = el.cxM + el.axM * Math.sin(phi);
      const z = el.czM - el.azM * Math.cos(phi) - 0.02e-3; // just outside the bone
      g.frame.fromXZ(x, z + 0.04e-3 * rng.gaussian(), q);
      // Steeper flanks reflect away from the probe; the surface also gets rougher there.
      const amp = RIB_SURFACE_STRENGTH * lineAmplitudePerM * step * (0.6 + 0.4 * rng.uniform()) * Math.cos(phi) ** 0.5;
      b.add(q.lat / g.latPerS, q.uM, amp, Moves.ChestWall, Role.Plain);
      phi += step / Math.hypot(el.axM * Math.cos(phi), el.azM * Math.sin(phi));
    }
  }
}
