/**
 * The scene's own scatterers ("primaries"), in body beam coordinates before any motion:
 * `s` is the lateral position in metres along the pleura (beam-frame lat / latPerM at the
 * pleura: an angle for a convex probe, x for a linear one), `u` the depth below the skin along
 * the beam. Each records how it moves and whether it is an image source for reverberation
 * copies (it lies between the probe and the air that reflects).
 */
export const enum Moves {
  /** With the chest wall: axial squeeze growing from 0 at the skin to the pleura's motion. */
  ChestWall = 0,
  /** With the lung: slides (where sliding), breathes, pulses. */
  Lung = 1,
  /** The parietal pleura: like the chest wall at the pleura; brightest where the lung has gone (pneumothorax). */
  Parietal = 2,
  /** The visceral pleura: with the lung, and invisible where there is no lung under it (pneumothorax). */
  Visceral = 3,
  /** Pleural fluid: drifts slowly with breathing. */
  Fluid = 4,
  /**
   * The sliding lung surface's diffuse scatter (sliding-scatter.ts): with the lung, and fading in
   * and out as it slides, standing for the motion across the slice a 2-D model does not have.
   */
  LungSurfaceScatter = 5,
}

export interface Primaries {
  count: number;
  sM: Float32Array;
  uM: Float32Array;
  amplitude: Float32Array;
  moves: Uint8Array;
  role: Uint8Array;
}

/** What reverberation makes of a primary (reverberation.ts). */
export const enum Role {
  /** Nothing (it lies below the air, or is bone). */
  Plain = 0,
  /** A scatterer between the probe and the air: copied by face–air round trips and mirrored by the air surface. */
  Reverberates = 1,
  /** Part of the air surface itself (the pleural line): its copies are the A-lines. */
  AirLine = 2,
}

export class PrimaryBuilder {
  private s: number[] = [];
  private u: number[] = [];
  private a: number[] = [];
  private m: number[] = [];
  private c: number[] = [];

  add(sM: number, uM: number, amplitude: number, moves: Moves, role: Role): void {
    this.s.push(sM);
    this.u.push(uM);
    this.a.push(amplitude);
    this.m.push(moves);
    this.c.push(role);
  }

  get count(): number {
    return this.s.length;
  }

  build(): Primaries {
    return {
      count: this.s.length,
      sM: Float32Array.from(this.s),
      uM: Float32Array.from(this.u),
      amplitude: Float32Array.from(this.a),
      moves: Uint8Array.from(this.m),
      role: Uint8Array.from(this.c),
    };
  }
}
