/** Every LUS rule (docs/models/lus-score.md), in its order, and the exam total. */
import test from 'ava';
import { examScore, lusScore, type ClipFindingsUnscored } from '../../../models/findings/lus-score.js';

const no = { present: false, p: 0 };
const yes = { present: true, p: 0.8 };

function clip(over: Partial<ClipFindingsUnscored> = {}): ClipFindingsUnscored {
  return {
    frames: 30,
    usableFrames: 30,
    quality: { usable: true, score: 0.9, reasons: [] },
    pleura: { visible: { present: true, p: 1 }, irregular: no, depthMm: null },
    aLines: yes,
    bLines: { ...no, count: 0, frameSeq: null, confluent: no, coverage: 0 },
    consolidation: { ...no, frameSeq: null, sizeMm: null, sizeFraction: null },
    effusion: { ...no, frameSeq: null },
    sliding: { state: 'present', score: 9, windowS: 1 },
    supportingFrames: {},
    ...over,
  };
}
const b = (count: number, over: object = {}) => ({ present: count > 0, p: 0.9, count, frameSeq: 3, confluent: no, coverage: 0.1, ...over });
const cons = (over: object) => ({ present: true, p: 0.7, frameSeq: 4, sizeMm: null, sizeFraction: null, ...over });

test('0: regular pleura with A-lines (and fewer than 3 B-lines)', (t) => {
  t.deepEqual(lusScore(clip()).score, 0);
  const two = lusScore(clip({ bLines: b(2) }));
  t.is(two.score, 0);
  t.regex(two.rule, /A-lines \(2 B-lines\)/);
});

test('1: ≥ 3 separate B-lines, or an irregular pleura', (t) => {
  t.deepEqual(lusScore(clip({ bLines: b(3) })), { score: 1, rule: '≥ 3 separate B-lines (3)' });
  t.deepEqual(lusScore(clip({ pleura: { visible: yes, irregular: yes, depthMm: 20 } })), { score: 1, rule: 'irregular pleural line' });
  t.is(lusScore(clip({ aLines: no, bLines: b(5) })).score, 1, 'A-lines are not needed for 1');
});

test('2: coalescent B-lines, or a small subpleural consolidation (< 10 mm; uncalibrated < 10 % of the height)', (t) => {
  t.deepEqual(lusScore(clip({ bLines: b(2, { confluent: yes, coverage: 0.3 }) })), { score: 2, rule: 'coalescent B-lines' });
  t.is(lusScore(clip({ consolidation: cons({ sizeMm: 8 }) })).score, 2);
  t.regex(lusScore(clip({ consolidation: cons({ sizeMm: 8 }) })).rule, /small subpleural consolidation \(8 mm < 10 mm\)/);
  t.is(lusScore(clip({ consolidation: cons({ sizeFraction: 0.05 }) })).score, 2);
  t.regex(lusScore(clip({ consolidation: cons({}) })).rule, /size not measured/, 'a consolidation without a box counts as small');
});

test('3: larger consolidation (≥ 10 mm, or ≥ 10 % of the height uncalibrated), or white lung (confluent under ≥ 50 %)', (t) => {
  t.deepEqual(lusScore(clip({ consolidation: cons({ sizeMm: 10, sizeFraction: 0.01 }) })), { score: 3, rule: 'larger consolidation (10 mm ≥ 10 mm)' }, 'mm win over the fraction');
  t.is(lusScore(clip({ consolidation: cons({ sizeFraction: 0.12 }) })).score, 3);
  const white = lusScore(clip({ bLines: b(1, { confluent: yes, coverage: 0.6 }) }));
  t.is(white.score, 3);
  t.regex(white.rule, /white lung: confluent B-lines under 60 %/);
  t.is(lusScore(clip({ bLines: b(1, { confluent: no, coverage: 0.9 }) })).score, 0, 'coverage without confluence is not white lung');
});

test('the highest rule wins: a large consolidation with B-lines and an irregular pleura is 3', (t) => {
  t.is(lusScore(clip({ bLines: b(6, { confluent: yes, coverage: 0.3 }), pleura: { visible: yes, irregular: yes, depthMm: null }, consolidation: cons({ sizeMm: 25 }) })).score, 3);
});

test('null: too few usable frames, pleura not seen, or neither A-lines nor B-lines', (t) => {
  const few = lusScore(clip({ usableFrames: 2, quality: { usable: false, score: 0.2, reasons: [{ code: 'pleura-too-short', message: '' }] } }));
  t.is(few.score, null);
  t.regex(few.rule, /2 usable frames of 30 \(pleura-too-short\)/);
  t.is(lusScore(clip({ pleura: { visible: no, irregular: no, depthMm: null } })).score, null);
  const bare = lusScore(clip({ aLines: no, bLines: b(1) }));
  t.is(bare.score, null);
  t.regex(bare.rule, /neither A-lines nor ≥ 3 B-lines/);
});

test('exam total: the sum over scored zones; unscored zones are listed, not counted as 0', (t) => {
  const e = examScore({ R1: { score: 1, rule: '' }, R2: { score: 3, rule: '' }, L1: { score: null, rule: '' }, L2: { score: 0, rule: '' } });
  t.deepEqual(e, { total: 4, maxTotal: 12, scoredZones: 3, unscored: ['L1'], complete: false });
  t.is(examScore({ L1: { score: null, rule: '' } }).total, null);
  t.true(examScore({ R1: { score: 2, rule: '' } }).complete);
});
