/**
 * The evaluation statistics on cases that can be checked by hand (values worked out in the
 * comments), and the grouped bootstrap's defining property: patients are resampled whole.
 */
import test from 'ava';
import { bLineCountCategory, confusionMatrix, exactAgreement, meanAbsoluteError, weightedKappa } from '../../../scripts/evaluate/stats/agreement.js';
import { aucMannWhitney } from '../../../scripts/evaluate/stats/auc.js';
import { groupedBootstrap, groupIndices, percentile, resampleGroups, seededRandom } from '../../../scripts/evaluate/stats/bootstrap.js';
import { confusionCounts, sensitivity, specificity, wilsonInterval } from '../../../scripts/evaluate/stats/proportion.js';

const close = (a: number | null | undefined, b: number, eps = 1e-4): boolean => a !== null && a !== undefined && Math.abs(a - b) < eps;

test('sensitivity and specificity carry their counts and Wilson intervals (0/10 → [0, 0.2775], 5/10 → [0.2366, 0.7634])', (t) => {
  const c = confusionCounts([
    [true, true],
    [true, true],
    [true, false],
    [false, false],
    [false, true],
  ]);
  t.deepEqual(c, { tp: 2, fp: 1, tn: 1, fn: 1 });
  t.like(sensitivity(c), { x: 2, n: 3 });
  t.true(close(sensitivity(c).value, 2 / 3));
  t.like(specificity(c), { x: 1, n: 2, value: 0.5 });
  const [lo0, hi0] = wilsonInterval(0, 10)!;
  t.true(close(lo0, 0) && close(hi0, 0.2775));
  const [lo5, hi5] = wilsonInterval(5, 10)!;
  t.true(close(lo5, 0.2366) && close(hi5, 0.7634));
  t.is(wilsonInterval(0, 0), null);
  t.is(specificity({ tp: 3, fp: 0, tn: 0, fn: 0 }).value, null, 'no negatives: undefined, not 0');
});

test("Cohen's κ: the 2×2 textbook case (20/5/10/15 → 0.4); weights do not matter for two categories", (t) => {
  const ref: number[] = [];
  const rat: number[] = [];
  const add = (a: number, b: number, n: number): void => {
    for (let i = 0; i < n; i++) ref.push(a), rat.push(b);
  };
  add(1, 1, 20);
  add(1, 0, 5);
  add(0, 1, 10);
  add(0, 0, 15);
  for (const w of ['none', 'linear', 'quadratic'] as const) t.true(close(weightedKappa(ref, rat, 2, w), 0.4), w);
});

test('weighted κ on three categories: unweighted 0.5, linear 0.625, quadratic 0.75 (worked by hand)', (t) => {
  // Matrix [[1,1,0],[0,1,1],[0,0,2]], n = 6, row sums 2,2,2, column sums 1,2,3.
  // Linear: observed disagreement (0.5 + 0.5) / 6 = 1/6; expected 2·(1·1.5 + 2·1 + 3·1.5) / 36 = 4/9 → 1 − 3/8.
  // Quadratic: observed 0.5 / 6 = 1/12; expected 2·(1·1.25 + 2·0.5 + 3·1.25) / 36 = 1/3 → 1 − 1/4.
  const ref = [0, 0, 1, 1, 2, 2];
  const rat = [0, 1, 1, 2, 2, 2];
  t.deepEqual(confusionMatrix(ref, rat, 3), [
    [1, 1, 0],
    [0, 1, 1],
    [0, 0, 2],
  ]);
  t.true(close(weightedKappa(ref, rat, 3, 'none'), 0.5));
  t.true(close(weightedKappa(ref, rat, 3, 'linear'), 0.625));
  t.true(close(weightedKappa(ref, rat, 3, 'quadratic'), 0.75));
  t.is(weightedKappa(ref, ref, 3, 'quadratic'), 1, 'perfect agreement');
  t.true(Number.isNaN(weightedKappa([1, 1], [1, 1], 4, 'linear')), 'both raters constant: undefined');
  t.true(close(exactAgreement(ref, rat), 4 / 6));
  t.throws(() => confusionMatrix([4], [0], 4), { message: /outside 0…3/ });
});

test('B-line count categories 0, 1–2, 3–5, ≥6 and the count MAE', (t) => {
  t.deepEqual([0, 1, 2, 3, 5, 6, 12].map(bLineCountCategory), [0, 1, 1, 2, 2, 3, 3]);
  t.is(meanAbsoluteError([0, 2, 5], [1, 2, 2]), 4 / 3);
  t.throws(() => bLineCountCategory(-1));
});

test('AUC (Mann–Whitney): separated 1, reversed 0, all tied 0.5, ties count half, one class empty undefined', (t) => {
  t.is(aucMannWhitney([0.9, 0.8], [0.1, 0.2]), 1);
  t.is(aucMannWhitney([0.1, 0.2], [0.9, 0.8]), 0);
  t.is(aucMannWhitney([0.5, 0.5], [0.5]), 0.5);
  t.is(aucMannWhitney([0.8, 0.4], [0.5, 0.1]), 0.75); // 3 of 4 pairs ordered
  t.is(aucMannWhitney([0.5], [0.5, 0.1]), 0.75); // (½ + 1) / 2
  t.true(Number.isNaN(aucMannWhitney([0.3], [])));
});

test('percentiles interpolate between order statistics (R type 7)', (t) => {
  t.is(percentile([1, 2, 3, 4, 5], 0.5), 3);
  t.is(percentile([1, 2, 3, 4, 5], 0.25), 2);
  t.is(percentile([1, 2], 0.975), 1.975);
});

test('a grouped resample draws whole groups: every member of a group appears as often as the others', (t) => {
  const items = ['a', 'b', 'b', 'c', 'c', 'c', 'd'];
  const groups = groupIndices(items, (x) => x);
  t.deepEqual(groups, [[0], [1, 2], [3, 4, 5], [6]]);
  const random = seededRandom(3);
  let sawRepeat = false;
  for (let r = 0; r < 200; r++) {
    const idx = resampleGroups(groups, random);
    const times = (i: number): number => idx.filter((j) => j === i).length;
    t.true(times(1) === times(2) && times(3) === times(4) && times(4) === times(5), 'a group comes whole or not at all');
    const drawn = times(0) + times(1) + times(3) + times(6);
    t.is(drawn, 4, 'as many groups as there are');
    if ([0, 1, 3, 6].some((i) => times(i) > 1)) sawRepeat = true;
  }
  t.true(sawRepeat, 'with replacement');
});

test('the bootstrap is reproducible, its interval holds the estimate, and grouping widens it for correlated items', (t) => {
  // 10 patients × 20 identical items: really 10 observations, not 200.
  const items = Array.from({ length: 200 }, (_, i) => ({ patient: String(Math.floor(i / 20)), v: Math.floor(i / 20) % 2 === 0 ? Math.floor(i / 20) / 10 : 1 - Math.floor(i / 20) / 10 }));
  const mean = (s: readonly { v: number }[]): number => s.reduce((a, b) => a + b.v, 0) / s.length;
  const grouped = groupedBootstrap(items, (i) => i.patient, { mean }, { seed: 11 }).mean;
  const again = groupedBootstrap(items, (i) => i.patient, { mean }, { seed: 11 }).mean;
  t.deepEqual(grouped, again);
  t.is(grouped.resamples, 2000);
  t.is(grouped.groups, 10);
  t.true(grouped.lo95! <= grouped.estimate! && grouped.estimate! <= grouped.hi95!);
  let k = 0;
  const naive = groupedBootstrap(items, () => String(k++), { mean }, { seed: 11 }).mean;
  t.is(naive.groups, 200);
  const width = (b: typeof grouped): number => b.hi95! - b.lo95!;
  t.true(width(grouped) > 3 * width(naive), `grouped ${width(grouped).toFixed(3)} vs per-item ${width(naive).toFixed(3)}`);
});

test('resamples where a statistic is undefined are counted, not averaged in', (t) => {
  // One positive patient among five: many resamples draw none, and sensitivity is undefined there.
  const items = [
    { g: 'p1', truth: true, pred: true },
    ...['p2', 'p3', 'p4', 'p5'].map((g) => ({ g, truth: false, pred: false })),
  ];
  const sens = (s: readonly (typeof items)[number][]): number => sensitivity(confusionCounts(s.map((i) => [i.truth, i.pred] as const))).value ?? NaN;
  const r = groupedBootstrap(items, (i) => i.g, { sens }, { resamples: 500, seed: 1 }).sens;
  t.true(r.undefinedResamples > 100 && r.undefinedResamples < 250, `P(no p1 in 5 draws) = 0.8⁵ ≈ 0.33: ${r.undefinedResamples}`);
  t.deepEqual([r.estimate, r.lo95, r.hi95], [1, 1, 1]);
  const empty = groupedBootstrap([], () => 'x', { sens }, {}).sens;
  t.like(empty, { estimate: null, lo95: null, resamples: 0 });
});
