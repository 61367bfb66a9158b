/**
 * M-mode strips for the gallery (used by sim-gallery.ts): the centre scan line of a scene over
 * a few seconds, time to the right, depth down, at the device's display levels. Lung sliding
 * shows as the "seashore" (still lines above the pleura, sand below), a pneumothorax as the
 * "barcode" (lines all the way down).
 */
import { Beamformer } from '../pipeline/beamform/beamformer.js';
import type { ScanGrid } from '../pipeline/beamform/grid.js';
import { BmodeMapper } from '../pipeline/enhance/bmode-levels.js';
import type { ProbeModel } from '../drivers/sim/physics/probes.js';
import type { TransmitSequence } from '../drivers/protocol/messages.js';
import type { SceneSpec } from '../drivers/sim/scene/spec.js';
import { FrameSynth } from '../drivers/sim/synth.js';

export interface MModeOptions {
  depthM: number;
  seconds: number;
  lineRateHz: number;
  /** Display pixels per M-mode line. */
  pixelsPerLine: number;
  transmits: TransmitSequence;
  seed: number;
}

/** An 8-bit M-mode image `[row = depth][column = time]`. */
export function renderMMode(probe: ProbeModel, spec: SceneSpec, o: MModeOptions): { width: number; height: number; pixels: Uint8Array } {
  if (probe.geometry.kind !== 'convex') throw new RangeError('the gallery M-mode is drawn for the convex probe');
  const synth = new FrameSynth(probe, spec, { seed: o.seed });
  synth.configure({ depthM: o.depthM, gainDb: 0, transmits: o.transmits, mode: 'rf' });
  const R = probe.geometry.radiusM;
  const rows = 400;
  const grid: ScanGrid = { kind: 'polar', rMinM: R, rMaxM: R + o.depthM, thetaMinRad: -0.004, thetaMaxRad: 0.004, apothemM: R - synth.lungScene.geometry.frame.apexZM, rowCount: rows, colCount: 3 };
  const bf = new Beamformer(probe.geometry, grid, { window: 'hann' });
  const mapper = new BmodeMapper();
  const lines = Math.round(o.seconds * o.lineRateHz);
  const width = lines * o.pixelsPerLine;
  const pixels = new Uint8Array(width * rows);
  for (let k = 0; k < lines; k++) {
    const frame = synth.rf(k / o.lineRateHz, k);
    const levels = mapper.map(bf.beamform(frame).envelope, rows, 3, grid, frame);
    for (let r = 0; r < rows; r++) for (let p = 0; p < o.pixelsPerLine; p++) pixels[r * width + k * o.pixelsPerLine + p] = levels[r * 3 + 1]!;
  }
  return { width, height: rows, pixels };
}
