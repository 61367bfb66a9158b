/**
 * Real-data evaluation, pure: `pleura analyze --json` lines (AnalyzeResult: the clip findings
 * plus file/kind/frames, or {file, error}) + labels.csv rows → clip-level metric reports per finding and for the
 * severity score, patient-grouped bootstrap 95 % intervals, and every item's labels and
 * prediction for error analysis.
 *
 * Which items count: a finding's metric uses the items annotated for it (empty flag = not
 * annotated) that the device analysed without an error; the severity score uses the items with
 * a lung_severity_score and a device score (items the device declined to score are counted in
 * `severityUnscored`, not as disagreements: they are a coverage problem, reported apart).
 * Reports are given for all items, clips only and still images only.
 */
import type { AnalyzeResult } from '../../device/cli/commands/analyze.js';
import { binaryReport, ordinalReport, type BinaryItem, type MetricReport } from './metric-reports.js';
import { REAL_FINDINGS, type RealFinding, type RealLabel } from './real-labels.js';
import { BOOTSTRAP_DEFAULTS, type BootstrapOptions } from './stats/bootstrap.js';
import { LUS_SCORE_CATEGORIES } from './sim-evaluate.js';

/** One line of `pleura analyze --json` (docs/models/analyze.md). */
export type AnalyzeLine = AnalyzeResult | { file: string; error: string };

export const isAnalyzeError = (l: AnalyzeLine): l is { file: string; error: string } => 'error' in l && typeof l.error === 'string';

export interface RealPrediction {
  flags: Record<RealFinding, { present: boolean; p: number }>;
  bLineCount: number;
  score: 0 | 1 | 2 | 3 | null;
  scoreRule: string;
  frames: number;
  usableFrames: number;
  usable: boolean;
  qualityReasons: string[];
}

export interface RealItemRecord {
  file: string;
  kind: 'clip' | 'image';
  patientGroup: string;
  diagnosis: string;
  probe: string;
  labels: RealLabel['flags'];
  severity: RealLabel['severity'];
  prediction: RealPrediction | null;
  error: string | null;
  /** Findings where the (annotated) label and the prediction disagree. */
  disagreements: string[];
}

export interface RealSection {
  items: number;
  patients: number;
  findings: Record<RealFinding, MetricReport>;
  severity: MetricReport;
  severityUnscored: number;
}

export interface RealEvaluation {
  kind: 'pleura-real-evaluation';
  version: 1;
  method: string;
  createdAt: string;
  data: string;
  /** Items with a prediction line (clips, images, their patients), analysed without / with an error, and labelled items without any line. */
  items: { clips: number; images: number; patients: number; analysed: number; errors: number; notAnalysed: number };
  bootstrap: Required<BootstrapOptions> & { groupedBy: 'patient_group' };
  all: RealSection;
  clips: RealSection;
  images: RealSection;
  perItem: RealItemRecord[];
}

export function predictionOf(c: AnalyzeResult): RealPrediction {
  const f = (x: { present: boolean; p: number }) => ({ present: x.present, p: x.p });
  return {
    flags: { bLines: f(c.bLines), aLines: f(c.aLines), consolidation: f(c.consolidation), effusion: f(c.effusion), pleuraIrregular: f(c.pleura.irregular) },
    bLineCount: c.bLines.count,
    score: c.score.score,
    scoreRule: c.score.rule,
    frames: c.frames.analysed,
    usableFrames: c.frames.usable,
    usable: c.quality.usable,
    qualityReasons: c.quality.reasons.map((r) => r.code),
  };
}

/** Matches analyze lines to labels by path relative to the data folder, else by file name. */
export function matchPredictions(labels: readonly RealLabel[], lines: readonly AnalyzeLine[]): Map<string, AnalyzeLine> {
  const byBase = new Map<string, AnalyzeLine>();
  const byTail = new Map<string, AnalyzeLine>();
  for (const l of lines) {
    const norm = l.file.replace(/\\/g, '/');
    byBase.set(norm.split('/').pop()!, l);
    byTail.set(norm.split('/').slice(-2).join('/'), l);
  }
  const out = new Map<string, AnalyzeLine>();
  for (const lab of labels) {
    const hit = byTail.get(lab.file) ?? byBase.get(lab.file.split('/').pop()!);
    if (hit) out.set(lab.file, hit);
  }
  return out;
}

function section(records: readonly RealItemRecord[], opts: BootstrapOptions): RealSection {
  const analysed = records.filter((r) => r.prediction !== null);
  const findings = {} as Record<RealFinding, MetricReport>;
  for (const k of Object.keys(REAL_FINDINGS) as RealFinding[]) {
    const items: BinaryItem[] = analysed
      .filter((r) => r.labels[k] !== null)
      .map((r) => ({ group: r.patientGroup, id: r.file, truth: r.labels[k]!, predicted: r.prediction!.flags[k].present, score: r.prediction!.flags[k].p }));
    findings[k] = binaryReport(items, opts);
  }
  const withSeverity = analysed.filter((r) => r.severity !== null);
  const scored = withSeverity.filter((r) => r.prediction!.score !== null);
  return {
    items: records.length,
    patients: new Set(records.map((r) => r.patientGroup)).size,
    findings,
    severity: ordinalReport(
      scored.map((r) => ({ group: r.patientGroup, id: r.file, truth: r.severity!, predicted: r.prediction!.score! })),
      LUS_SCORE_CATEGORIES,
      opts,
    ),
    severityUnscored: withSeverity.length - scored.length,
  };
}

export function evaluateReal(
  labels: readonly RealLabel[],
  lines: readonly AnalyzeLine[],
  meta: { method: string; data: string },
  opts: BootstrapOptions = {},
): RealEvaluation {
  const matched = matchPredictions(labels, lines);
  const perItem: RealItemRecord[] = labels
    .filter((lab) => matched.has(lab.file))
    .map((lab) => {
      const line = matched.get(lab.file)!;
      const prediction = isAnalyzeError(line) ? null : predictionOf(line);
      const disagreements: string[] = prediction
        ? (Object.keys(REAL_FINDINGS) as RealFinding[]).filter((k) => lab.flags[k] !== null && lab.flags[k] !== prediction.flags[k].present)
        : [];
      if (prediction && lab.severity !== null && prediction.score !== null && prediction.score !== lab.severity) disagreements.push(`severity ${lab.severity}→${prediction.score}`);
      return {
        file: lab.file,
        kind: lab.kind,
        patientGroup: lab.patientGroup,
        diagnosis: lab.diagnosis,
        probe: lab.probe,
        labels: lab.flags,
        severity: lab.severity,
        prediction,
        error: isAnalyzeError(line) ? line.error : null,
        disagreements,
      };
    });
  return {
    kind: 'pleura-real-evaluation',
    version: 1,
    method: meta.method,
    createdAt: new Date().toISOString(),
    data: meta.data,
    items: {
      clips: perItem.filter((r) => r.kind === 'clip').length,
      images: perItem.filter((r) => r.kind === 'image').length,
      patients: new Set(perItem.map((r) => r.patientGroup)).size,
      analysed: perItem.filter((r) => r.prediction !== null).length,
      errors: perItem.filter((r) => r.error !== null).length,
      notAnalysed: labels.length - perItem.length,
    },
    bootstrap: { ...BOOTSTRAP_DEFAULTS, ...opts, groupedBy: 'patient_group' },
    all: section(perItem, opts),
    clips: section(perItem.filter((r) => r.kind === 'clip'), opts),
    images: section(perItem.filter((r) => r.kind === 'image'), opts),
    perItem,
  };
}
