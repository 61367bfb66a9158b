/**
 * B-lines as ring-down sources. Where the lung surface is wet (thickened interlobular septa,
 * fluid trapped between air spaces), a small resonant structure at the pleura keeps re-emitting
 * the pulse after it has been hit: the probe receives, after the pleural echo, a long train of
 * echoes from the same place, and the scanner draws them along the scan line as if they came
 * from ever deeper: a bright vertical line from the pleura to the bottom of the image.
 *
 * Modelled explicitly as what the probe receives: a narrow column of virtual scatterers on the
 * scan line through the source, from the air surface down, each echo arriving as late as the
 * ring-down does. The column's scatterers have random depths and amplitudes — the sum of many
 * small resonators (fluid between air spaces) with unrelated phases rather than one resonance —
 * so the beamformer focuses the column like a thin strip of tissue: a bright, narrow
 * ("laser-like") line that is as sharp at depth as the beam is. (A single phase-locked resonance,
 * tried first, rings at a direction-dependent frequency on every element and floods the whole
 * diverging-wave image with haze.) Timing along the beam is physical; strength, width and decay
 * are phenomenological: the ring-down decays like the echoes of tissue at the same apparent depth
 * (the RF model applies that attenuation to the column), so a depth-gain-compensated display
 * shows it even, and a slow random modulation gives it texture. Sources move with the lung
 * (sliding, breathing), so B-lines move with respiration; where one sits, the pleura reflects
 * less and the A-lines under it are erased (SurfaceTable.mirrorWeight).
 */
import { mixSeed, SeededRandom } from '../physics/random.js';
import { SmoothNoise } from './smooth-noise.js';
import type { Emit } from './reverberation.js';
import type { SurfaceTable } from './surface-table.js';

export interface RingDownSource {
  /** Lateral position on the lung (lung frame, m). */
  sM: number;
  widthM: number;
  /** Amplitude per column scatterer. */
  amplitude: number;
  /** Length of the artifact below the air surface (Infinity: to the bottom of the image). */
  lengthM: number;
  /** How much of the mirror it takes for the A-lines (0..1). */
  erases: number;
}

/** One source's column at rest: depth below the air surface, lateral offset, amplitude. */
interface Column {
  belowM: Float32Array;
  offsetM: Float32Array;
  amplitude: Float32Array;
}

/** Column scatterers per metre of depth, per millimetre of source width (at least one mm's worth): ~1.3 per axial resolution cell. */
const DENSITY_PER_M = 3000;
const REFERENCE_WAVELENGTH_M = 1540 / 3.57e6;

export class RingDown {
  private readonly columns: Column[];

  constructor(
    readonly sources: readonly RingDownSource[],
    private readonly o: { maxDepthM: number; seed: number; wavelengthM: number },
  ) {
    const rng = new SeededRandom(mixSeed(o.seed, 0x626c6e73));
    this.columns = sources.map((src) => {
      const lengthM = Math.min(o.maxDepthM, src.lengthM);
      // Per resolution cell the same under every probe: scale by λ(3.57 MHz)/λ.
      const perM = DENSITY_PER_M * (REFERENCE_WAVELENGTH_M / o.wavelengthM);
      const n = Math.ceil(lengthM * perM * Math.max(1, src.widthM / 1e-3));
      const texture = new SmoothNoise(rng, { fromM: 0, toM: lengthM, correlationM: 1.5e-3 });
      const belowM = Float32Array.from({ length: n }, () => rng.uniform() * lengthM).sort();
      const offsetM = Float32Array.from({ length: n }, () => (rng.uniform() - 0.5) * src.widthM);
      // Power per unit length stays the same whatever the width: σ² ∝ 1 / (scatterers per metre).
      const sigma = src.amplitude / Math.sqrt((Math.max(1, src.widthM / 1e-3) * perM) / DENSITY_PER_M);
      const amplitude = Float32Array.from(belowM, (b) => {
        const fade = Number.isFinite(src.lengthM) ? Math.max(0, 1 - b / src.lengthM) : 1;
        return sigma * rng.gaussian() * fade * Math.max(0.2, 1 + 0.25 * texture.at(b));
      });
      return { belowM, offsetM, amplitude };
    });
  }

  get capacity(): number {
    return this.columns.reduce((n, c) => n + c.belowM.length, 0);
  }

  /** Subtracts each visible source's footprint from the mirror (call before Reverberation.emit). */
  erase(positionS: Float32Array, visible: Uint8Array, surface: SurfaceTable): void {
    this.sources.forEach((src, b) => {
      if (!visible[b] || src.erases <= 0) return;
      const centre = positionS[b]!;
      const sigma = 0.8 * src.widthM + 0.6e-3;
      const lo = surface.binOf(centre - 3 * sigma);
      const hi = surface.binOf(centre + 3 * sigma);
      for (let bin = lo; bin <= hi; bin++) {
        const d = (surface.sOf(bin) - centre) / sigma;
        surface.mirrorWeight[bin]! *= 1 - src.erases * Math.exp(-0.5 * d * d);
      }
    });
  }

  /** Emits the columns of the visible sources at their probe-frame lateral positions. */
  emit(positionS: Float32Array, visible: Uint8Array, surface: SurfaceTable, emit: Emit): void {
    const maxDepthM = this.o.maxDepthM;
    this.sources.forEach((_, b) => {
      if (!visible[b]) return;
      const col = this.columns[b]!;
      const centre = positionS[b]!;
      const top = surface.airU[surface.binOf(centre)]!;
      for (let i = 0; i < col.belowM.length; i++) {
        const u = top + col.belowM[i]!;
        if (u > maxDepthM) break; // sorted by depth
        emit(centre + col.offsetM[i]!, u, col.amplitude[i]!);
      }
    });
  }
}
