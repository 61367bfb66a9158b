/**
 * The air surface as the probe sees it in one frame: for each scan line (a bin of s in the probe
 * frame, 0.1 mm wide) the depth of the air, how mirror-like it is, where on the lung that point
 * is (for roughness that moves with the lung), and how much of it is left to reflect once B-line
 * sources have taken their share (1 − their footprint). Rebuilt every frame from the motion;
 * reverberation.ts and ring-down.ts read it.
 */
export class SurfaceTable {
  readonly binM = 0.1e-3;
  readonly fromM: number;
  readonly count: number;
  /** Air depth along the scan line (m). */
  readonly airU: Float32Array;
  readonly coherence: Float32Array;
  /** Lateral coordinate on the reflecting surface (the lung's own, or the chest wall's where no lung touches). */
  readonly surfaceS: Float32Array;
  /** 1 − B-line footprint: what is left of the mirror for A-lines. */
  readonly mirrorWeight: Float32Array;
  /** 1 where the lung touches the chest wall (not a pneumothorax). */
  readonly lungThere: Uint8Array;
  /** Pleural fluid along the scan line: from fluidTopU, fluidThickness metres (0: none). */
  readonly fluidTopU: Float32Array;
  readonly fluidThickness: Float32Array;

  constructor(halfWidthM: number) {
    this.fromM = -halfWidthM - 3e-3;
    this.count = Math.ceil((2 * (halfWidthM + 3e-3)) / this.binM) + 1;
    this.airU = new Float32Array(this.count);
    this.coherence = new Float32Array(this.count);
    this.surfaceS = new Float32Array(this.count);
    this.mirrorWeight = new Float32Array(this.count);
    this.lungThere = new Uint8Array(this.count);
    this.fluidTopU = new Float32Array(this.count);
    this.fluidThickness = new Float32Array(this.count);
  }

  sOf(bin: number): number {
    return this.fromM + bin * this.binM;
  }

  binOf(sM: number): number {
    const b = Math.round((sM - this.fromM) / this.binM);
    return b < 0 ? 0 : b >= this.count ? this.count - 1 : b;
  }
}
