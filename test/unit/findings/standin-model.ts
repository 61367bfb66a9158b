/**
 * A stand-in for the lung-findings model (models/findings/model-io.ts): the same input and
 * outputs, built with the in-repo ONNX writer, whose outputs are simple deterministic functions
 * of the input, so the decoding is tested without trained weights:
 *
 *   frame_logits   20 · (mean of the image − 0.05) for view_ok; fixed biases for the others
 *   bline_map      30 · (mean of the lower input half per 4 columns − 0.2)
 *   pleura_row     60 · (mean of each input row)
 *   pleura_visible 25 · (max over the upper input half per column, mean per 4 columns − 0.8)
 *   lesion_map     20 · (4 × 4 cell mean − 0.9), the same for both channels
 *
 * `syntheticFrame` draws images these functions read as intended: a pleural line, bright
 * vertical stripes below it (B-lines), an optional very bright blob (a lesion).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OnnxGraph } from '../../../models/onnx/onnx-builder.js';
import type { GrayImage } from '../../../models/findings/preprocess.js';

/** Biases of the frame labels other than view_ok: a_lines 0.88, the rest < 0.5. */
export const FRAME_BIAS = [-1, 2, -2, -3, -3, -3, -3];

export function buildStandinModel(): Buffer {
  type Init = [string, 'float32' | 'int64', number[], Float32Array | BigInt64Array];
  const f = (name: string, dims: number[], values: number[]): Init => [name, 'float32', dims, new Float32Array(values)];
  const i64 = (name: string, values: number[]): Init => [name, 'int64', [values.length], BigInt64Array.from(values.map(BigInt))];
  const g = new OnnxGraph('lung-findings-standin')
    .input('image', 'float32', ['batch', 1, 128, 128])
    .output('frame_logits', 'float32', ['batch', 7])
    .output('bline_map', 'float32', ['batch', 32])
    .output('pleura_row', 'float32', ['batch', 128])
    .output('pleura_visible', 'float32', ['batch', 32])
    .output('lesion_map', 'float32', ['batch', 2, 32, 32]);
  for (const init of [
    f('w_frame', [1, 7], [20, 0, 0, 0, 0, 0, 0]),
    f('b_frame', [7], [-1, ...FRAME_BIAS.slice(1)]),
    f('k_bline', [1], [30]),
    f('c_bline', [1], [0.2]),
    f('k_row', [1], [60]),
    f('k_vis', [1], [25]),
    f('c_vis', [1], [0.8]),
    f('k_lesion', [1], [20]),
    f('c_lesion', [1], [0.9]),
  ]) g.initializer(...init);
  for (const init of [i64('shape_n1', [-1, 1]), i64('shape_bins', [-1, 32, 4]), i64('shape_rows', [-1, 128]), i64('lower_start', [64]), i64('lower_end', [128]), i64('upper_start', [0]), i64('upper_end', [64]), i64('axis2', [2])]) g.initializer(...init);
  return g
    .node('ReduceMean', ['image'], ['mean4'], { axes: [1, 2, 3], keepdims: 1 })
    .node('Reshape', ['mean4', 'shape_n1'], ['mean'])
    .node('Mul', ['mean', 'w_frame'], ['frame_w'])
    .node('Add', ['frame_w', 'b_frame'], ['frame_logits'])
    .node('Slice', ['image', 'lower_start', 'lower_end', 'axis2'], ['lower'])
    .node('ReduceMean', ['lower'], ['lower_cols'], { axes: [2], keepdims: 0 })
    .node('Reshape', ['lower_cols', 'shape_bins'], ['lower_bins4'])
    .node('ReduceMean', ['lower_bins4'], ['lower_bins'], { axes: [2], keepdims: 0 })
    .node('Sub', ['lower_bins', 'c_bline'], ['bline_c'])
    .node('Mul', ['bline_c', 'k_bline'], ['bline_map'])
    .node('ReduceMean', ['image'], ['row_means3'], { axes: [3], keepdims: 0 })
    .node('Reshape', ['row_means3', 'shape_rows'], ['row_means'])
    .node('Mul', ['row_means', 'k_row'], ['pleura_row'])
    .node('Slice', ['image', 'upper_start', 'upper_end', 'axis2'], ['upper'])
    .node('ReduceMax', ['upper'], ['upper_cols'], { axes: [2], keepdims: 0 })
    .node('Reshape', ['upper_cols', 'shape_bins'], ['upper_bins4'])
    .node('ReduceMean', ['upper_bins4'], ['upper_bins'], { axes: [2], keepdims: 0 })
    .node('Sub', ['upper_bins', 'c_vis'], ['vis_c'])
    .node('Mul', ['vis_c', 'k_vis'], ['pleura_visible'])
    .node('AveragePool', ['image'], ['cells'], { kernel_shape: [4, 4], strides: [4, 4] })
    .node('Concat', ['cells', 'cells'], ['cells2'], { axis: 1 })
    .node('Sub', ['cells2', 'c_lesion'], ['lesion_c'])
    .node('Mul', ['lesion_c', 'k_lesion'], ['lesion_map'])
    .toModel({ producer: 'pleura-test', opset: 17 });
}

/** Writes lung-findings.onnx + lung-findings.json (a valid manifest) into dir; returns the manifest path. */
export function writeStandinModel(dir: string, thresholds: Record<string, Record<string, number>> = {}): string {
  const bytes = buildStandinModel();
  fs.writeFileSync(path.join(dir, 'lung-findings.onnx'), bytes);
  const manifest = {
    name: 'lung-findings',
    version: '0.0.1',
    file: 'lung-findings.onnx',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    task: 'stand-in for the lung-findings model: deterministic functions of the input (tests only)',
    inputs: [{ name: 'image', dtype: 'float32', shape: [-1, 1, 128, 128] }],
    outputs: [
      { name: 'frame_logits', labels: ['view_ok', 'a_lines', 'b_lines', 'confluent_b_lines', 'pleura_irregular', 'consolidation', 'effusion'], thresholds: thresholds.frame_logits ?? {} },
      { name: 'bline_map', thresholds: thresholds.bline_map ?? {} },
      { name: 'pleura_row' },
      { name: 'pleura_visible', thresholds: thresholds.pleura_visible ?? {} },
      { name: 'lesion_map', labels: ['consolidation', 'effusion'], thresholds: thresholds.lesion_map ?? {} },
    ],
    intendedUse: 'tests of the findings decoding only',
    notFor: 'anything clinical',
    trainingData: 'none: weights set by hand',
  };
  const file = path.join(dir, 'lung-findings.json');
  fs.writeFileSync(file, JSON.stringify(manifest, null, 1));
  return file;
}

export interface SyntheticScene {
  width?: number;
  height?: number;
  /** Background level inside the image (all of the picture is image). */
  background?: number;
  pleuraY?: number;
  pleuraX?: [number, number];
  /** B-line centre columns (6 px wide stripes from the pleura down). */
  bLinesX?: number[];
  /** A very bright square: a "lesion" for the stand-in's lesion map. */
  lesion?: { x0: number; y0: number; size: number };
  /** Adds ±noise speckle (seeded), so consecutive frames differ. */
  noise?: { amplitude: number; seed: number };
}

export function syntheticFrame(s: SyntheticScene = {}): GrayImage {
  const width = s.width ?? 200;
  const height = s.height ?? 150;
  const pixels = new Uint8Array(width * height).fill(s.background ?? 40);
  const py = s.pleuraY ?? 45;
  const [px0, px1] = s.pleuraX ?? [40, 160];
  for (const bx of s.bLinesX ?? []) for (let y = py; y < height; y++) for (let x = bx - 3; x < bx + 3; x++) pixels[y * width + x] = 160;
  for (let y = py - 1; y <= py + 1; y++) for (let x = px0; x < px1; x++) pixels[y * width + x] = 240;
  if (s.lesion) for (let y = s.lesion.y0; y < s.lesion.y0 + s.lesion.size; y++) for (let x = s.lesion.x0; x < s.lesion.x0 + s.lesion.size; x++) pixels[y * width + x] = 252;
  if (s.noise) {
    let state = s.noise.seed >>> 0 || 1;
    for (let i = 0; i < pixels.length; i++) {
      state = (state * 1664525 + 1013904223) >>> 0;
      pixels[i] = Math.max(11, Math.min(255, pixels[i]! + Math.round(((state / 2 ** 32) * 2 - 1) * s.noise.amplitude)));
    }
  }
  return { width, height, pixels };
}
