/**
 * Acoustic occlusion for the RF model: bodies (ribs) that sound hardly crosses. The RF model is
 * otherwise a straight-ray model, so an occluder answers, for a scatterer, how much of the
 * amplitude survives the straight path from each element to it. rf-model.ts then
 *  - multiplies each element's received echo by that element's transmission, and
 *  - multiplies the transmitted wave by the mean transmission over the elements that launch it:
 *    those whose wavelets reach the scatterer within half a period of the wavefront (its first
 *    Fresnel zone). A scatterer whose Fresnel zone is blocked lies in the acoustic shadow; one
 *    whose zone is half blocked lies on the shadow's soft edge, as diffraction would make it.
 *
 * Bone: cortical bone attenuates ~20 dB/cm/MHz and reflects about half the amplitude at its
 * surface, so beyond a millimetre of bone almost nothing is left. The transmission of a path
 * that crosses L metres of an ellipse is `floor + (1 - floor) exp(-L / decayLengthM)`: grazing
 * paths lose little (soft shadow edges), a path through the rib keeps only `floor`.
 */
import type { ElementGeometry } from '../../../pipeline/beamform/probe-geometry.js';

export interface Occluder {
  /**
   * One-way amplitude transmission (0..1) of the straight path from every element to (x, z),
   * written into `out` (one entry per element). Returns false, leaving `out` untouched, when no
   * path is blocked — the common case, which must be cheap.
   */
  transmissionTo(xM: number, zM: number, out: Float64Array): boolean;
}

/** An ellipse with axes along x and z (a rib in cross-section). */
export interface OccludingEllipse {
  cxM: number;
  czM: number;
  /** Half-width (x) and half-height (z). */
  axM: number;
  azM: number;
}

export interface EllipseOccluderOptions {
  /** Transmission left after a long path through the body (default 0.01, -40 dB one way). */
  floor: number;
  /** Path length in the body over which the transmission falls by 1/e (default 0.3 mm). */
  decayLengthM: number;
}

export const ELLIPSE_OCCLUDER_DEFAULTS: EllipseOccluderOptions = { floor: 0.01, decayLengthM: 0.3e-3 };

export class EllipseOccluder implements Occluder {
  private readonly options: EllipseOccluderOptions;
  /** Nothing shallower than this is ever behind an ellipse (quick rejection). */
  private minTopZM = Infinity;
  private ellipses: OccludingEllipse[] = [];

  constructor(
    private readonly elements: ElementGeometry,
    ellipses: readonly OccludingEllipse[] = [],
    options: Partial<EllipseOccluderOptions> = {},
  ) {
    this.options = { ...ELLIPSE_OCCLUDER_DEFAULTS, ...options };
    this.setEllipses(ellipses);
  }

  /** Moves the bodies (e.g. with breathing or the hand); no allocation. */
  setEllipses(ellipses: readonly OccludingEllipse[]): void {
    this.ellipses = ellipses.map((e) => ({ ...e }));
    this.minTopZM = Math.min(Infinity, ...this.ellipses.map((e) => e.czM - e.azM));
  }

  transmissionTo(xM: number, zM: number, out: Float64Array): boolean {
    if (zM <= this.minTopZM) return false;
    const ex = this.elements.xM;
    const ez = this.elements.zM;
    const n = this.elements.count;
    const { floor, decayLengthM } = this.options;
    let any = false;
    for (const el of this.ellipses) {
      if (zM <= el.czM - el.azM) continue;
      const ia = 1 / el.axM;
      const ib = 1 / el.azM;
      // Scatterer in the ellipse's unit-circle frame.
      const sx = (xM - el.cxM) * ia;
      const sz = (zM - el.czM) * ib;
      for (let e = 0; e < n; e++) {
        // Segment element → scatterer, P(t) = S + t (E - S), t ∈ [0, 1]; solve |P(t)|² = 1.
        const dx = (ex[e]! - el.cxM) * ia - sx;
        const dz = (ez[e]! - el.czM) * ib - sz;
        const a = dx * dx + dz * dz;
        const b = sx * dx + sz * dz;
        const c = sx * sx + sz * sz - 1;
        const disc = b * b - a * c;
        if (disc <= 0) continue;
        const root = Math.sqrt(disc);
        const t1 = Math.max(0, (-b - root) / a);
        const t2 = Math.min(1, (-b + root) / a);
        if (t2 <= t1) continue;
        // Chord length in metres: the same t fraction of the real segment.
        const segM = Math.hypot(ex[e]! - xM, ez[e]! - zM);
        const inBodyM = (t2 - t1) * segM;
        const trans = floor + (1 - floor) * Math.exp(-inBodyM / decayLengthM);
        if (!any) {
          out.fill(1);
          any = true;
        }
        out[e] = out[e]! * trans;
      }
    }
    return any;
  }
}
