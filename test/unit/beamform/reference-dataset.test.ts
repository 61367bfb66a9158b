import test from 'ava';
import { Beamformer } from '../../../pipeline/beamform/beamformer.js';
import { channelDataOf, compareEnvelopes, datasetDir, gridOf, probeOf, readFloat32, readJson, type ChannelsJson, type DasJson, type DatasetName } from './rf-datasets.js';

// A conformance check against PyMUST's DAS (the full acceptance test is a later issue).
// The README's independent numpy port reached r ≈ 0.99999; r > 0.9999 is its bar for a faithful port.
const sets: Array<{ name: DatasetName; central: number }> = [
  { name: 'convex_dw_lung', central: 1 },
  { name: 'linear_pw_points', central: 2 },
];

for (const { name, central } of sets) {
  test(`${name}: envelopes match the reference DAS (single transmit and compound)`, (t) => {
    const dir = datasetDir(t, name);
    if (!dir) return t.pass();
    const ch = readJson<ChannelsJson>(dir, 'channels.json');
    const frame = channelDataOf(dir, ch);
    const bf = new Beamformer(probeOf(ch), gridOf(readJson<DasJson>(dir, 'das.json'), ch), { fNumber: 1.5, window: 'boxcar' });
    const single = compareEnvelopes(bf.beamform(frame, { transmitIndices: [central] }).envelope, readFloat32(dir, 'das_envelope_single.f32'));
    const compound = compareEnvelopes(bf.beamform(frame).envelope, readFloat32(dir, 'das_envelope_compound.f32'));
    t.log(`single: r = ${single.pearson.toFixed(7)}, max |diff| = ${(100 * single.maxAbsDiff).toFixed(2)} % of peak; compound: r = ${compound.pearson.toFixed(7)}, max ${(100 * compound.maxAbsDiff).toFixed(2)} %`);
    t.true(single.pearson > 0.9999);
    t.true(compound.pearson > 0.9999);
    t.true(single.maxAbsDiff < 0.03 && compound.maxAbsDiff < 0.03);
  });
}
