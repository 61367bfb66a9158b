/**
 * Simulated-data evaluation, pure: analysed clips + the simulator's truth → metric reports per
 * finding, per frame and per clip, with patient-grouped bootstrap intervals (every simulated
 * clip is its own patient; frames of a clip are resampled together).
 *
 * Which items count (docs/models/evaluation.md):
 * * view quality: every frame / clip;
 * * the other findings: frames / clips whose truth view is usable (the device reports findings
 *   only on usable views; on a rib shadow "no B-lines" is not a finding);
 * * sliding: clips of ≥ MIN_SLIDING_FRAMES frames at ≥ MIN_SLIDING_RATE_HZ (the temporal split),
 *   positive = sliding absent (pneumothorax sign); a prediction of 'unknown' is left out and
 *   counted in `slidingUndetermined`;
 * * LUS score: clips where both the truth score and the predicted score are defined.
 */
import type { ClipFindings, FrameFindings } from '../../models/findings/types.js';
import type { AnalyzedClip } from './clip-analyzer.js';
import { binaryReport, countReport, ordinalReport, type BinaryItem, type MetricReport, type OrdinalItem } from './metric-reports.js';
import type { SimClip } from './sim-dataset.js';
import { expectedClipFindings, expectedFrameFindings, type ExpectedFindings } from './sim-truth.js';
import { percentile, type BootstrapOptions, BOOTSTRAP_DEFAULTS } from './stats/bootstrap.js';

export const MIN_SLIDING_FRAMES = 15;
export const MIN_SLIDING_RATE_HZ = 10;
export const LUS_SCORE_CATEGORIES = ['0', '1', '2', '3'] as const;

export type BinaryFinding = 'viewUsable' | 'aLines' | 'bLines' | 'confluent' | 'pleuraIrregular' | 'consolidation' | 'effusion';
export const BINARY_FINDINGS: readonly BinaryFinding[] = ['viewUsable', 'aLines', 'bLines', 'confluent', 'pleuraIrregular', 'consolidation', 'effusion'];

/** A prediction reduced to what the metrics compare (frame or clip). */
export interface PredictedSummary {
  viewUsable: boolean;
  viewScore: number;
  aLines: boolean;
  aLinesP: number;
  bLines: boolean;
  bLinesP: number;
  bLineCount: number;
  confluent: boolean;
  confluentP: number;
  pleuraIrregular: boolean;
  pleuraIrregularP: number;
  consolidation: boolean;
  consolidationP: number;
  effusion: boolean;
  effusionP: number;
  sliding: 'present' | 'absent' | 'unknown';
  slidingScore: number | null;
  score: 0 | 1 | 2 | 3 | null;
}

export function summariseFrame(f: FrameFindings): PredictedSummary {
  return {
    viewUsable: f.quality.usable,
    viewScore: f.quality.score,
    aLines: f.aLines.present,
    aLinesP: f.aLines.p,
    bLines: f.bLines.present,
    bLinesP: f.bLines.p,
    bLineCount: f.bLines.count,
    confluent: f.bLines.confluent.present,
    confluentP: f.bLines.confluent.p,
    pleuraIrregular: f.pleura.irregular.present,
    pleuraIrregularP: f.pleura.irregular.p,
    consolidation: f.consolidation.present,
    consolidationP: f.consolidation.p,
    effusion: f.effusion.present,
    effusionP: f.effusion.p,
    sliding: f.sliding.state,
    slidingScore: f.sliding.score,
    score: null,
  };
}

export function summariseClip(c: ClipFindings): PredictedSummary {
  return {
    viewUsable: c.quality.usable,
    viewScore: c.quality.score,
    aLines: c.aLines.present,
    aLinesP: c.aLines.p,
    bLines: c.bLines.present,
    bLinesP: c.bLines.p,
    bLineCount: c.bLines.count,
    confluent: c.bLines.confluent.present,
    confluentP: c.bLines.confluent.p,
    pleuraIrregular: c.pleura.irregular.present,
    pleuraIrregularP: c.pleura.irregular.p,
    consolidation: c.consolidation.present,
    consolidationP: c.consolidation.p,
    effusion: c.effusion.present,
    effusionP: c.effusion.p,
    sliding: c.sliding.state,
    slidingScore: c.sliding.score,
    score: c.score.score,
  };
}

const SCORE_KEY: Record<BinaryFinding, keyof PredictedSummary> = {
  viewUsable: 'viewScore',
  aLines: 'aLinesP',
  bLines: 'bLinesP',
  confluent: 'confluentP',
  pleuraIrregular: 'pleuraIrregularP',
  consolidation: 'consolidationP',
  effusion: 'effusionP',
};

interface Row {
  group: string;
  id: string;
  truth: ExpectedFindings;
  predicted: PredictedSummary;
}

export interface SimClipRecord {
  id: string;
  scene: string;
  probe: string;
  frames: number;
  truth: ExpectedFindings;
  predicted: PredictedSummary;
  /** Frames whose prediction disagrees with the truth on some finding, for review. */
  frameErrors: Array<{ seq: number; findings: string[] }>;
}

export interface SimEvaluation {
  kind: 'pleura-sim-evaluation';
  version: 1;
  method: string;
  createdAt: string;
  data: string[];
  clips: number;
  frames: number;
  bootstrap: Required<BootstrapOptions> & { groupedBy: string };
  frame: Record<string, MetricReport>;
  clip: Record<string, MetricReport>;
  slidingUndetermined: { clips: number; of: number };
  inferMs: { p50: number | null; p99: number | null };
  perClip: SimClipRecord[];
}

function binaryItems(rows: readonly Row[], f: BinaryFinding): BinaryItem[] {
  return rows
    .filter((r) => f === 'viewUsable' || r.truth.viewUsable)
    .map((r) => {
      const p = r.predicted[SCORE_KEY[f]];
      return { group: r.group, id: r.id, truth: r.truth[f], predicted: r.predicted[f], score: typeof p === 'number' && Number.isFinite(p) ? p : null };
    });
}

function findingReports(rows: readonly Row[], opts: BootstrapOptions): Record<string, MetricReport> {
  const out: Record<string, MetricReport> = {};
  for (const f of BINARY_FINDINGS) out[f] = binaryReport(binaryItems(rows, f), opts);
  const counts: OrdinalItem[] = rows.filter((r) => r.truth.viewUsable).map((r) => ({ group: r.group, id: r.id, truth: r.truth.bLineCount, predicted: r.predicted.bLineCount }));
  out.bLineCount = countReport(counts, opts);
  return out;
}

function disagreements(t: ExpectedFindings, p: PredictedSummary): string[] {
  const out: string[] = [];
  if (t.viewUsable !== p.viewUsable) out.push('viewUsable');
  if (!t.viewUsable) return out;
  for (const f of BINARY_FINDINGS) if (f !== 'viewUsable' && t[f] !== p[f]) out.push(f);
  if (t.bLineCount !== p.bLineCount) out.push(`bLineCount ${t.bLineCount}→${p.bLineCount}`);
  return out;
}

export interface SimEvaluationInput {
  clip: SimClip;
  analyzed: AnalyzedClip;
}

export function evaluateSim(input: readonly SimEvaluationInput[], meta: { method: string; data: string[] }, opts: BootstrapOptions = {}): SimEvaluation {
  const frameRows: Row[] = [];
  const clipRows: Row[] = [];
  const perClip: SimClipRecord[] = [];
  const inferMs: number[] = [];
  for (const { clip, analyzed } of input) {
    if (analyzed.frames.length !== clip.frames.length) throw new RangeError(`clip ${clip.id}: ${analyzed.frames.length} frame findings for ${clip.frames.length} frames`);
    const frameErrors: SimClipRecord['frameErrors'] = [];
    clip.frames.forEach((f, k) => {
      const truth = expectedFrameFindings(f.truth);
      const predicted = summariseFrame(analyzed.frames[k]!);
      frameRows.push({ group: clip.id, id: `${clip.id}/${f.seq}`, truth, predicted });
      inferMs.push(analyzed.frames[k]!.inferMs);
      const wrong = disagreements(truth, predicted);
      if (wrong.length > 0) frameErrors.push({ seq: f.seq, findings: wrong });
    });
    const truth = expectedClipFindings(clip.frames.map((f) => f.truth));
    const predicted = summariseClip(analyzed.clip);
    clipRows.push({ group: clip.id, id: clip.id, truth, predicted });
    perClip.push({ id: clip.id, scene: clip.scene, probe: clip.probe, frames: clip.frames.length, truth, predicted, frameErrors });
  }

  const frame = findingReports(frameRows, opts);
  const clip = findingReports(clipRows, opts);

  const ids = new Set(clipRows.map((r) => r.id));
  if (ids.size !== clipRows.length) throw new RangeError('evaluateSim: clip ids are not unique (the same export given twice?)');
  const temporal = clipRows.filter((_, i) => input[i]!.clip.frames.length >= MIN_SLIDING_FRAMES && input[i]!.clip.frameRateHz >= MIN_SLIDING_RATE_HZ);
  const determined = temporal.filter((r) => r.predicted.sliding !== 'unknown' && r.truth.viewUsable);
  clip.slidingAbsent = binaryReport(
    determined.map((r) => ({
      group: r.group,
      id: r.id,
      truth: !r.truth.sliding,
      predicted: r.predicted.sliding === 'absent',
      // A low motion score means absent sliding: negate it so that higher = more likely positive.
      score: r.predicted.slidingScore === null ? null : -r.predicted.slidingScore,
    })),
    opts,
  );

  const scored = clipRows.filter((r) => r.truth.score !== null && r.predicted.score !== null);
  clip.lusScore = ordinalReport(
    scored.map((r) => ({ group: r.group, id: r.id, truth: r.truth.score!, predicted: r.predicted.score! })),
    LUS_SCORE_CATEGORIES,
    opts,
  );

  const sorted = inferMs.filter(Number.isFinite).sort((a, b) => a - b);
  const round = (v: number): number => Math.round(v * 100) / 100;
  return {
    kind: 'pleura-sim-evaluation',
    version: 1,
    method: meta.method,
    createdAt: new Date().toISOString(),
    data: meta.data,
    clips: clipRows.length,
    frames: frameRows.length,
    bootstrap: { ...BOOTSTRAP_DEFAULTS, ...opts, groupedBy: 'clip (each simulated clip is its own patient: own seed, chest wall, speckle, motion)' },
    frame,
    clip,
    slidingUndetermined: { clips: temporal.length - determined.length, of: temporal.length },
    inferMs: { p50: sorted.length ? round(percentile(sorted, 0.5)) : null, p99: sorted.length ? round(percentile(sorted, 0.99)) : null },
    perClip,
  };
}
