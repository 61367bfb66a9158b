/**
 * The scene the simulated probe images: point scatterers that may move with time.
 *
 * A Scene hands the RF model a struct-of-arrays ScattererSet for the acquisition time of a
 * frame. The foundation scene (foundation-scene.ts) is a LayeredScene; later scenes (ribs,
 * A-lines, B-lines: the "lung acoustics simulator" issue) add layers — see docs/simulator.md,
 * "Extending the scene".
 */
import type { Occluder } from './occluder.js';

export interface ScattererSet {
  count: number;
  /** Lateral position (m), probe frame. */
  x: Float32Array;
  /** Depth (m), probe frame (convex: z = 0 on the end-element chord). */
  z: Float32Array;
  /** Reflection coefficient (arbitrary linear units, signed). */
  amplitude: Float32Array;
}

export function allocateScatterers(count: number): ScattererSet {
  return { count, x: new Float32Array(count), z: new Float32Array(count), amplitude: new Float32Array(count) };
}

export interface Scene {
  /**
   * Scatterers at `timeS` (seconds since the start of the acquisition). Deterministic: the
   * same scene and time give the same set. The returned set may be reused by the next call.
   */
  scatterersAt(timeS: number): ScattererSet;
  /**
   * Bodies that block sound (ribs) at `timeS`, or null. Optional: scenes without bone have
   * none. Called after scatterersAt for the same time.
   */
  occluderAt?(timeS: number): Occluder | null;
}

/** One ingredient of a layered scene: a fixed number of scatterers, positioned at any time. */
export interface SceneLayer {
  readonly name: string;
  readonly count: number;
  /** Writes this layer's scatterers at `timeS` into `out` at indices [offset, offset + count). */
  writeAt(timeS: number, out: ScattererSet, offset: number): void;
}

/** Displacement of a scatterer from its rest position. */
export interface Displacement {
  dxM: number;
  dzM: number;
}

/** How scatterers of a layer move: a displacement field of rest position and time. */
export interface MotionField {
  displacementAt(restXM: number, restZM: number, timeS: number, out: Displacement): void;
}

export const NO_MOTION: MotionField = {
  displacementAt(_x: number, _z: number, _t: number, out: Displacement): void {
    out.dxM = 0;
    out.dzM = 0;
  },
};

/** Scatterers at fixed rest positions with fixed amplitudes, displaced by a motion field. */
export class MovingScatterers implements SceneLayer {
  readonly count: number;
  private readonly displacement: Displacement = { dxM: 0, dzM: 0 };

  constructor(
    readonly name: string,
    private readonly rest: ScattererSet,
    private readonly motion: MotionField = NO_MOTION,
  ) {
    this.count = rest.count;
  }

  writeAt(timeS: number, out: ScattererSet, offset: number): void {
    const d = this.displacement;
    for (let i = 0; i < this.count; i++) {
      const x = this.rest.x[i]!;
      const z = this.rest.z[i]!;
      this.motion.displacementAt(x, z, timeS, d);
      out.x[offset + i] = x + d.dxM;
      out.z[offset + i] = z + d.dzM;
      out.amplitude[offset + i] = this.rest.amplitude[i]!;
    }
  }
}

/** A scene made of layers, concatenated in order into one preallocated ScattererSet. */
export class LayeredScene implements Scene {
  private readonly out: ScattererSet;

  constructor(readonly layers: readonly SceneLayer[]) {
    this.out = allocateScatterers(layers.reduce((n, layer) => n + layer.count, 0));
  }

  get count(): number {
    return this.out.count;
  }

  scatterersAt(timeS: number): ScattererSet {
    let offset = 0;
    for (const layer of this.layers) {
      layer.writeAt(timeS, this.out, offset);
      offset += layer.count;
    }
    return this.out;
  }

  /** A new scene with extra layers appended (this one is left unchanged). */
  withLayers(...extra: SceneLayer[]): LayeredScene {
    return new LayeredScene([...this.layers, ...extra]);
  }
}

/** A static scene of explicit scatterers, e.g. one point target for a test. */
export function staticScene(points: ReadonlyArray<{ xM: number; zM: number; amplitude?: number }>): LayeredScene {
  const rest = allocateScatterers(points.length);
  points.forEach((p, i) => {
    rest.x[i] = p.xM;
    rest.z[i] = p.zM;
    rest.amplitude[i] = p.amplitude ?? 1;
  });
  return new LayeredScene([new MovingScatterers('points', rest)]);
}
