/**
 * The element check of the maintenance page: per-element RMS of one RF frame's channel data
 * (all transmits, all samples), compared with the median element. A dead element (broken
 * connection, failed pulser) is silent; a weak one (delaminated, depolarised) is well below its
 * neighbours. Computed on the host from a test acquisition in RF mode.
 */
import type { FrameRf } from '../../drivers/protocol/messages.js';

export interface ElementCheckOptions {
  /** Below this fraction of the median RMS an element is dead; default 0.02 (≈ silent). */
  deadFraction?: number;
  /** Below this fraction of the median RMS an element is weak; default 0.5. */
  weakFraction?: number;
}

export interface ElementCheck {
  elementCount: number;
  /** RMS per element, ADC counts. */
  rms: number[];
  medianRms: number;
  dead: number[];
  weak: number[];
  ok: boolean;
}

export function elementCheck(frame: Pick<FrameRf, 'transmitCount' | 'elementCount' | 'sampleCount' | 'samples'>, opts: ElementCheckOptions = {}): ElementCheck {
  const { transmitCount, elementCount, sampleCount, samples } = frame;
  if (samples.length !== transmitCount * elementCount * sampleCount) throw new RangeError(`RF frame holds ${samples.length} samples, its header says ${transmitCount}×${elementCount}×${sampleCount}`);
  const sumSq = new Float64Array(elementCount);
  for (let t = 0; t < transmitCount; t++) {
    for (let e = 0; e < elementCount; e++) {
      let acc = 0;
      const start = (t * elementCount + e) * sampleCount;
      for (let i = start; i < start + sampleCount; i++) acc += samples[i]! * samples[i]!;
      sumSq[e]! += acc;
    }
  }
  const n = Math.max(1, transmitCount * sampleCount);
  const rms = Array.from(sumSq, (s) => Math.sqrt(s / n));
  const sorted = [...rms].sort((a, b) => a - b);
  const medianRms = sorted.length ? (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2 : 0;
  const deadLimit = Math.max(0.5, medianRms * (opts.deadFraction ?? 0.02));
  const weakLimit = medianRms * (opts.weakFraction ?? 0.5);
  const dead: number[] = [];
  const weak: number[] = [];
  rms.forEach((r, e) => {
    if (r < deadLimit) dead.push(e);
    else if (r < weakLimit) weak.push(e);
  });
  return { elementCount, rms, medianRms, dead, weak, ok: dead.length === 0 && weak.length === 0 };
}
