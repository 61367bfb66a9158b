/**
 * The real-data evaluation on synthetic labels and `pleura analyze` lines: sparse flags leave
 * items out of that finding only, errors are counted and kept, patients are the bootstrap
 * groups, the severity score skips items the device did not score; labels.csv parsing (quotes,
 * empty = not annotated) and the message when the data folder is missing. The real labels.csv
 * is read when ../shared/datasets/lus-dev is there (skipped with a message otherwise).
 */
import fs from 'node:fs';
import test from 'ava';
import type { AnalyzeResult } from '../../../device/cli/commands/analyze.js';
import type { BinaryReport, OrdinalReport } from '../../../scripts/evaluate/metric-reports.js';
import { evaluateReal, matchPredictions, type AnalyzeLine } from '../../../scripts/evaluate/real-evaluate.js';
import { DEFAULT_REAL_DATA, parseCsv, parseLabels, readRealLabels, type RealLabel } from '../../../scripts/evaluate/real-labels.js';

const HEADER = 'file,kind,item_id,label,probe,patient_group,lung_severity_score,b_lines,a_lines,consolidations,effusion,pleural_irregularities,license';

function label(file: string, group: string, b: boolean | null, severity: RealLabel['severity'] = null, kind: RealLabel['kind'] = 'clip'): RealLabel {
  return {
    file,
    kind,
    itemId: file,
    diagnosis: 'covid19',
    probe: 'convex',
    patientGroup: group,
    severity,
    flags: { bLines: b, aLines: b === null ? null : !b, consolidation: false, effusion: null, pleuraIrregular: null },
    license: 'CC BY 4.0',
  };
}

/** The fields of an AnalyzeResult that the evaluation reads (the rest do not matter here). */
function analyzed(file: string, bLines: boolean, p: number, score: 0 | 1 | 2 | 3 | null): AnalyzeLine {
  const f = (present: boolean, pp = present ? 0.9 : 0.1) => ({ present, p: pp });
  const partial = {
    file,
    kind: 'video',
    method: 'classical',
    executionProvider: 'classical',
    frames: { decoded: 30, analysed: 30, usable: 30, every: 1 },
    quality: { usable: true, score: 1, reasons: [] },
    pleura: { visible: f(true), irregular: f(false), depthMm: null },
    aLines: f(!bLines),
    bLines: { ...f(bLines, p), count: bLines ? 4 : 0, frameSeq: null, confluent: f(false) },
    consolidation: { ...f(false), frameSeq: null },
    effusion: { ...f(false), frameSeq: null },
    sliding: { state: 'unknown', score: null, windowS: 0 },
    score: { score, rule: 'test' },
    supportingFrames: {},
  };
  return partial as unknown as AnalyzeResult;
}

test('labels.csv: quoted fields, empty flags are "not annotated", errors name the row', (t) => {
  t.deepEqual(parseCsv('a,b\n"x, y","say ""hi"""\r\n1,\n'), [
    ['a', 'b'],
    ['x, y', 'say "hi"'],
    ['1', ''],
  ]);
  const labels = parseLabels(`${HEADER}\nclips/a.mp4,clip,a,covid19,convex,7,,1,,0,,1,"CC BY-NC 4.0"\n`);
  t.like(labels[0], { file: 'clips/a.mp4', patientGroup: '7', severity: null, flags: { bLines: true, aLines: null, consolidation: false, effusion: null, pleuraIrregular: true } });
  t.throws(() => parseLabels(`${HEADER}\nclips/a.mp4,clip,a,x,convex,7,5,1,,0,,1,l\n`), { message: /row 2.*0–3/ });
  t.throws(() => parseLabels('file,kind\n'), { message: /no column "item_id"/ });
});

test('a missing data folder is an error that says where the data live', (t) => {
  t.throws(() => readRealLabels('/nonexistent/lus-dev'), { message: /missing.*shared\/datasets\/lus-dev/ });
});

test('predictions match labels by relative path or file name', (t) => {
  const labels = [label('clips/a.mp4', '1', true), label('images/b.png', '2', false, null, 'image')];
  const m = matchPredictions(labels, [analyzed('/data/lus-dev/clips/a.mp4', true, 0.9, 1), { file: 'b.png', error: 'cannot decode' }]);
  t.deepEqual([...m.keys()], ['clips/a.mp4', 'images/b.png']);
});

test('sparse labels, errors, patients and the unscored severity are each counted where they belong', (t) => {
  const labels = [
    label('clips/1.mp4', 'P1', true, 2),
    label('clips/2.mp4', 'P1', true, 1), // same patient: one bootstrap group
    label('clips/3.mp4', 'P2', false, 0),
    label('clips/4.mp4', 'P3', null, 0), // B-lines not annotated
    label('clips/5.mp4', 'P4', false, 3),
    label('images/6.png', 'P5', true, null, 'image'),
  ];
  const lines: AnalyzeLine[] = [
    analyzed('clips/1.mp4', true, 0.9, 2),
    analyzed('clips/2.mp4', false, 0.3, 1),
    analyzed('clips/3.mp4', false, 0.2, 0),
    analyzed('clips/4.mp4', true, 0.8, null), // the device declined to score it
    { file: 'clips/5.mp4', error: 'cannot decode' },
    analyzed('images/6.png', true, 0.7, 1),
  ];
  const e = evaluateReal(labels, lines, { method: 'test', data: 'x' }, { resamples: 300 });
  t.like(e.items, { clips: 5, images: 1, patients: 5, analysed: 5, errors: 1 });
  const b = e.all.findings.bLines as BinaryReport;
  // Annotated and analysed: 1 (TP), 2 (FN), 3 (TN), 6 (TP); 4 has no label, 5 failed.
  t.like(b, { n: 4, groups: 3, positives: 3, negatives: 1, counts: { tp: 2, fn: 1, tn: 1, fp: 0 } });
  t.is(b.sensitivity.x, 2);
  t.is(b.auc?.estimate, 1, 'the scores still rank every positive above the negative');
  t.true(b.sensitivity.bootstrap.lo95! <= b.sensitivity.value! && b.sensitivity.value! <= b.sensitivity.bootstrap.hi95!);
  t.is((e.all.findings.effusion as BinaryReport).n, 0, 'effusion never annotated here');
  const sev = e.all.severity as OrdinalReport;
  t.like(sev, { n: 3, groups: 2 });
  t.is(sev.exactAgreement.estimate, 1);
  t.is(e.all.severityUnscored, 1);
  t.is((e.clips.findings.bLines as BinaryReport).n, 3);
  t.is((e.images.findings.bLines as BinaryReport).n, 1);
  const two = e.perItem.find((r) => r.file === 'clips/2.mp4')!;
  t.deepEqual(two.disagreements, ['bLines', 'aLines']);
  t.is(e.perItem.find((r) => r.file === 'clips/5.mp4')!.error, 'cannot decode');
  t.deepEqual(JSON.parse(JSON.stringify(e)).perItem.length, 6);
});

test('the real labels.csv parses: clips, images, patient groups, sparse flags', (t) => {
  if (!fs.existsSync(`${DEFAULT_REAL_DATA}/labels.csv`)) {
    t.log(`${DEFAULT_REAL_DATA} is missing (the real development set lives outside the repository): skipped`);
    t.pass();
    return;
  }
  const labels = readRealLabels(DEFAULT_REAL_DATA);
  t.true(labels.length > 50);
  t.true(labels.some((l) => l.kind === 'clip') && labels.some((l) => l.kind === 'image'));
  t.true(labels.every((l) => l.patientGroup !== ''));
  t.true(labels.some((l) => l.severity !== null) && labels.some((l) => l.severity === null));
});
