/**
 * Small simulated display frames for the findings tests: a lung preset on the C5-2v at 60 mm, one
 * diverging wave, a thin chest wall, beamformed and scan-converted to 320 × 170 by the device's own
 * renderer (about 0.1 s a frame on a 2-core VM), with the ground truth mapped to pixels.
 */
import { RfModel } from '../../../drivers/sim/physics/rf-model.js';
import { C5_2V } from '../../../drivers/sim/physics/probes.js';
import { FrameRenderer } from '../../../drivers/sim/render.js';
import { LungScene } from '../../../drivers/sim/scene/lung-scene.js';
import { presetScene, type PresetName } from '../../../drivers/sim/scene/presets.js';
import { parseSceneSpec } from '../../../drivers/sim/scene/spec.js';
import { frameTruth, type FrameTruth } from '../../../drivers/sim/scene/truth.js';
import { BMODE_LEVELS_DEFAULTS } from '../../../pipeline/enhance/bmode-levels.js';
import type { GrayImage } from '../../../models/findings/preprocess.js';

export interface SimClip {
  frames: GrayImage[];
  fps: number;
  mmPerPixel: number;
  truth: FrameTruth;
  /** Truth → source pixels. */
  pleuraRowPx: number;
  xPx: (lateralMm: number) => number;
}

export function simClip(name: PresetName, frameCount: number, fps = 16, seed = 1): SimClip {
  const depthM = 0.06;
  const spec = parseSceneSpec({ ...presetScene(name), chestWall: { scatterersPerMm2: 0.8 } });
  const scene = new LungScene(C5_2V.geometry, spec, { depthM, seed });
  const model = new RfModel(C5_2V, { seed, noiseDbBelowFullScale: 95, frequencyDownshift: true });
  model.configure({ depthM, gainDb: 0, transmits: { kind: 'diverging', parameters: [0] } });
  const renderer = new FrameRenderer(C5_2V.geometry, depthM, { grid: { colCount: 96, rowCount: 256 }, display: { widthPx: 320, heightPx: 240 }, levels: BMODE_LEVELS_DEFAULTS });
  const frames: GrayImage[] = [];
  let mmPerPixel = 0;
  let origin = { xMm: 0, zMm: 0 };
  for (let k = 0; k < frameCount; k++) {
    const d = renderer.render(model.simulate(scene, k / fps)).display;
    frames.push({ width: d.width, height: d.height, pixels: d.pixels });
    mmPerPixel = d.mmPerPixel;
    origin = d.origin;
  }
  const truth = frameTruth(scene, 0, 0, 'C5-2v');
  return {
    frames,
    fps,
    mmPerPixel,
    truth,
    pleuraRowPx: (truth.skinZMm + truth.pleura.depthMm - origin.zMm) / mmPerPixel,
    xPx: (mm) => (mm - origin.xMm) / mmPerPixel,
  };
}
