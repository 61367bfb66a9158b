/**
 * Breathing-like motion fields for the foundation scene. Phenomenological: a slow sinusoid at a
 * breathing rate, with the two kinds of motion that make a lung image "live":
 *  - the chest wall is squeezed axially, not at all at the skin (the probe rests on it) and most
 *    at the parietal pleura;
 *  - the lung (visceral pleura and everything below it) slides laterally along the chest wall
 *    ("lung sliding") and follows the axial motion of the pleura.
 */
import type { Displacement, MotionField } from './scene.js';

export interface BreathingOptions {
  /** One breath; 4 s = 15 breaths/min. */
  periodS: number;
  phaseRad: number;
}

export const DEFAULT_BREATHING: BreathingOptions = { periodS: 4, phaseRad: 0 };

function breathingPhase(timeS: number, b: BreathingOptions): number {
  return Math.sin((2 * Math.PI * timeS) / b.periodS + b.phaseRad);
}

/** Axial motion that grows linearly with depth from the skin (0) to the pleura (full amplitude). */
export class ChestWallMotion implements MotionField {
  constructor(
    private readonly skinZM: number,
    private readonly pleuraZM: number,
    private readonly axialAmplitudeM: number,
    private readonly breathing: BreathingOptions = DEFAULT_BREATHING,
  ) {}

  displacementAt(_restXM: number, restZM: number, timeS: number, out: Displacement): void {
    const depthFraction = Math.min(1, Math.max(0, (restZM - this.skinZM) / (this.pleuraZM - this.skinZM)));
    out.dxM = 0;
    out.dzM = this.axialAmplitudeM * depthFraction * breathingPhase(timeS, this.breathing);
  }
}

/** Rigid lateral sliding plus the axial motion of the pleura: the lung below the pleural line. */
export class LungSlidingMotion implements MotionField {
  constructor(
    private readonly slidingAmplitudeM: number,
    private readonly axialAmplitudeM: number,
    private readonly breathing: BreathingOptions = DEFAULT_BREATHING,
  ) {}

  displacementAt(_restXM: number, _restZM: number, timeS: number, out: Displacement): void {
    const s = breathingPhase(timeS, this.breathing);
    out.dxM = this.slidingAmplitudeM * s;
    out.dzM = this.axialAmplitudeM * s;
  }
}
