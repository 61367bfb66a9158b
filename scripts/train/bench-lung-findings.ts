/**
 * Latency of the lung-findings model on the CPU, one intra-op thread (the device's budget for
 * the findings engine): loads it through LoadedModel (SHA-256 checked) and times single-frame
 * runs. Prints numbers; asserts nothing.
 *
 *   node dist/scripts/train/bench-lung-findings.js [--manifest models/lung-findings/lung-findings.json] [--runs 300] [--threads 1]
 */
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { INPUT_NAME, INPUT_SIZE } from '../../models/findings/model-io.js';
import { LoadedModel } from '../../models/runtime/loaded-model.js';

const { values } = parseArgs({ options: { manifest: { type: 'string', default: 'models/lung-findings/lung-findings.json' }, runs: { type: 'string', default: '300' }, threads: { type: 'string', default: '1' } } });
const model = await LoadedModel.load(values.manifest!, { providers: ['cpu'], intraOpThreads: Number(values.threads), warmupRuns: 10 });
const data = new Float32Array(INPUT_SIZE * INPUT_SIZE);
for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) >>> 24) / 255;
const feeds = { [INPUT_NAME]: new ort.Tensor('float32', data, [1, 1, INPUT_SIZE, INPUT_SIZE]) };
const times: number[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  const t0 = performance.now();
  await model.session.run(feeds);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const q = (p: number): string => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!.toFixed(2);
console.log(JSON.stringify({ model: `${model.manifest.name} ${model.manifest.version}`, provider: model.provider, intraOpThreads: Number(values.threads), runs: times.length, msP50: Number(q(50)), msP90: Number(q(90)), msP99: Number(q(99)) }));
await model.release();
