/**
 * The model runtime on real onnxruntime sessions with small models generated here: the hash is
 * checked before loading, the execution provider falls back to CPU with a log line saying why,
 * names are checked against the manifest, models are warmed up and timed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import ort from 'onnxruntime-node';
import { OnnxGraph } from '../../../models/onnx/onnx-builder.js';
import { LoadedModel, ModelIntegrityError } from '../../../models/runtime/loaded-model.js';
import { ManifestError } from '../../../models/runtime/manifest.js';

function writeModel(dir: string, over: Record<string, unknown> = {}): string {
  const bytes = new OnnxGraph('scale')
    .input('image', 'float32', ['batch', 1, 4, 4])
    .output('score', 'float32', ['batch', 1])
    .initializer('k', 'float32', [1], new Float32Array([0.5]))
    .node('ReduceMean', ['image'], ['mean'], { axes: [2, 3], keepdims: 0 })
    .node('Mul', ['mean', 'k'], ['score'])
    .toModel({ producer: 'pleura-test', opset: 17 });
  fs.writeFileSync(path.join(dir, 'toy.onnx'), bytes);
  const manifest = {
    name: 'toy',
    version: '0.1.0',
    file: 'toy.onnx',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    task: 'half the mean brightness (a test model)',
    inputs: [{ name: 'image', dtype: 'float32', shape: [-1, 1, 4, 4] }],
    outputs: [{ name: 'score', labels: ['score'], thresholds: { score: 0.5 } }],
    intendedUse: 'tests of the model runtime only',
    notFor: 'anything clinical',
    trainingData: 'none: weights set by hand',
    ...over,
  };
  const file = path.join(dir, 'toy.json');
  fs.writeFileSync(file, JSON.stringify(manifest));
  return file;
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-model-'));

test('a model whose file matches its manifest loads on the CPU provider, warmed up, and its runs are timed', async (t) => {
  const log: string[] = [];
  const model = await LoadedModel.load(writeModel(tmp()), { providers: ['cpu'], intraOpThreads: 1, log: (l) => log.push(l) });
  t.is(model.provider, 'cpu');
  t.true(log.some((l) => /toy 0\.1\.0 runs on the cpu execution provider/.test(l)));
  const out = await model.run({ image: new ort.Tensor('float32', new Float32Array(16).fill(0.8), [1, 1, 4, 4]) });
  t.true(Math.abs((out.score!.data as Float32Array)[0]! - 0.4) < 1e-6);
  const stats = model.stats();
  t.is(stats.runs, 1);
  t.true(stats.latencyMsP50 !== null && stats.latencyMsP50 >= 0);
  await model.release();
});

test('GPU providers that are not there are skipped with a reason, and the model runs on CPU', async (t) => {
  const log: string[] = [];
  const model = await LoadedModel.load(writeModel(tmp()), { providers: ['tensorrt', 'cuda', 'cpu'], intraOpThreads: 1, log: (l) => log.push(l) });
  t.is(model.provider, 'cpu');
  t.true(log.some((l) => /tensorrt skipped/.test(l)), log.join('\n'));
  t.true(log.some((l) => /cuda skipped/.test(l)), log.join('\n'));
  await model.release();
});

test('a model file that does not match its manifest hash is refused', async (t) => {
  const dir = tmp();
  const manifest = writeModel(dir);
  const bytes = fs.readFileSync(path.join(dir, 'toy.onnx'));
  bytes[bytes.length - 5] ^= 0xff;
  fs.writeFileSync(path.join(dir, 'toy.onnx'), bytes);
  const err = await t.throwsAsync(LoadedModel.load(manifest, { providers: ['cpu'], intraOpThreads: 1 }), { instanceOf: ModelIntegrityError });
  t.regex(err!.message, /SHA-256 .* refusing to load/);
});

test('a manifest that names tensors the graph lacks, or is malformed, is refused', async (t) => {
  const dir = tmp();
  const wrongName = writeModel(dir, { outputs: [{ name: 'logits' }] });
  const err = await t.throwsAsync(LoadedModel.load(wrongName, { providers: ['cpu'], intraOpThreads: 1 }), { instanceOf: ModelIntegrityError });
  t.regex(err!.message, /names logits/);
  const bad = writeModel(tmp(), { sha256: 'nothex' });
  await t.throwsAsync(LoadedModel.load(bad, { providers: ['cpu'], intraOpThreads: 1 }), { instanceOf: ManifestError, message: /sha256/ });
});
