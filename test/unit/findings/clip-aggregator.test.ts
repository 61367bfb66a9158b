/** ClipAggregator: only usable frames count, the robust B-line maximum, flags by fraction, supporting frames, sliding, score. */
import test from 'ava';
import { ClipAggregator, robustMax } from '../../../models/findings/clip-aggregator.js';
import { emptyFindings } from '../../../models/findings/frame-analyzer.js';
import type { FrameFindings } from '../../../models/findings/types.js';

function frame(seq: number, over: { usable?: boolean; count?: number; aLines?: boolean; sliding?: number | null; consolidationBox?: number } = {}): FrameFindings {
  const f = emptyFindings({ seq, timeMs: seq * 50 }, { usable: over.usable ?? true, score: 0.9, reasons: over.usable === false ? [{ code: 'pleura-too-short', message: 'm' }] : [] }, 1);
  f.pleura = { present: true, p: 0.9, yPx: 50, depthMm: 20 + (seq % 3), extentPx: [[10, 90]], irregular: { present: false, p: 0.1 } };
  f.aLines = { present: over.aLines ?? true, p: over.aLines === false ? 0.2 : 0.8 };
  const count = over.count ?? 0;
  f.bLines = { present: count > 0, p: count ? 0.6 + count / 100 : 0.1, count, positionsPx: [], positionsMm: null, confluent: { present: false, p: 0 }, coverage: count / 10 };
  f.sliding = { state: 'unknown', score: over.sliding ?? null, windowS: 1 };
  if (over.consolidationBox) f.consolidation = { present: true, p: 0.9, boxPx: { x0: 10, y0: 60, x1: 10 + over.consolidationBox, y1: 60 + over.consolidationBox / 2 } };
  f.geometry = { regionPx: { x0: 0, y0: 0, x1: 100, y1: 200 }, mmPerPixel: 0.5 };
  return f;
}

test('robustMax: the highest value reached by at least k values', (t) => {
  t.is(robustMax([1, 7, 2, 3, 3, 4], 3), 3);
  t.is(robustMax([5], 3), 5, 'fewer values than k: their minimum over all of them… here the one');
  t.is(robustMax([], 3), 0);
});

test('B-line count: one frame with 7 B-lines does not make the count; three frames with ≥ 4 do', (t) => {
  const agg = new ClipAggregator();
  [0, 1, 2, 7, 4, 4, 5, 1, 0, 0].forEach((count, i) => agg.add(frame(i, { count })));
  const c = agg.result();
  t.is(c.bLines.count, 4);
  t.is(c.bLines.frameSeq, 4, 'a frame showing exactly 4');
  t.deepEqual(c.supportingFrames.bLines, [3, 4, 5, 6]);
  t.is(c.score.score, 1);
});

test('unusable frames do not count; too few usable frames give no score', (t) => {
  const agg = new ClipAggregator();
  for (let i = 0; i < 10; i++) agg.add(frame(i, { usable: i < 2, count: i < 2 ? 0 : 6 }));
  const c = agg.result();
  t.is(c.usableFrames, 2);
  t.false(c.quality.usable);
  t.is(c.bLines.count, 0, 'the six B-lines were in unusable frames');
  t.deepEqual(c.quality.reasons.map((r) => r.code), ['pleura-too-short']);
  t.is(c.score.score, null);
});

test('flags by the fraction of usable frames (≥ 25 %); a still counts alone', (t) => {
  const agg = new ClipAggregator();
  for (let i = 0; i < 8; i++) agg.add(frame(i, { aLines: i < 2 }));
  const c = agg.result();
  t.is(c.aLines.p, 0.25);
  t.true(c.aLines.present);
  const agg2 = new ClipAggregator();
  for (let i = 0; i < 8; i++) agg2.add(frame(i, { aLines: i < 1 }));
  t.false(agg2.result().aLines.present);
  const still = new ClipAggregator();
  still.add(frame(0, { count: 3 }));
  const s = still.result();
  t.true(s.quality.usable, 'one usable frame of one');
  t.is(s.bLines.count, 3);
});

test('sliding: the mean window score decides; consolidation size in mm and as a fraction of the region height', (t) => {
  const agg = new ClipAggregator();
  for (let i = 0; i < 6; i++) agg.add(frame(i, { sliding: i < 2 ? null : 2 + i / 10, consolidationBox: i < 3 ? 30 : undefined }));
  const c = agg.result();
  t.is(c.sliding.state, 'absent');
  t.true(c.sliding.score! < 3);
  t.is(c.consolidation.sizeMm, 15, '30 px × 0.5 mm');
  t.is(c.consolidation.sizeFraction, 0.15);
  t.is(c.score.score, 3);
  t.is(c.pleura.depthMm, 21, 'median');
});
