import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { beamform, beamformDataset } from '../../../device/cli/commands/beamform.js';
import { readFloat32File } from '../../../pipeline/beamform/reference-dataset.js';
import { compareEnvelopes, DATASET_NAMES, datasetDir } from './rf-datasets.js';

// Issue "Beamforming and enhancement", item 2: `pleura beamform` matches every reference
// dataset: Pearson r >= 0.9995 and max |difference| <= 3 % of the peak, single and compound.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-beamform-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const name of DATASET_NAMES) {
  for (const [transmits, reference] of [['center', 'das_envelope_single.f32'], ['all', 'das_envelope_compound.f32']] as const) {
    test(`pleura beamform ${name} --transmits ${transmits} matches ${reference}`, async (t) => {
      const dir = datasetDir(t, name);
      if (!dir) return t.pass();
      const prefix = path.join(tmp, `${name}-${transmits}`);
      const result = await beamformDataset(dir, prefix, { transmits });
      const ours = readFloat32File(`${prefix}.f32`);
      const ref = readFloat32File(path.join(dir, reference));
      const { pearson, maxAbsDiff } = compareEnvelopes(ours, ref);
      t.log(`r = ${pearson.toFixed(7)}, max |diff| = ${(100 * maxAbsDiff).toFixed(2)} % of peak (${result.rows}×${result.cols}, ${result.beamformMs.toFixed(0)} ms + ${result.planMs.toFixed(0)} ms plan)`);
      t.true(pearson >= 0.9995, `Pearson r ${pearson}`);
      t.true(maxAbsDiff <= 0.03, `max difference ${(100 * maxAbsDiff).toFixed(2)} %`);
      const description = JSON.parse(fs.readFileSync(`${prefix}.json`, 'utf8')) as { shape: number[]; dtype: string; transmit_indices: number[]; bytes: number };
      t.deepEqual(description.shape, [result.rows, result.cols]);
      t.is(description.dtype, 'float32');
      t.is(description.bytes, 4 * ours.length);
      t.is(description.transmit_indices.length, transmits === 'center' ? 1 : result.transmitIndices.length);
    });
  }
}

test('pleura beamform: a folder without a dataset fails with what is missing; bad flags print usage', async (t) => {
  const errors: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    errors.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    t.is(await beamform({ positionals: [tmp], values: { out: path.join(tmp, 'x') } }), 1);
    t.regex(errors.join(''), /channels\.json not found/);
    t.is(await beamform({ positionals: [tmp], values: {} }), 2);
    t.is(await beamform({ positionals: [tmp], values: { out: 'x', transmits: 'some' } }), 2);
    t.regex(errors.join(''), /--transmits must be all or center/);
  } finally {
    process.stderr.write = write;
  }
});
