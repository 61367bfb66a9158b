/**
 * Every object the device makes passes dciodvfy (dicom3tools) with no errors and no warnings,
 * except the warnings for the declared local coding scheme 99PLEURA.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { dciodvfy } from '../helpers/exam-api.js';
import { examWithClips, openStore, tempDir } from '../unit/store/fixtures.js';

test('clips (US Multi-frame) and the findings report (Comprehensive SR) are dciodvfy-clean', (t) => {
  const store = openStore(t);
  const { exam } = examWithClips(store, ['R1', 'R6', 'L3'], { findings: true, frames: 5, rows: 120, cols: 160, finish: true });
  const out = tempDir(t, 'pleura-dciodvfy-');
  const objects = store.exportObjects(exam.id);
  t.is(objects.length, 4);
  for (const o of objects) {
    const file = path.join(out, o.name);
    fs.writeFileSync(file, o.bytes);
    const { iod, problems } = dciodvfy(file);
    t.is(iod, o.kind === 'clip' ? 'USMultiFrameImage' : 'ComprehensiveSR', o.name);
    t.deepEqual(problems, [], `${o.name}: ${problems.join('\n')}`);
  }
});

test('a clip without findings and an unusual geometry (odd size, one frame, deep sector) is clean too', (t) => {
  const store = openStore(t);
  const ex = store.startExam({ patient: { id: 'X-1', name: 'Test^Patient' }, operator: 'op', protocol: 'lus-6' });
  store.selectZone(ex.id, 'L3');
  const clip = store.commitClip({
    examId: ex.id, kind: 'prospective', frames: 1, rows: 37, cols: 53, frameRateHz: 7.5, mmPerPixel: 1.37, topDepthMm: -41.2,
    probe: { model: 'L11-5v', serial: '' }, preset: 'lung', depthMm: 240, gainDb: 12, pixels: new Uint8Array(37 * 53).fill(7),
  });
  const file = path.join(tempDir(t), 'one.dcm');
  fs.writeFileSync(file, store.blobs.read(clip.dicomSha256));
  t.deepEqual(dciodvfy(file).problems, []);
});

test('a report made again after the operator corrected a finding (AI and operator values) is clean too', (t) => {
  const store = openStore(t);
  const { exam } = examWithClips(store, ['R1', 'L2'], { findings: true, finish: true });
  const f = store.findings(exam.id)[1]!;
  store.editFinding(exam.id, f.id, { bLineCount: 17, zoneScore: 3 }, 'nurse Ada van Dijk');
  const sr = store.exportObjects(exam.id).find((o) => o.kind === 'sr')!;
  const file = path.join(tempDir(t, 'pleura-dciodvfy-'), sr.name);
  fs.writeFileSync(file, sr.bytes);
  const { iod, problems } = dciodvfy(file);
  t.is(iod, 'ComprehensiveSR');
  t.deepEqual(problems, [], problems.join('\n'));
});
