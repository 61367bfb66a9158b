/**
 * The lung-findings training targets (scripts/train/targets.ts): probe-frame mm from the
 * simulator's truth land on the right model-input bins, rows and cells, and the view_ok rule.
 */
import test from 'ava';
import { FRAME_LABELS, LATERAL_BINS, LESION_GRID } from '../../../models/findings/model-io.js';
import { inputTransform, toInput } from '../../../models/findings/preprocess.js';
import { frameTargets, IDENTITY_PLACEMENT, mmToInputMap, mmToPicture, truthViewProblem, type DisplayGeometry, type TruthForTargets } from '../../../scripts/train/targets.js';

// A display like the kiosk's for a C5-2v at 120 mm: 640 wide, centred on x = 0.
const MM_PER_PX = 0.1875;
const display: DisplayGeometry = { width: 640, height: 406, mmPerPixel: MM_PER_PX, origin: { xMm: -319.5 * MM_PER_PX, zMm: 0.09 } };
const t = inputTransform({ x0: 0, y0: 0, x1: 640, y1: 406 });
const toIn = mmToInputMap(display, IDENTITY_PLACEMENT, t);
const everywhere = (): boolean => true;

function truth(over: Partial<TruthForTargets> = {}): TruthForTargets {
  return {
    imagingDepthMm: 120,
    skinZMm: 10,
    pleura: { depthMm: 22, visibleXMm: [[-15, 15]], thicknessMm: 0.5, irregular: false, fragmented: false },
    aLines: { present: true, depthsMm: [44, 66] },
    bLines: { count: 0, lines: [], confluent: [] },
    consolidations: [],
    effusion: null,
    ...over,
  };
}

const frameLabel = (f: Uint8Array, name: (typeof FRAME_LABELS)[number]): number => f[FRAME_LABELS.indexOf(name)]!;

test('a B-line at x = 0 mm lands in the middle lateral bins; one at +30 mm to the right of it', (t2) => {
  const r = frameTargets(truth({ bLines: { count: 2, lines: [{ xMm: 0, angleRad: 0, widthMm: 2, intensity: 1 }, { xMm: 30, angleRad: 0.4, widthMm: 2, intensity: 1 }], confluent: [] } }), toIn, everywhere);
  const bins = [...r.blineMap.keys()].filter((b) => r.blineMap[b]);
  t2.is(bins.length, 2);
  t2.true(bins[0] === 15 || bins[0] === 16, `x = 0 in bin ${bins[0]}`);
  // 30 mm = 160 display px = 32 input px = 8 bins to the right.
  t2.is(bins[1]! - bins[0]!, 8);
  t2.is(frameLabel(r.frame, 'b_lines'), 1);
  t2.is(frameLabel(r.frame, 'view_ok'), 1);
  t2.true(r.findingsValid);
});

test('a confluent region marks every bin it spans', (t2) => {
  const r = frameTargets(truth({ bLines: { count: 1, lines: [], confluent: [{ fromXMm: -6, toXMm: 6 }] } }), toIn, everywhere);
  const bins = [...r.blineMap.keys()].filter((b) => r.blineMap[b]);
  // 12 mm = 64 display px = 12.8 input px: 4 or 5 bins, contiguous, around the middle.
  t2.true(bins.length >= 4 && bins.length <= 5, `${bins}`);
  t2.is(bins[bins.length - 1]! - bins[0]!, bins.length - 1);
  t2.true(bins.includes(15) && bins.includes(16));
  t2.is(frameLabel(r.frame, 'confluent_b_lines'), 1);
});

test('the pleura row is the input row of skinZ + depth, and the visible bins follow visibleXMm', (t2) => {
  const r = frameTargets(truth(), toIn, everywhere);
  const zMm = 10 + 22;
  const expected = Math.floor(toInput(t, 0, (zMm - display.origin.zMm) / MM_PER_PX + 0.5).y);
  t2.is(r.pleuraRow, expected);
  t2.is(r.pleuraRow, Math.floor(((32 - 0.09) / MM_PER_PX + 0.5) * 0.2));
  const vis = [...r.pleuraVisible.keys()].filter((b) => r.pleuraVisible[b]);
  // ±15 mm = ±16 input px around column 64: bins 12..19.
  t2.deepEqual(vis, [12, 13, 14, 15, 16, 17, 18, 19]);
  t2.is(r.pleuraVisible.length, LATERAL_BINS);
});

test('outside the image region nothing is visible or a lesion, and the pleura row has no target when nothing is visible', (t2) => {
  const r = frameTargets(truth({ effusion: { outlineMm: [{ xMm: -20, zMm: 32 }, { xMm: 20, zMm: 32 }, { xMm: 20, zMm: 50 }, { xMm: -20, zMm: 50 }], maxThicknessMm: 18 } }), toIn, () => false);
  t2.is(r.pleuraRow, -1);
  t2.true(r.pleuraVisible.every((v) => v === 0));
  t2.true(r.lesionMap.every((v) => v === 0));
  t2.is(frameLabel(r.frame, 'effusion'), 1);
});

test('lesion outlines are rasterised into their channel of the 32×32 grid', (t2) => {
  // A consolidation 20 mm wide, from the pleura (32 mm) to 52 mm: ≈ 21×21 input px ≈ 5×5 cells.
  const outline = [{ xMm: -10, zMm: 32 }, { xMm: 10, zMm: 32 }, { xMm: 10, zMm: 52 }, { xMm: -10, zMm: 52 }];
  const r = frameTargets(truth({ consolidations: [{ outlineMm: outline, airBronchograms: true, maxDepthMm: 20 }] }), toIn, everywhere);
  const g2 = LESION_GRID * LESION_GRID;
  const cells = [...r.lesionMap.subarray(0, g2).keys()].filter((k) => r.lesionMap[k]);
  t2.true(cells.length >= 16 && cells.length <= 36, `${cells.length} cells`);
  t2.true(r.lesionMap.subarray(g2).every((v) => v === 0), 'nothing in the effusion channel');
  const cols = cells.map((k) => k % LESION_GRID);
  t2.true(Math.min(...cols) >= 13 && Math.max(...cols) <= 18, `columns ${Math.min(...cols)}..${Math.max(...cols)}`);
  t2.is(frameLabel(r.frame, 'consolidation'), 1);
});

test('a placement (resize + offset) moves the targets with the picture', (t2) => {
  const p = { scaleX: 0.5, scaleY: 0.5, offsetX: 100, offsetY: 20 };
  const q = mmToPicture(display, p, 0, 32);
  t2.is(q.x, 320 * 0.5 + 100);
  t2.true(Math.abs(q.y - (((32 - 0.09) / MM_PER_PX + 0.5) * 0.5 + 20)) < 1e-9);
  // The same region, placed: the B-line at 0 mm still lands in the middle.
  const tp = inputTransform({ x0: 100, y0: 20, x1: 420, y1: 223 });
  const r = frameTargets(truth({ bLines: { count: 1, lines: [{ xMm: 0, angleRad: 0, widthMm: 2, intensity: 1 }], confluent: [] } }), mmToInputMap(display, p, tp), everywhere);
  const bins = [...r.blineMap.keys()].filter((b) => r.blineMap[b]);
  t2.true(bins[0] === 15 || bins[0] === 16);
});

test('view_ok rule: shallow depth, a rib over the centre, a short window; picture issues mask the findings', (t2) => {
  t2.is(truthViewProblem(truth()), 'none');
  t2.is(truthViewProblem(truth({ imagingDepthMm: 28 })), 'depth-too-shallow');
  t2.is(truthViewProblem(truth({ pleura: { ...truth().pleura, visibleXMm: [[-40, -8], [7, 40]] } })), 'pleura-not-visible');
  t2.is(truthViewProblem(truth({ pleura: { ...truth().pleura, visibleXMm: [[-4, 4]] } })), 'pleura-too-short');
  const r = frameTargets(truth(), toIn, everywhere, 'gain-too-low');
  t2.is(frameLabel(r.frame, 'view_ok'), 0);
  t2.false(r.findingsValid);
  t2.is(r.viewIssue, 'gain-too-low');
});
