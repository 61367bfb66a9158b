/**
 * A stand-in for the lung-findings model, for tests of the code around it: the real model's
 * inputs and outputs (models/findings/model-io.ts) with constant logits, built with the ONNX
 * writer. It "sees" a usable view with a pleural line at input row 30 and B-lines at lateral
 * bins 8, 16 and 24, whatever the image. Not a model of anything.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { INPUT_NAME, INPUT_SIZE, LATERAL_BINS, LESION_GRID, OUTPUTS } from '../../models/findings/model-io.js';
import { OnnxGraph } from '../../models/onnx/onnx-builder.js';

const HIGH = 6;
const LOW = -6;

export interface StandInModel {
  manifestPath: string;
  onnxPath: string;
}

/** Writes stand-in.onnx and stand-in.json into `dir`; `tamper` writes a manifest whose SHA-256 does not match. */
export function writeStandInFindingsModel(dir: string, opts: { tamper?: boolean } = {}): StandInModel {
  const frame = new Float32Array([HIGH, LOW, HIGH, LOW, LOW, LOW, LOW]); // view_ok, a_lines, b_lines, confluent, irregular, consolidation, effusion
  const bline = new Float32Array(LATERAL_BINS).fill(LOW);
  for (const b of [8, 16, 24]) bline[b] = HIGH;
  const row = new Float32Array(INPUT_SIZE).fill(LOW);
  row[30] = HIGH * 2;
  const g = new OnnxGraph('stand-in-findings')
    .input(INPUT_NAME, 'float32', ['batch', 1, INPUT_SIZE, INPUT_SIZE])
    .node('ReduceMean', [INPUT_NAME], ['mean2'], { axes: [2, 3], keepdims: 0 }) // [N, 1]
    .node('ReduceMean', [INPUT_NAME], ['mean4'], { axes: [1, 2, 3], keepdims: 1 }); // [N, 1, 1, 1]
  const head = (name: string, shape: number[], bias: Float32Array, from: 'mean2' | 'mean4') => {
    g.initializer(`${name}_zero`, 'float32', shape, new Float32Array(bias.length))
      .initializer(`${name}_bias`, 'float32', shape, bias)
      .node('Mul', [from, `${name}_zero`], [`${name}_z`])
      .node('Add', [`${name}_z`, `${name}_bias`], [name]);
  };
  head(OUTPUTS.frameLogits, [1, 7], frame, 'mean2');
  head(OUTPUTS.blineMap, [1, LATERAL_BINS], bline, 'mean2');
  head(OUTPUTS.pleuraRow, [1, INPUT_SIZE], row, 'mean2');
  head(OUTPUTS.pleuraVisible, [1, LATERAL_BINS], new Float32Array(LATERAL_BINS).fill(HIGH), 'mean2');
  head(OUTPUTS.lesionMap, [1, 2, LESION_GRID, LESION_GRID], new Float32Array(2 * LESION_GRID * LESION_GRID).fill(LOW), 'mean4');
  g.output(OUTPUTS.frameLogits, 'float32', ['batch', 7])
    .output(OUTPUTS.blineMap, 'float32', ['batch', LATERAL_BINS])
    .output(OUTPUTS.pleuraRow, 'float32', ['batch', INPUT_SIZE])
    .output(OUTPUTS.pleuraVisible, 'float32', ['batch', LATERAL_BINS])
    .output(OUTPUTS.lesionMap, 'float32', ['batch', 2, LESION_GRID, LESION_GRID]);
  const bytes = g.toModel({ producer: 'pleura-test', opset: 17 });
  const onnxPath = path.join(dir, 'stand-in.onnx');
  fs.writeFileSync(onnxPath, bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const manifest = {
    name: 'lung-findings-stand-in',
    version: '0.0.1',
    file: 'stand-in.onnx',
    sha256: opts.tamper ? sha.replace(/^./, (c) => (c === '0' ? '1' : '0')) : sha,
    task: 'constant lung findings (a test stand-in)',
    inputs: [{ name: INPUT_NAME, dtype: 'float32', shape: [-1, 1, INPUT_SIZE, INPUT_SIZE] }],
    outputs: Object.values(OUTPUTS).map((name) => ({ name })),
    intendedUse: 'tests of the infer stage and the kiosk overlays only',
    notFor: 'anything clinical',
    trainingData: 'none: constant outputs',
  };
  const manifestPath = path.join(dir, 'stand-in.json');
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return { manifestPath, onnxPath };
}
