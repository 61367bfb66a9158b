/**
 * The lung scene: a SceneSpec (spec.ts) laid out under a probe and moved in time. Every frame it
 * positions the scene's own scatterers (chest wall, ribs, pleura, lesions) with breathing, lung
 * sliding, lung pulse and the operator's hand, rebuilds the air surface as the probe sees it,
 * and adds the reverberation the single-scattering RF model cannot make by itself: image
 * sources for A-lines and reverberation copies (reverberation.ts) and ring-down columns for
 * B-lines (ring-down.ts). Ribs block sound through the RF model's occluder.
 *
 * @example
 *   const scene = new LungScene(C5_2V.geometry, presetScene('b-lines-3'), { depthM: 0.15, seed: 1 });
 *   rfModel.simulate(scene, t);            // scatterers and occluder at time t
 *   scene.truthAt(t)                       // the labels of that frame (truth.ts)
 */
import type { TransducerGeometry } from '../../protocol/messages.js';
import { elementGeometry } from '../../../pipeline/beamform/probe-geometry.js';
import { EllipseOccluder, type Occluder, type OccludingEllipse } from '../physics/occluder.js';
import { mixSeed, SeededRandom } from '../physics/random.js';
import { allocateScatterers, type Scene, type ScattererSet } from '../physics/scene.js';
import { addChestWall } from './chest-wall.js';
import { sceneGeometry, type SceneGeometry } from './geometry.js';
import { addConsolidations, addEffusion } from './lesions.js';
import { LungMotion, type MotionState } from './motion.js';
import { LungSurface } from './lung-surface.js';
import { addPleura, LINE_AMPLITUDE_PER_M, PARIETAL_SHARE } from './pleura.js';
import { Moves, PrimaryBuilder, type Primaries } from './primaries.js';
import { Reverberation } from './reverberation.js';
import { addRibSurfaces, ribShapes, type RibShape } from './ribs.js';
import { RingDown, type RingDownSource } from './ring-down.js';
import type { SceneSpec } from './spec.js';
import { SurfaceTable } from './surface-table.js';
import { addSlidingScatter } from './sliding-scatter.js';

/** Sliding over which the lung surface's diffuse scatter decorrelates (out-of-plane motion). */
const SURFACE_SCATTER_DECORRELATION_M = 0.3e-3;

/** Attenuation of pleural fluid relative to soft tissue (transudate ≈ 0.1–0.3). */
const FLUID_ATTENUATION = 0.25;

export interface LungSceneOptions {
  /** Imaging depth to fill (m below the skin). */
  depthM: number;
  seed: number;
}

/**
 * RMS amplitude of a B-line's column scatterers (3 per mm of depth and mm of width), relative to
 * a chest-wall speckle scatterer at 1/mm²: puts a B-line about as bright as the pleural line.
 */
const B_LINE_STRENGTH = 7.5;

export class LungScene implements Scene {
  readonly geometry: SceneGeometry;
  readonly motion: LungMotion;
  readonly surface: LungSurface;
  readonly ribs: readonly RibShape[];
  readonly ringDownSources: readonly RingDownSource[];
  readonly table: SurfaceTable;
  private readonly primaries: Primaries;
  private readonly reverb: Reverberation;
  private readonly ringDown: RingDown;
  private readonly occluder: EllipseOccluder;
  private readonly ribEllipses: OccludingEllipse[];
  private readonly out: ScattererSet;
  private readonly sNow: Float32Array;
  private readonly uNow: Float32Array;
  private readonly ampNow: Float32Array;
  private readonly sourceS: Float32Array;
  private readonly sourceVisible: Uint8Array;
  private readonly state: MotionState;
  private lastTimeS = NaN;

  constructor(
    readonly probe: TransducerGeometry,
    readonly spec: SceneSpec,
    readonly options: LungSceneOptions,
  ) {
    const g = (this.geometry = sceneGeometry(probe, spec, options.depthM));
    const rng = new SeededRandom(mixSeed(options.seed, 0x6c756e67));
    this.motion = new LungMotion(spec, options.seed);
    this.surface = new LungSurface(g, spec, rng);
    this.ribs = ribShapes(spec, g);
    const b = new PrimaryBuilder();
    addChestWall(b, g, spec, rng, this.ribs, LINE_AMPLITUDE_PER_M);
    addRibSurfaces(b, g, this.ribs, rng, LINE_AMPLITUDE_PER_M);
    addPleura(b, g, spec, this.surface, rng);
    addConsolidations(b, g, spec, this.surface, rng);
    addEffusion(b, g, spec, this.surface, rng);
    addSlidingScatter(b, g, this.surface, rng, spec.chestWall.scatterersPerMm2 / 3);
    this.primaries = b.build();

    const maxDepthM = options.depthM + 3e-3;
    const r = spec.reverberation;
    this.reverb = new Reverberation(this.primaries, {
      faceReflectivity: r.faceReflectivity,
      mirrorReflectivity: r.mirrorReflectivity,
      hazeLevel: r.hazeLevel,
      maxOrder: r.maxOrder,
      maxDepthM,
      halfWidthM: g.halfWidthSM,
      seed: options.seed,
    });
    this.ringDownSources = ringDownSources(spec, this.surface, rng);
    this.ringDown = new RingDown(this.ringDownSources, { maxDepthM, seed: options.seed, wavelengthM: g.wavelengthM });
    this.table = new SurfaceTable(g.halfWidthSM);

    this.ribEllipses = this.ribs.map(() => ({ cxM: 0, czM: 0, axM: 1, azM: 1 }));
    this.occluder = new EllipseOccluder(elementGeometry(probe), []);
    const n = this.primaries.count;
    this.sNow = new Float32Array(n);
    this.uNow = new Float32Array(n);
    this.ampNow = new Float32Array(n);
    this.sourceS = new Float32Array(this.ringDownSources.length);
    this.sourceVisible = new Uint8Array(this.ringDownSources.length);
    this.out = allocateScatterers(n + this.reverb.capacity + this.ringDown.capacity);
    this.state = this.motion.at(0);
  }

  /** Largest number of scatterers a frame can have (what the RF model's cost scales with). */
  get capacity(): number {
    return this.out.x.length;
  }

  /** The motion at the last time asked for. */
  get motionState(): Readonly<MotionState> {
    return this.state;
  }

  scatterersAt(timeS: number): ScattererSet {
    this.update(timeS);
    const out = this.out;
    const g = this.geometry;
    const k = g.latPerS;
    const p = { xM: 0, zM: 0 };
    const table = this.table;
    const twoAlpha = 2 * (1 - FLUID_ATTENUATION) * g.attenuationNpPerM;
    let n = 0;
    const emit = (s: number, u: number, amplitude: number): void => {
      if (amplitude === 0 || n >= out.x.length) return;
      g.frame.toXZ(s * k, u, p);
      // Pleural fluid attenuates about a quarter as much as tissue: what lies below it comes back
      // stronger (posterior enhancement), by the attenuation the fluid did not have, both ways.
      const bin = table.binOf(s);
      const fluid = table.fluidThickness[bin]!;
      const below = fluid > 0 ? Math.min(fluid, Math.max(0, u - table.fluidTopU[bin]!)) : 0;
      out.x[n] = p.xM;
      out.z[n] = p.zM;
      out.amplitude[n] = below > 0 ? amplitude * Math.exp(twoAlpha * below) : amplitude;
      n++;
    };
    const pr = this.primaries;
    for (let i = 0; i < pr.count; i++) emit(this.sNow[i]!, this.uNow[i]!, this.ampNow[i]!);
    this.ringDown.erase(this.sourceS, this.sourceVisible, table);
    this.reverb.emit(this.sNow, this.uNow, this.ampNow, table, emit);
    this.ringDown.emit(this.sourceS, this.sourceVisible, table, emit);
    out.count = n;
    return out;
  }

  occluderAt(timeS: number): Occluder | null {
    if (this.ribs.length === 0) return null;
    this.update(timeS);
    const m = this.state;
    this.ribs.forEach((rib, i) => {
      const squeeze = m.pleuraAxialM * Math.min(1, rib.uM / this.geometry.pleuraDepthM);
      rib.ellipseAt(m.handLateralM, squeeze + m.handAxialM, this.geometry, this.ribEllipses[i]!);
    });
    this.occluder.setEllipses(this.ribEllipses);
    return this.occluder;
  }

  /** Positions everything for `timeS` (primaries, air surface, ring-down sources). */
  private update(timeS: number): void {
    if (timeS === this.lastTimeS) return;
    this.lastTimeS = timeS;
    const m = this.motion.at(timeS, this.state);
    const g = this.geometry;
    const surf = this.surface;
    const t = this.table;
    const handS = m.handLateralM;
    const handU = m.handAxialM;
    const lungAxial = m.pleuraAxialM + m.pulseM;

    for (let bin = 0; bin < t.count; bin++) {
      const sWall = t.sOf(bin) - handS;
      const lung = sWall < m.slidingBelowM;
      const sLung = sWall - m.slideM;
      const fluid = surf.effusion?.thicknessAt(sWall) ?? 0;
      t.lungThere[bin] = lung ? 1 : 0;
      t.mirrorWeight[bin] = 1;
      if (lung) {
        t.airU[bin] = surf.airAt(sWall, sLung) + lungAxial + surf.breathingExtraAt(sWall, m.breath) + handU;
        t.coherence[bin] = surf.coherenceAt(sLung);
        t.surfaceS[bin] = sLung;
      } else {
        // Pneumothorax: air against the parietal pleura, a smooth mirror that does not move.
        t.airU[bin] = g.pleuraBaseU(sWall) - 0.1e-3 + m.pleuraAxialM + handU;
        t.coherence[bin] = 1;
        t.surfaceS[bin] = sWall;
      }
      t.fluidTopU[bin] = g.pleuraBaseU(sWall) + m.pleuraAxialM + handU;
      t.fluidThickness[bin] = fluid > 0 ? fluid + surf.breathingExtraAt(sWall, m.breath) : 0;
    }

    const pr = this.primaries;
    for (let i = 0; i < pr.count; i++) {
      const s0 = pr.sM[i]!;
      const u0 = pr.uM[i]!;
      let a = pr.amplitude[i]!;
      let s = s0 + handS;
      let u = u0 + handU;
      switch (pr.moves[i] as Moves) {
        case Moves.ChestWall:
          u += m.pleuraAxialM * Math.min(1, u0 / g.pleuraBaseU(s0));
          break;
        case Moves.Parietal:
          u += m.pleuraAxialM;
          // Where the lung has gone, the parietal pleura alone reflects all the sound.
          if (!(s0 < m.slidingBelowM)) a /= PARIETAL_SHARE;
          break;
        case Moves.Visceral:
        case Moves.Lung:
        case Moves.LungSurfaceScatter: {
          const sWall = s0 + m.slideM;
          s = sWall + handS;
          u += lungAxial + surf.breathingExtraAt(sWall, m.breath);
          if (!(sWall < m.slidingBelowM)) a = 0; // no lung here: pneumothorax
          // Out of the slice and back every ~0.3 mm of sliding (golden-ratio phases: deterministic, spread).
          if (pr.moves[i] === Moves.LungSurfaceScatter) a *= Math.cos(2 * Math.PI * ((i * 0.6180339887) % 1) + m.slideM / SURFACE_SCATTER_DECORRELATION_M);
          break;
        }
        case Moves.Fluid:
          s += 0.3 * m.slideM;
          u += m.pleuraAxialM + 0.5 * surf.breathingExtraAt(s0, m.breath);
          break;
      }
      this.sNow[i] = s;
      this.uNow[i] = u;
      this.ampNow[i] = a;
    }

    this.ringDownSources.forEach((src, b) => {
      const sWall = src.sM + m.slideM;
      this.sourceS[b] = sWall + handS;
      this.sourceVisible[b] = sWall < m.slidingBelowM && Math.abs(sWall + handS) < g.halfWidthSM ? 1 : 0;
    });
  }

  /** Primary count (without reverberation and ring-down), for docs and tests. */
  get primaryCount(): number {
    return this.primaries.count;
  }

  /**
   * Everything positioned for `timeS`: the motion, the air surface table and the ring-down
   * sources' probe-frame positions and visibility (what truth.ts labels). Valid until the next call.
   */
  stateAt(timeS: number): { motion: Readonly<MotionState>; table: SurfaceTable; sourceS: Float32Array; sourceVisible: Uint8Array } {
    this.update(timeS);
    return { motion: this.state, table: this.table, sourceS: this.sourceS, sourceVisible: this.sourceVisible };
  }
}

/** B-lines, confluent regions and the comet tails of consolidation borders as ring-down sources. */
function ringDownSources(spec: SceneSpec, surface: LungSurface, rng: SeededRandom): RingDownSource[] {
  const unit = B_LINE_STRENGTH;
  const sources: RingDownSource[] = spec.bLines.map((b) => ({ sM: b.atMm / 1000, widthM: b.widthMm / 1000, amplitude: unit * b.intensity, lengthM: Infinity, erases: 0.9 }));
  for (const c of spec.confluent) {
    const pitchM = 1.3e-3;
    for (let s = c.fromMm / 1000; s <= c.toMm / 1000; s += pitchM) {
      sources.push({ sM: s + 0.3e-3 * rng.gaussian(), widthM: pitchM, amplitude: unit * c.intensity * (0.7 + 0.3 * rng.uniform()), lengthM: Infinity, erases: 0.8 });
    }
  }
  for (const c of surface.consolidations) {
    const tails = Math.max(1, Math.round((c.toM - c.fromM) / 8e-3));
    for (let i = 0; i < tails; i++) {
      sources.push({ sM: c.fromM + (c.toM - c.fromM) * (0.15 + 0.7 * rng.uniform()), widthM: 1e-3, amplitude: unit * 0.5, lengthM: 6e-3 + 12e-3 * rng.uniform(), erases: 0 });
    }
  }
  return sources;
}
