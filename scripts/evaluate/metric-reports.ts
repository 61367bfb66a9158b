/**
 * Metric reports over evaluation items (one per frame, clip or image), each item carrying the
 * patient it belongs to: counts, point estimates, Wilson intervals where they apply and the
 * patient-grouped bootstrap interval for every statistic. Pure: predictions and references in,
 * JSON-ready reports out.
 */
import { aucOf } from './stats/auc.js';
import { BLINE_COUNT_CATEGORIES, bLineCountCategory, confusionMatrix, exactAgreement, meanAbsoluteError, weightedKappa } from './stats/agreement.js';
import { groupedBootstrap, groupIndices, type BootstrapInterval, type BootstrapOptions } from './stats/bootstrap.js';
import { confusionCounts, sensitivity, specificity, type ConfusionCounts, type Proportion } from './stats/proportion.js';

export interface BinaryItem {
  /** Patient (bootstrap group). */
  group: string;
  /** Item id for error analysis (clip file, or clip/frame). */
  id: string;
  truth: boolean;
  predicted: boolean;
  /** The probability / score behind `predicted`, for the AUC; null when the method gives none. */
  score: number | null;
}

export interface OrdinalItem {
  group: string;
  id: string;
  truth: number;
  predicted: number;
}

export interface BinaryReport {
  kind: 'binary';
  n: number;
  groups: number;
  positives: number;
  negatives: number;
  counts: ConfusionCounts;
  sensitivity: Proportion & { bootstrap: BootstrapInterval };
  specificity: Proportion & { bootstrap: BootstrapInterval };
  /** Mann–Whitney AUC of `score` over the items that have one; null when none do. */
  auc: (BootstrapInterval & { n: number }) | null;
}

export interface OrdinalReport {
  kind: 'ordinal';
  categories: string[];
  n: number;
  groups: number;
  /** Rows = reference, columns = prediction. */
  confusion: number[][];
  exactAgreement: BootstrapInterval;
  kappaLinear: BootstrapInterval;
  kappaQuadratic: BootstrapInterval;
}

export interface CountReport {
  kind: 'count';
  n: number;
  groups: number;
  meanTruth: number | null;
  meanPredicted: number | null;
  mae: BootstrapInterval;
  /** κ on the categories of BLINE_COUNT_CATEGORIES. */
  categories: OrdinalReport;
}

export type MetricReport = BinaryReport | OrdinalReport | CountReport;

const byGroup = (i: { group: string }): string => i.group;

function sensOf(s: readonly BinaryItem[]): number {
  const c = confusionCounts(s.map((i) => [i.truth, i.predicted] as const));
  return sensitivity(c).value ?? NaN;
}
function specOf(s: readonly BinaryItem[]): number {
  const c = confusionCounts(s.map((i) => [i.truth, i.predicted] as const));
  return specificity(c).value ?? NaN;
}
function aucOfItems(s: readonly BinaryItem[]): number {
  return aucOf(s.filter((i) => i.score !== null && Number.isFinite(i.score)).map((i) => ({ truth: i.truth, score: i.score! })));
}

export function binaryReport(items: readonly BinaryItem[], opts: BootstrapOptions = {}): BinaryReport {
  const counts = confusionCounts(items.map((i) => [i.truth, i.predicted] as const));
  const scored = items.filter((i) => i.score !== null && Number.isFinite(i.score));
  const boot = groupedBootstrap(items, byGroup, { sens: sensOf, spec: specOf, auc: aucOfItems }, opts);
  return {
    kind: 'binary',
    n: items.length,
    groups: groupIndices(items, byGroup).length,
    positives: counts.tp + counts.fn,
    negatives: counts.tn + counts.fp,
    counts,
    sensitivity: { ...sensitivity(counts), bootstrap: boot.sens },
    specificity: { ...specificity(counts), bootstrap: boot.spec },
    auc: scored.length > 0 ? { ...boot.auc, n: scored.length } : null,
  };
}

export function ordinalReport(items: readonly OrdinalItem[], categories: readonly string[], opts: BootstrapOptions = {}): OrdinalReport {
  const k = categories.length;
  const ref = (s: readonly OrdinalItem[]): number[] => s.map((i) => i.truth);
  const pred = (s: readonly OrdinalItem[]): number[] => s.map((i) => i.predicted);
  const boot = groupedBootstrap(
    items,
    byGroup,
    {
      exact: (s) => exactAgreement(ref(s), pred(s)),
      linear: (s) => weightedKappa(ref(s), pred(s), k, 'linear'),
      quadratic: (s) => weightedKappa(ref(s), pred(s), k, 'quadratic'),
    },
    opts,
  );
  return {
    kind: 'ordinal',
    categories: [...categories],
    n: items.length,
    groups: groupIndices(items, byGroup).length,
    confusion: confusionMatrix(ref(items), pred(items), k),
    exactAgreement: boot.exact,
    kappaLinear: boot.linear,
    kappaQuadratic: boot.quadratic,
  };
}

/** B-line counts: MAE on the counts and κ on their categories (0, 1–2, 3–5, ≥ 6). */
export function countReport(items: readonly OrdinalItem[], opts: BootstrapOptions = {}): CountReport {
  const boot = groupedBootstrap(items, byGroup, { mae: (s) => meanAbsoluteError(s.map((i) => i.truth), s.map((i) => i.predicted)) }, opts);
  const mean = (v: number[]): number | null => (v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : null);
  return {
    kind: 'count',
    n: items.length,
    groups: groupIndices(items, byGroup).length,
    meanTruth: mean(items.map((i) => i.truth)),
    meanPredicted: mean(items.map((i) => i.predicted)),
    mae: boot.mae,
    categories: ordinalReport(
      items.map((i) => ({ ...i, truth: bLineCountCategory(i.truth), predicted: bLineCountCategory(i.predicted) })),
      BLINE_COUNT_CATEGORIES,
      opts,
    ),
  };
}
