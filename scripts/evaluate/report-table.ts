/**
 * Metric reports as a plain-text table for the terminal: one line per finding, the point
 * estimate with its counts, the patient-grouped bootstrap 95 % interval in brackets and, for
 * sensitivity and specificity, the Wilson interval after `W` (it stays informative at 0/n and
 * n/n, where the percentile bootstrap collapses to a point).
 */
import type { BootstrapInterval } from './stats/bootstrap.js';
import type { MetricReport } from './metric-reports.js';
import type { Proportion } from './stats/proportion.js';

const f2 = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2));
const ci = (b: BootstrapInterval): string => (b.lo95 === null ? '' : ` [${f2(b.lo95)}, ${f2(b.hi95)}]`);
const est = (b: BootstrapInterval): string => `${f2(b.estimate)}${ci(b)}`;
const prop = (p: Proportion & { bootstrap: BootstrapInterval }): string =>
  `${f2(p.value)} ${p.x}/${p.n}${ci(p.bootstrap)}${p.wilson95 ? ` W[${f2(p.wilson95[0])}, ${f2(p.wilson95[1])}]` : ''}`;

export function reportCells(r: MetricReport): string[] {
  switch (r.kind) {
    case 'binary':
      return [
        `${r.n} (${r.groups} pt)`,
        `${r.positives}/${r.negatives}`,
        prop(r.sensitivity),
        prop(r.specificity),
        r.auc ? `AUC ${est(r.auc)}` : '',
      ];
    case 'count':
      return [`${r.n} (${r.groups} pt)`, `mean ${f2(r.meanTruth)}/${f2(r.meanPredicted)}`, `MAE ${est(r.mae)}`, `κlin ${est(r.categories.kappaLinear)}`, `κquad ${est(r.categories.kappaQuadratic)}`];
    case 'ordinal':
      return [`${r.n} (${r.groups} pt)`, `exact ${est(r.exactAgreement)}`, `κlin ${est(r.kappaLinear)}`, `κquad ${est(r.kappaQuadratic)}`, ''];
  }
}

export const TABLE_HEADER = ['finding', 'n (patients)', 'pos/neg | truth/pred', 'sensitivity | …', 'specificity | …', 'AUC | …'];

/** Rows of cells → aligned text. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export function reportTable(title: string, reports: Record<string, MetricReport>): string {
  const rows = [TABLE_HEADER, ...Object.entries(reports).map(([name, r]) => [name, ...reportCells(r)])];
  return `${title}\n${formatTable(rows)}`;
}
