/**
 * What moves in a lung scene, as a function of time (phenomenological, docs/simulator.md):
 *  - breathing, a sinusoid at the scene's rate: the lung slides laterally under the chest wall
 *    and the pleura moves axially (the chest wall is squeezed, not at all at the skin);
 *  - the lung pulse, a short axial bump of the lung surface at each heart beat;
 *  - the operator's hand, a slow lateral drift and pressure change of the probe;
 *  - the lung point, where the sliding lung ends and a pneumothorax begins, swinging with breath.
 * Every motion is periodic in one breathing cycle (the heart rate is rounded to a whole number
 * of beats per breath), so a cached loop of one breath repeats without a jump.
 *
 * @example
 *   const motion = new LungMotion(spec, seed);
 *   const m = motion.at(1.25);  // m.slideM, m.pleuraAxialM, m.handLateralM, ...
 */
import { SeededRandom, mixSeed } from '../physics/random.js';
import type { SceneSpec } from './spec.js';

export interface MotionState {
  timeS: number;
  /** sin(2π t / T): -1 full expiration … 1 full inspiration. */
  breath: number;
  /** Lateral displacement (m) of the lung at the pleura where it slides. */
  slideM: number;
  /** Axial displacement (m) of the pleura with breathing (the chest wall above it scales linearly). */
  pleuraAxialM: number;
  /** Axial displacement (m) of the lung surface with the heart beat. */
  pulseM: number;
  handLateralM: number;
  handAxialM: number;
  /**
   * The lung slides at body lateral positions below this (m at the pleura): +∞ when the whole
   * lung slides, -∞ when none does (pneumothorax); a finite value is the lung point.
   */
  slidingBelowM: number;
}

export class LungMotion {
  /** One breath: the scene repeats after this. */
  readonly periodS: number;
  readonly heartPeriodS: number;
  private readonly handPhases: [number, number, number];

  constructor(
    private readonly spec: SceneSpec,
    seed: number,
  ) {
    this.periodS = 60 / spec.breathing.ratePerMin;
    const beats = Math.max(1, Math.round((this.periodS * spec.heart.ratePerMin) / 60));
    this.heartPeriodS = this.periodS / beats;
    const rng = new SeededRandom(mixSeed(seed, 0x68616e64));
    this.handPhases = [rng.uniform() * 2 * Math.PI, rng.uniform() * 2 * Math.PI, rng.uniform() * 2 * Math.PI];
  }

  at(timeS: number, out?: MotionState): MotionState {
    const s = this.spec;
    const w = (2 * Math.PI) / this.periodS;
    const breath = Math.sin(w * timeS);
    // A heart beat: a quick rise and slower fall (a Gaussian bump a fifth of the way through the beat).
    const beatPhase = (((timeS / this.heartPeriodS) % 1) + 1) % 1;
    const pulse = Math.exp(-0.5 * ((beatPhase - 0.2) / 0.07) ** 2);
    const [p1, p2, p3] = this.handPhases;
    const sliding = s.sliding;
    let slidingBelowM: number;
    if (sliding === 'present') slidingBelowM = Infinity;
    else if (sliding === 'absent') slidingBelowM = -Infinity;
    else slidingBelowM = (sliding.lungPointAtMm + sliding.swingMm * breath) / 1000;
    const m = out ?? ({} as MotionState);
    m.timeS = timeS;
    m.breath = breath;
    m.slideM = (s.breathing.slidingMm / 1000) * breath;
    m.pleuraAxialM = (s.breathing.axialMm / 1000) * breath;
    // No lung surface moves with the heart under a pneumothorax (no lung pulse).
    m.pulseM = sliding === 'absent' ? 0 : (s.heart.pulseMm / 1000) * pulse;
    m.handLateralM = (s.hand.lateralMm / 1000) * (0.75 * Math.sin(w * timeS + p1) + 0.25 * Math.sin(2 * w * timeS + p2));
    m.handAxialM = (s.hand.axialMm / 1000) * Math.sin(w * timeS + p3);
    m.slidingBelowM = slidingBelowM;
    return m;
  }
}
