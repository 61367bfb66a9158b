/**
 * The operator's edit of a finding: kept next to the AI values, audited, in the findings report;
 * after finishing the report is made again under a new UID until it has been sent, then refused.
 */
import { createHash } from 'node:crypto';
import test from 'ava';
import { readPart10 } from '../../../device/dicom/part10.js';
import { ExamStateError, InvalidInputError, NotFoundError } from '../../../device/store/errors.js';
import { examWithClips, openStore } from './fixtures.js';

type Item = Record<string, unknown> & { ContentSequence?: Item[]; ConceptNameCodeSequence?: Array<{ CodeMeaning: string }> };
const meaning = (i: Item): string => i.ConceptNameCodeSequence?.[0]?.CodeMeaning ?? '';

test('an edit in an open exam is stored next to the AI values, merged with earlier edits, and audited', (t) => {
  const store = openStore(t);
  const { exam } = examWithClips(store, ['R1', 'L2'], { findings: true });
  const f = store.findings(exam.id)[0]!;
  t.is(f.edit, null);
  const after = store.editFinding(exam.id, f.id, { bLineCount: 9 }, 'nurse Ada');
  const edited = after.findings.find((x) => x.id === f.id)!;
  t.deepEqual(edited.values, f.values, 'the AI values are untouched');
  t.deepEqual(edited.edit?.values, { bLineCount: 9 });
  t.is(edited.edit?.operator, 'nurse Ada');

  store.editFinding(exam.id, f.id, { zoneScore: 3 }, 'dr Bo');
  const again = store.getExam(exam.id).findings.find((x) => x.id === f.id)!;
  t.deepEqual(again.edit?.values, { bLineCount: 9, zoneScore: 3 });
  t.is(again.edit?.operator, 'dr Bo');
  t.deepEqual(again.values, f.values);

  const audit = store.audit.forExam(exam.id).filter((a) => a.action === 'finding.edit');
  t.is(audit.length, 2);
  t.is(audit[0]!.actor, 'nurse Ada');
  t.deepEqual(audit[0]!.detail, { findingId: f.id, zone: 'R1', ai: { bLineCount: 2, zoneScore: 1 }, before: null, after: { bLineCount: 9 } });
  t.deepEqual(audit[1]!.detail['before'], { bLineCount: 9 });
});

test('bad values and unknown findings are refused and change nothing', (t) => {
  const store = openStore(t);
  const { exam } = examWithClips(store, ['R1'], { findings: true });
  const f = store.findings(exam.id)[0]!;
  for (const values of [{ bLineCount: 31 }, { bLineCount: -1 }, { bLineCount: 2.5 }, { zoneScore: 4 }, { zoneScore: 1.5 }, {}]) {
    t.throws(() => store.editFinding(exam.id, f.id, values, 'op'), { instanceOf: InvalidInputError }, JSON.stringify(values));
  }
  t.throws(() => store.editFinding(exam.id, 'FNOSUCHFINDIN', { bLineCount: 1 }, 'op'), { instanceOf: NotFoundError });
  t.is(store.findings(exam.id)[0]!.edit, null);
  t.is(store.audit.forExam(exam.id).filter((a) => a.action === 'finding.edit').length, 0);
});

test('after finishing, an edit makes the report again under a new UID, until the report has been sent', (t) => {
  const store = openStore(t);
  const { exam } = examWithClips(store, ['R1', 'L2'], { findings: true, finish: true });
  const before = store.getExam(exam.id);
  const f = before.findings.find((x) => x.zone === 'L2')!;
  const oldSr = store.exportObjects(exam.id).find((o) => o.kind === 'sr')!;

  const after = store.editFinding(exam.id, f.id, { bLineCount: 12 }, 'nurse Ada');
  t.not(after.srSopUid, before.srSopUid);
  t.is(after.srSeriesUid, before.srSeriesUid);
  const srs = store.exportObjects(exam.id).filter((o) => o.kind === 'sr');
  t.is(srs.length, 1, 'the new report replaces the unsent one in the outbox');
  t.is(srs[0]!.sopUid, after.srSopUid ?? '');
  t.throws(() => store.blobs.read(createHash('sha256').update(oldSr.bytes).digest('hex')), undefined, 'the unsent report’s file is gone');
  const ds = readPart10(srs[0]!.bytes) as Item;
  const groups = ds.ContentSequence!.find((x) => meaning(x) === 'Imaging Measurements')!.ContentSequence!;
  const l2 = groups.find((g) => g.ContentSequence!.some((x) => x.TextValue === 'zone L2'))!;
  const counts = l2.ContentSequence!.filter((x) => meaning(x) === 'B-line count').map((x) => Number((x.MeasuredValueSequence as Array<{ NumericValue: string }>)[0]!.NumericValue));
  t.deepEqual(counts, [3, 12], 'AI value and operator value');
  t.true(store.audit.forExam(exam.id).some((a) => a.action === 'exam.report-revised'));

  // Once a send of the report was attempted, a destination may hold it: no more edits.
  store.outbox.ensureDeliveries('pacs');
  const srRow = store.db.prepare(`SELECT id FROM outbox WHERE exam_id = ? AND kind = 'sr'`).pluck().get(exam.id) as number;
  store.outbox.markStored(srRow, 'pacs', new Date().toISOString());
  const err = t.throws(() => store.editFinding(exam.id, f.id, { bLineCount: 4 }, 'nurse Ada'), { instanceOf: ExamStateError });
  t.regex(err!.message, /already been sent to pacs; it can no longer be edited/);
  t.deepEqual(store.getExam(exam.id).findings.find((x) => x.id === f.id)!.edit?.values, { bLineCount: 12 });
});
