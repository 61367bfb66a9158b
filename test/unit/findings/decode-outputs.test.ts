/** decodeOutputs on hand-written logits: peaks and NMS, extent runs inside the region only, softmax row, lesion boxes. */
import test from 'ava';
import { decodeOutputs, DEFAULT_THRESHOLDS, type ModelOutputs } from '../../../models/findings/decode-outputs.js';
import { inputTransform } from '../../../models/findings/preprocess.js';

function outputs(): ModelOutputs {
  return {
    frameLogits: new Float32Array([3, -3, 0.5, -3, -3, -3, -3]),
    blineMap: new Float32Array(32).fill(-5),
    pleuraRow: new Float32Array(128).fill(0),
    pleuraVisible: new Float32Array(32).fill(-5),
    lesionMap: new Float32Array(2 * 32 * 32).fill(-5),
  };
}

// A 256 × 128 source region: scale 0.5, fills the input's width, 64 input rows tall.
const region = { x0: 0, y0: 0, x1: 256, y1: 128 };
const ctx = { transform: inputTransform(region), region, mmPerPixel: 0.5 };

test('B-lines: local maxima above threshold, neighbours within 2 bins suppressed, positions in source pixels', (t) => {
  const o = outputs();
  o.pleuraVisible.fill(3);
  o.blineMap[5] = 2; // peak
  o.blineMap[6] = 1; // shoulder of the same B-line
  o.blineMap[7] = 1.5; // within 2 bins of a stronger peak: suppressed
  o.blineMap[20] = 1;
  o.pleuraRow[40] = 20;
  const d = decodeOutputs(o, DEFAULT_THRESHOLDS, ctx);
  t.is(d.bLines.count, 2);
  t.true(Math.abs(d.bLines.positionsPx[0]! - 5.5 * 8) < 4, `${d.bLines.positionsPx[0]}`);
  t.true(Math.abs(d.bLines.positionsPx[1]! - 20.5 * 8) < 4);
  t.true(Math.abs(d.pleura.yPx! - 40.5 * 2) < 0.5, 'softmax expectation of a sharp peak, × 2 to source');
  t.true(d.bLines.present);
  t.is(d.aLines.present, false);
  t.true(d.bLines.coverage! > 0 && d.bLines.coverage! < 0.2);
  // Two bins apart with a clear gap between them: two B-lines (the model resolves them so).
  const gap = outputs();
  gap.pleuraVisible.fill(3);
  for (const b of [14, 16, 18]) gap.blineMap[b] = 5;
  gap.pleuraRow[40] = 20;
  t.is(decodeOutputs(gap, DEFAULT_THRESHOLDS, ctx).bLines.count, 3);
});

test('pleura extent: runs of visible bins; too few bins is no pleura', (t) => {
  const o = outputs();
  for (const b of [2, 3, 4, 10, 11]) o.pleuraVisible[b] = 2;
  const d = decodeOutputs(o, DEFAULT_THRESHOLDS, ctx);
  t.deepEqual(d.pleura.extentPx, [[16, 40], [80, 96]]);
  const one = outputs();
  one.pleuraVisible[3] = 2;
  t.false(decodeOutputs(one, DEFAULT_THRESHOLDS, ctx).pleura.present);
});

test('bins in the padding beside a narrow region are ignored', (t) => {
  const narrow = { x0: 0, y0: 0, x1: 64, y1: 128 }; // scale 1, 64 columns centred: padding 32 on each side
  const o = outputs();
  o.blineMap.fill(3); // everywhere, padding included
  o.pleuraVisible.fill(3);
  const d = decodeOutputs(o, DEFAULT_THRESHOLDS, { transform: inputTransform(narrow), region: narrow });
  for (const [a, b] of d.pleura.extentPx) t.true(a >= 0 && b <= 64, JSON.stringify(d.pleura.extentPx));
  t.true(d.bLines.positionsPx.every((x) => x >= 0 && x <= 64));
});

test('lesion box: the largest connected group of cells above threshold', (t) => {
  const o = outputs();
  for (let r = 10; r < 14; r++) for (let c = 4; c < 9; c++) o.lesionMap[r * 32 + c] = 2;
  o.lesionMap[30 * 32 + 30] = 2; // a lone cell elsewhere
  const d = decodeOutputs(o, DEFAULT_THRESHOLDS, ctx);
  t.deepEqual(d.consolidation.boxPx, { x0: 32, y0: 80, x1: 72, y1: 112 });
  t.is(d.effusion.boxPx, null);
});
