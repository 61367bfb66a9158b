/**
 * Reverberation between the probe face and the air surface, by image sources along the beam.
 *
 * The air surface under the pleura reflects almost all the sound (|R_air| ≈ 0.999) and the probe
 * face reflects a good part of what comes back (R_face). An echo path that bounces k extra times
 * between them arrives k round trips of the face–air distance U later, so along the scan line it
 * is seen at the depth its travel time implies. Each such path is folded into a virtual
 * scatterer at that depth on the same scan line, and the RF model then gives it the delays,
 * attenuation and spreading of the unfolded path, exactly as for a real scatterer:
 *
 *   A-lines        the air line (pleura) at depth U, k more round trips:   n·U,  n = k + 1 ≥ 2
 *                  amplitude a · (R_face R_air)^k
 *   shifted copy   a scatterer at depth u, k round trips before or after:  u + k·U
 *                  amplitude 2 h a (R_face R_air)^k        (two orderings of the same path)
 *   mirror copy    seen in the air mirror, then k round trips:             (k + 2)·U − u
 *                  amplitude h a R_mirror (R_face R_air)^k (R_mirror: coherent part of a rough surface)
 * (h: hazeLevel, below.)
 *
 * Physical: the arrival times and the unfolded-path propagation. Exact for flat layers parallel
 * to a flat face at normal incidence (a linear probe over a flat pleura); along the radial scan
 * lines of a convex probe it is the same construction, an approximation off-axis.
 * Phenomenological: R_face, R_mirror and h (the diffuse copies are weaker than the flat-layer
 * estimate: the face is curved and the chest wall's layers are not parallel), the roughness of the mirror (a depth jitter that moves
 * with the sliding lung, which is what makes the sub-pleural texture shimmer and the M-mode
 * "seashore"), and copies being a random subset of the scatterers with the power kept (the
 * speckle statistics are the same; the cost is not).
 * Where a B-line source takes the sound, the mirror is weaker (SurfaceTable.mirrorWeight): the
 * A-lines are erased there.
 */
import { mixSeed, SeededRandom } from '../physics/random.js';
import { Role, type Primaries } from './primaries.js';
import { SmoothNoise } from './smooth-noise.js';
import type { SurfaceTable } from './surface-table.js';

export interface ReverberationOptions {
  faceReflectivity: number;
  mirrorReflectivity: number;
  hazeLevel: number;
  maxOrder: number;
  /** Deepest depth (m) worth emitting (the imaging depth plus a margin). */
  maxDepthM: number;
  /** Lateral span (m) of s for the roughness functions. */
  halfWidthM: number;
  seed: number;
}

/** RMS depth roughness of the reflecting lung surface (m): ~λ/6 at 3.6 MHz. */
const ROUGHNESS_M = 0.07e-3;
/** Fraction of the diffuse scatterers copied into band k (index k - 1 … ): power is kept by 1/√f. */
const COPY_FRACTIONS = [0.3, 0.15, 0.08, 0.05, 0.04, 0.03, 0.03, 0.03];
/** Fraction of the air line copied into A-line n (coherent: amplitude kept by 1/f). */
const ALINE_FRACTIONS = [0.5, 0.3, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2];

interface CopySet {
  /** Primary indices. */
  index: Int32Array;
  /** Static depth jitter (m) per copy. */
  jitter: Float32Array;
  gain: number;
}

export type Emit = (sM: number, uM: number, amplitude: number) => void;

export class Reverberation {
  private readonly aLines: CopySet[] = [];
  private readonly shifted: CopySet[] = [];
  private readonly mirrored: CopySet[] = [];
  private readonly roughness: SmoothNoise[] = [];

  constructor(
    primaries: Primaries,
    private readonly o: ReverberationOptions,
  ) {
    const rng = new SeededRandom(mixSeed(o.seed, 0x72657662));
    const pick = (role: Role, fraction: number, jitterM: number): CopySet => {
      const idx: number[] = [];
      const jit: number[] = [];
      for (let i = 0; i < primaries.count; i++) {
        if (primaries.role[i] !== role || rng.uniform() >= fraction) continue;
        idx.push(i);
        jit.push(jitterM * rng.gaussian());
      }
      return { index: Int32Array.from(idx), jitter: Float32Array.from(jit), gain: role === Role.AirLine ? 1 / fraction : 1 / Math.sqrt(fraction) };
    };
    for (let k = 1; k <= o.maxOrder; k++) {
      const f = COPY_FRACTIONS[Math.min(k, COPY_FRACTIONS.length) - 1]!;
      // Each further round trip blurs the A-line a little more (the surfaces are not parallel).
      this.aLines.push(pick(Role.AirLine, ALINE_FRACTIONS[Math.min(k, ALINE_FRACTIONS.length) - 1]!, 0.12e-3 * k));
      this.shifted.push(pick(Role.Reverberates, f, 0.02e-3 * k));
      this.mirrored.push(pick(Role.Reverberates, f, 0.02e-3 * k));
      this.roughness.push(new SmoothNoise(rng, { fromM: -o.halfWidthM - 0.02, toM: o.halfWidthM + 0.02, correlationM: 0.25e-3 }));
    }
  }

  /** Upper bound of the copies one frame emits. */
  get capacity(): number {
    let n = 0;
    for (const sets of [this.aLines, this.shifted, this.mirrored]) for (const c of sets) n += c.index.length;
    return n;
  }

  /**
   * Emits this frame's copies. `s`, `u`, `amp` are the primaries' probe-frame positions and
   * amplitudes this frame (amp 0: not there this frame).
   */
  emit(s: Float32Array, u: Float32Array, amp: Float32Array, surface: SurfaceTable, emit: Emit): void {
    const { faceReflectivity: rFace, mirrorReflectivity: rMirror, hazeLevel, maxDepthM } = this.o;
    for (let k = 1; k <= this.aLines.length; k++) {
      const roundTrips = rFace ** k;
      const rough = this.roughness[k - 1]!;
      const a = this.aLines[k - 1]!;
      for (let j = 0; j < a.index.length; j++) {
        const i = a.index[j]!;
        const amplitude = amp[i]!;
        if (amplitude === 0) continue;
        const bin = surface.binOf(s[i]!);
        const depth = (k + 1) * u[i]! + a.jitter[j]!;
        if (depth > maxDepthM) continue;
        const c = surface.coherence[bin]!;
        emit(s[i]!, depth, amplitude * a.gain * roundTrips * c ** k * surface.mirrorWeight[bin]!);
      }
      for (const [set, mirror] of [[this.shifted[k - 1]!, false], [this.mirrored[k - 1]!, true]] as const) {
        // Shifted copies k = 1, 2, …; mirror copies k = 0, 1, … (index k - 1).
        const strength = hazeLevel * (mirror ? rMirror * rFace ** (k - 1) : 2 * roundTrips);
        for (let j = 0; j < set.index.length; j++) {
          const i = set.index[j]!;
          const amplitude = amp[i]!;
          if (amplitude === 0) continue;
          const si = s[i]!;
          const bin = surface.binOf(si);
          const U = surface.airU[bin]!;
          const ui = u[i]!;
          if (ui > U - 0.3e-3) continue; // only what lies between the probe and the air
          const jitter = set.jitter[j]! + 2 * ROUGHNESS_M * rough.at(surface.surfaceS[bin]! + (mirror ? 0 : 0.011));
          const depth = mirror ? (k + 1) * U - ui + jitter : ui + k * U + jitter;
          if (depth > maxDepthM) continue;
          const c = surface.coherence[bin]!;
          emit(si, depth, amplitude * set.gain * strength * (mirror ? c ** k : c ** (k - 1) * Math.sqrt(c)) * surface.mirrorWeight[bin]!);
        }
      }
    }
  }
}
