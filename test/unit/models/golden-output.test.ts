import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkGolden, goldenPath, type GoldenOutput } from '../../../models/runtime/golden-output.js';

const MANIFEST = path.resolve('models/lung-findings/lung-findings.json');
const CPU = { providers: ['cpu' as const], intraOpThreads: 1 };

/** A copy of the committed model's folder, to break one thing in it. */
function copyModel(t: { teardown: (f: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-golden-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const f of fs.readdirSync(path.dirname(MANIFEST))) fs.copyFileSync(path.join(path.dirname(MANIFEST), f), path.join(dir, f));
  return path.join(dir, path.basename(MANIFEST));
}

test('the committed findings model reproduces its golden output (what a release on trial checks)', async (t) => {
  if (!fs.existsSync(MANIFEST)) return t.fail(`${MANIFEST} is missing: the lung-findings model is part of the repository`);
  const r = await checkGolden(MANIFEST, CPU);
  t.log(r.detail);
  t.true(r.ok, r.detail);
  t.is(r.name, 'model lung-findings');
});

test('a model that answers differently, a golden output for another file, or none at all fail the check with the reason', async (t) => {
  const manifest = copyModel(t);
  const file = goldenPath(manifest);
  const golden = JSON.parse(fs.readFileSync(file, 'utf8')) as GoldenOutput;

  const changed = structuredClone(golden);
  changed.outputs.frame_logits!.values[2]! += 0.5;
  fs.writeFileSync(file, JSON.stringify(changed));
  const differs = await checkGolden(manifest, CPU);
  t.false(differs.ok);
  t.regex(differs.detail, /differs from its golden output by 0\.5\d* at frame_logits\[2\]/);

  fs.writeFileSync(file, JSON.stringify({ ...golden, model: { ...golden.model, sha256: '0'.repeat(64) } }));
  const other = await checkGolden(manifest, CPU);
  t.false(other.ok);
  t.regex(other.detail, /golden output is for another file/);

  fs.rmSync(file);
  const none = await checkGolden(manifest, CPU);
  t.false(none.ok);
  t.regex(none.detail, /no golden output/);

  // A tampered model file is refused before anything runs.
  fs.writeFileSync(file, JSON.stringify(golden));
  const onnx = path.join(path.dirname(manifest), 'lung-findings.onnx');
  const bytes = fs.readFileSync(onnx);
  bytes[bytes.length - 10] ^= 0xff;
  fs.writeFileSync(onnx, bytes);
  const tampered = await checkGolden(manifest, CPU);
  t.false(tampered.ok);
  t.regex(tampered.detail, /refusing to load it/);
});
