/** The TID 1500 findings report: one measurement group per zone, references to clip and key frame. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { dciodvfy } from '../../helpers/exam-api.js';
import { tempDir } from '../store/fixtures.js';
import type { FindingRecord } from '../../../device/exam/records.js';
import { bestFindingPerZone, buildFindingsReport, COMPREHENSIVE_SR_SOP_CLASS, type FindingsReportInput } from '../../../device/dicom/findings-sr.js';
import { readPart10 } from '../../../device/dicom/part10.js';
import { newUid } from '../../../device/dicom/uid.js';

type Item = Record<string, unknown> & { ContentSequence?: Item[]; ConceptNameCodeSequence?: Array<{ CodeValue: string; CodeMeaning: string }> };

function finding(id: string, clipId: string, zone: string, confidence: number, values: FindingRecord['values']): FindingRecord {
  return { id, examId: 'E20250114-7K3Q9A', clipId, zone, model: { name: 'lus-bline', version: '0.3.1' }, values, confidence, keyFrame: 4, createdAt: '2025-01-14T09:40:00.000Z', edit: null };
}

function input(): FindingsReportInput {
  const clips = [
    { id: 'C1', sopUid: newUid(), zone: 'R1', laterality: 'R' as const },
    { id: 'C2', sopUid: newUid(), zone: 'R1', laterality: 'R' as const },
    { id: 'C3', sopUid: newUid(), zone: 'L2', laterality: 'L' as const },
  ];
  return {
    patient: { pseudonym: 'PLP-0123456789ABCDEF' },
    exam: { id: 'E20250114-7K3Q9A', studyUid: newUid(), seriesUid: newUid(), startedAt: '2025-01-14T09:30:00.000Z', finishedAt: '2025-01-14T09:45:00.000Z', srSeriesUid: newUid(), srSopUid: newUid() },
    clips,
    findings: [
      finding('F1', 'C1', 'R1', 0.6, { bLineCount: 1, zoneScore: 1 }),
      finding('F2', 'C2', 'R1', 0.9, { bLineCount: 5, zoneScore: 2, pleuralLineAbnormal: true, consolidation: false, effusion: true, lungSliding: false }),
      finding('F3', 'C3', 'L2', 0.7, { bLineCount: 0, zoneScore: 0 }),
    ],
    deviceObserverUid: newUid(),
  };
}

const meaning = (i: Item): string => i.ConceptNameCodeSequence?.[0]?.CodeMeaning ?? '';

test('one measurement group per zone, carrying the most confident finding and its source frame', (t) => {
  const i = input();
  t.deepEqual(bestFindingPerZone(i.findings).map((f) => f.id), ['F3', 'F2']);
  const ds = readPart10(buildFindingsReport(i)) as Item;
  t.is(ds.SOPClassUID, COMPREHENSIVE_SR_SOP_CLASS);
  t.is(ds.SOPInstanceUID, i.exam.srSopUid);
  t.is(ds.StudyInstanceUID, i.exam.studyUid);
  t.is(ds.VerificationFlag, 'UNVERIFIED');
  t.is(ds.PatientID, 'PLP-0123456789ABCDEF');
  t.is((ds.ContentTemplateSequence as Array<{ TemplateIdentifier: string }>)[0]!.TemplateIdentifier, '1500');
  t.is((ds.CodingSchemeIdentificationSequence as Array<{ CodingSchemeDesignator: string }>)[0]!.CodingSchemeDesignator, '99PLEURA');

  const root = ds.ContentSequence!;
  const library = root.find((x) => meaning(x) === 'Image Library')!.ContentSequence![0]!.ContentSequence!;
  t.is(library.length, 3, 'every clip is in the image library');
  const groups = root.find((x) => meaning(x) === 'Imaging Measurements')!.ContentSequence!;
  t.deepEqual(groups.map((g) => g.ContentSequence!.find((x) => meaning(x) === 'Tracking Identifier')!.TextValue), ['zone L2', 'zone R1']);

  const r1 = groups[1]!.ContentSequence!;
  const source = r1.find((x) => meaning(x) === 'Source')!.ReferencedSOPSequence as Array<{ ReferencedSOPInstanceUID: string; ReferencedFrameNumber: string | string[] }>;
  t.is(source[0]!.ReferencedSOPInstanceUID, i.clips[1]!.sopUid);
  t.deepEqual([source[0]!.ReferencedFrameNumber].flat().map(Number), [4]);
  const num = (m: string) => Number((r1.find((x) => meaning(x) === m)!.MeasuredValueSequence as Array<{ NumericValue: string | number }>)[0]!.NumericValue);
  t.is(num('B-line count'), 5);
  t.is(num('Lung ultrasound zone score'), 2);
  t.is(num('Algorithm confidence'), 0.9);
  const coded = (m: string) => (r1.find((x) => meaning(x) === m)!.ConceptCodeSequence as Array<{ CodeMeaning: string }>)[0]!.CodeMeaning;
  t.is(coded('Pleural line abnormality'), 'Present');
  t.is(coded('Lung consolidation'), 'Absent');
  t.is(coded('Pleural effusion'), 'Present');
  t.is(coded('Lung sliding'), 'Absent');
  t.is(r1.find((x) => meaning(x) === 'Algorithm Name')!.TextValue, 'lus-bline');
  t.is(r1.find((x) => meaning(x) === 'Algorithm Version')!.TextValue, '0.3.1');
  const site = r1.find((x) => meaning(x) === 'Finding Site')!;
  t.is((site.ContentSequence![0]!.ConceptCodeSequence as Array<{ CodeMeaning: string }>)[0]!.CodeMeaning, 'Right');
});

test('built again from the same stored data it is the same object (interrupted finish)', (t) => {
  const i = input();
  t.deepEqual(buildFindingsReport(i), buildFindingsReport(i));
});

test('a finding for a clip outside the exam is refused', (t) => {
  const i = input();
  i.findings.push(finding('F9', 'C9', 'R2', 0.5, {}));
  t.throws(() => buildFindingsReport(i), { message: /refers to clip C9, which is not in exam/ });
});

test('an edited finding carries the AI value and the operator’s value, with the operator as person observer', (t) => {
  const i = input();
  i.findings[1] = { ...i.findings[1]!, edit: { values: { bLineCount: 7, zoneScore: 3 }, operator: 'nurse Ada', at: '2025-01-14T09:50:00.000Z' } };
  const bytes = buildFindingsReport(i);
  const onlyF1Edited = [{ ...i.findings[0]!, edit: i.findings[1]!.edit }, { ...i.findings[1]!, edit: null }, i.findings[2]!];
  t.deepEqual(bestFindingPerZone(onlyF1Edited).map((f) => f.id), ['F3', 'F1'], 'a corrected finding is the one reported, even if less confident');
  const ds = readPart10(bytes) as Item;
  const groups = ds.ContentSequence!.find((x) => meaning(x) === 'Imaging Measurements')!.ContentSequence!;
  const r1 = groups[1]!.ContentSequence!;
  const values = (m: string) =>
    r1.filter((x) => meaning(x) === m).map((x) => ({
      value: Number((x.MeasuredValueSequence as Array<{ NumericValue: string | number }>)[0]!.NumericValue),
      observer: x.ContentSequence?.find((c) => meaning(c) === 'Person Observer Name')?.PersonName,
      type: (x.ContentSequence?.find((c) => meaning(c) === 'Observer Type')?.ConceptCodeSequence as Array<{ CodeMeaning: string }> | undefined)?.[0]?.CodeMeaning,
    }));
  // dcmjs reads PN as [{ Alphabetic }] or as the plain string, depending on the version.
  const name = (v: unknown): string | undefined => (v === undefined ? undefined : [v].flat().map((x) => (typeof x === 'string' ? x : (x as { Alphabetic: string }).Alphabetic))[0]);
  t.deepEqual(values('B-line count').map((x) => [x.value, name(x.observer), x.type]), [[5, undefined, undefined], [7, 'nurse Ada^', 'Person']]);
  t.deepEqual(values('Lung ultrasound zone score').map((x) => [x.value, name(x.observer)]), [[2, undefined], [3, 'nurse Ada^']]);
  t.is(r1.find((x) => meaning(x) === 'Algorithm Name')!.TextValue, 'lus-bline', 'the AI’s provenance stays');
  // The unedited zone has only the AI's values.
  t.is(groups[0]!.ContentSequence!.filter((x) => meaning(x) === 'B-line count').length, 1);

  const file = path.join(tempDir(t, 'pleura-sr-'), 'edited-sr.dcm');
  fs.writeFileSync(file, bytes);
  const { iod, problems } = dciodvfy(file);
  t.is(iod, 'ComprehensiveSR');
  t.deepEqual(problems, [], problems.join('\n'));
});
