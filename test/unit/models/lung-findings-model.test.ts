/**
 * The committed lung-findings model (models/lung-findings/): it loads through LoadedModel (its
 * SHA-256 checked against the manifest), its inputs and outputs are those of
 * models/findings/model-io.ts, and on frames simulated here (test-range seeds, never used in
 * training), prepared exactly as on the device, its outputs are sane: the pleural line where the
 * truth puts it, B-lines reported on a B-line scene and not on a normal one.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import ort from 'onnxruntime-node';
import { defaultTransmits } from '../../../drivers/sim/export/dataset-spec.js';
import { probeModelByName } from '../../../drivers/sim/physics/probes.js';
import { FrameRenderer } from '../../../drivers/sim/render.js';
import { presetScene, type PresetName } from '../../../drivers/sim/scene/presets.js';
import type { FrameTruth } from '../../../drivers/sim/scene/truth.js';
import { FrameSynth } from '../../../drivers/sim/synth.js';
import { FRAME_LABELS, INPUT_NAME, INPUT_SIZE, LATERAL_BINS, LESION_GRID, OUTPUTS, sigmoid } from '../../../models/findings/model-io.js';
import { findImageRegion, prepareInput } from '../../../models/findings/preprocess.js';
import { LoadedModel } from '../../../models/runtime/loaded-model.js';
import { frameTargets, IDENTITY_PLACEMENT, mmToInputMap, type FrameTargets } from '../../../scripts/train/targets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MANIFEST = path.join(ROOT, 'models/lung-findings/lung-findings.json');

interface SimulatedInput {
  data: Float32Array;
  truth: FrameTruth;
  targets: FrameTargets;
}

/** One frame as the kiosk shows it (C5-2v, 120 mm), through the device's preprocessing. */
function simulate(preset: PresetName, seed: number): SimulatedInput {
  const probe = probeModelByName('C5-2v');
  const synth = new FrameSynth(probe, presetScene(preset), { seed });
  synth.configure({ depthM: 0.12, gainDb: 0, transmits: defaultTransmits('convex', 3), mode: 'bmode' });
  const timeS = 1;
  const bmode = synth.bmode(synth.envelope(synth.rf(timeS, 0)), 0);
  const display = new FrameRenderer(probe.geometry, 0.12).scanConvert(bmode.pixels);
  const region = findImageRegion(display);
  const input = prepareInput(display, region);
  const truth = synth.truth(timeS, 0);
  const targets = frameTargets(truth, mmToInputMap(display, IDENTITY_PLACEMENT, input.transform), () => true);
  return { data: input.data, truth, targets };
}

let model: LoadedModel;
test.before(async () => {
  model = await LoadedModel.load(MANIFEST, { providers: ['cpu'], intraOpThreads: 1 });
});
test.after.always(async () => {
  await model?.release();
});

test('the manifest and the graph have the inputs and outputs of model-io.ts', (t) => {
  t.is(model.manifest.name, 'lung-findings');
  t.deepEqual(model.session.inputNames, [INPUT_NAME]);
  t.deepEqual([...model.session.outputNames].sort(), Object.values(OUTPUTS).sort());
  t.deepEqual(model.manifest.inputs[0]!.shape, [-1, 1, INPUT_SIZE, INPUT_SIZE]);
  const frame = model.manifest.outputs.find((o) => o.name === OUTPUTS.frameLogits)!;
  t.deepEqual(frame.labels, [...FRAME_LABELS]);
  for (const label of FRAME_LABELS) t.true(frame.thresholds[label]! > 0 && frame.thresholds[label]! < 1, `threshold of ${label}`);
  t.is(model.manifest.card, 'docs/models/lung-findings.md');
});

test('output shapes follow model-io.ts for a batch of 2', async (t) => {
  const out = await model.run({ [INPUT_NAME]: new ort.Tensor('float32', new Float32Array(2 * INPUT_SIZE * INPUT_SIZE), [2, 1, INPUT_SIZE, INPUT_SIZE]) });
  t.deepEqual(out[OUTPUTS.frameLogits]!.dims, [2, FRAME_LABELS.length]);
  t.deepEqual(out[OUTPUTS.blineMap]!.dims, [2, LATERAL_BINS]);
  t.deepEqual(out[OUTPUTS.pleuraRow]!.dims, [2, INPUT_SIZE]);
  t.deepEqual(out[OUTPUTS.pleuraVisible]!.dims, [2, LATERAL_BINS]);
  t.deepEqual(out[OUTPUTS.lesionMap]!.dims, [2, 2, LESION_GRID, LESION_GRID]);
});

test('on simulated frames: the pleural line where the truth is, B-lines on a B-line scene and not on a normal one', async (t) => {
  const frames = [simulate('normal', 3_090_001), simulate('b-lines-6', 3_090_002)];
  const batch = new Float32Array(2 * INPUT_SIZE * INPUT_SIZE);
  frames.forEach((f, i) => batch.set(f.data, i * INPUT_SIZE * INPUT_SIZE));
  const out = await model.run({ [INPUT_NAME]: new ort.Tensor('float32', batch, [2, 1, INPUT_SIZE, INPUT_SIZE]) });
  const frame = out[OUTPUTS.frameLogits]!.data as Float32Array;
  const rows = out[OUTPUTS.pleuraRow]!.data as Float32Array;
  const blines = out[OUTPUTS.blineMap]!.data as Float32Array;
  for (const name of Object.values(OUTPUTS)) t.true((out[name]!.data as Float32Array).every(Number.isFinite), `${name} is finite`);
  const th = model.manifest.outputs.find((o) => o.name === OUTPUTS.frameLogits)!.thresholds;
  const p = (i: number, label: (typeof FRAME_LABELS)[number]): number => sigmoid(frame[i * FRAME_LABELS.length + FRAME_LABELS.indexOf(label)]!);
  frames.forEach((f, i) => {
    const r = rows.subarray(i * INPUT_SIZE, (i + 1) * INPUT_SIZE);
    const argmax = r.indexOf(Math.max(...r));
    t.true(Math.abs(argmax - f.targets.pleuraRow) <= 3, `frame ${i}: pleura at row ${argmax}, truth ${f.targets.pleuraRow}`);
    t.true(p(i, 'view_ok') >= th['view_ok']!, `frame ${i}: view_ok ${p(i, 'view_ok').toFixed(3)}`);
  });
  t.is(frames[0]!.truth.bLines.count, 0);
  t.true(frames[1]!.truth.bLines.count >= 4);
  t.true(p(0, 'b_lines') < th['b_lines']!, `normal: p(b_lines) = ${p(0, 'b_lines').toFixed(3)}`);
  t.true(p(1, 'b_lines') >= th['b_lines']!, `b-lines-6: p(b_lines) = ${p(1, 'b_lines').toFixed(3)}`);
  t.true(p(0, 'a_lines') >= th['a_lines']!, `normal: p(a_lines) = ${p(0, 'a_lines').toFixed(3)}`);
  // The B-line map finds most of the true B-line bins (±1 bin) on the B-line scene.
  const bth = model.manifest.outputs.find((o) => o.name === OUTPUTS.blineMap)!.thresholds['b_line']!;
  const found = (b: number): boolean => b >= 0 && b < LATERAL_BINS && sigmoid(blines[LATERAL_BINS + b]!) >= bth;
  const trueBins = [...frames[1]!.targets.blineMap.keys()].filter((b) => frames[1]!.targets.blineMap[b]);
  const hit = trueBins.filter((b) => found(b - 1) || found(b) || found(b + 1)).length;
  t.true(hit >= Math.ceil(trueBins.length / 2), `${hit} of ${trueBins.length} B-line bins found`);
});
