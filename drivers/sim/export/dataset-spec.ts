/**
 * A labelled dataset export (`pleura sim export`): what to simulate and how it is laid out.
 * Frames are grouped in clips; each clip is one patient (its own seed: another chest wall,
 * other speckle, other hand motion) breathing for clipFrames frames at frameRateHz.
 */
import type { AcquisitionMode, TransmitSequence } from '../../protocol/messages.js';
import type { SceneSpec } from '../scene/spec.js';

export type ExportMode = AcquisitionMode | 'both';

export interface DatasetSpec {
  probeModel: string;
  scene: SceneSpec;
  /** Seed of the first clip; clip c uses seed + c. */
  seed: number;
  frames: number;
  clipFrames: number;
  frameRateHz: number;
  depthM: number;
  transmits: TransmitSequence;
  mode: ExportMode;
  /** Also write each frame as a scan-converted PNG (what the kiosk would show). */
  png: boolean;
}

export interface FrameJob {
  index: number;
  clip: number;
  seed: number;
  timeS: number;
}

export function frameJob(spec: DatasetSpec, index: number): FrameJob {
  const clip = Math.floor(index / spec.clipFrames);
  return { index, clip, seed: spec.seed + clip, timeS: (index - clip * spec.clipFrames) / spec.frameRateHz };
}

/** Transmit sequences by count: diverging waves 10 mm apart (convex) or plane waves 4° apart (linear), centred. */
export function defaultTransmits(kind: 'convex' | 'linear', count: number): TransmitSequence {
  const centred = (step: number): number[] => Array.from({ length: count }, (_, i) => (i - (count - 1) / 2) * step);
  return kind === 'convex' ? { kind: 'diverging', parameters: centred(0.01) } : { kind: 'plane', parameters: centred((4 * Math.PI) / 180) };
}
