/**
 * What the simulator's ground truth (FrameTruth, one per frame of a `pleura sim export`) says the
 * findings are, per frame and per clip, in the terms of models/findings/types.ts — the reference
 * the sim evaluation compares predictions with.
 *
 * Definitions — per frame the same as the model's training targets (scripts/train/targets.ts),
 * so the evaluation asks exactly what the model was taught:
 * * view usable: `truthViewProblem` is 'none' — the image reaches max(10 mm, 25 % of the depth)
 *   below the pleura, and the pleura is visible under the image centre over ≥ 10 mm. Image-level
 *   issues (gain, no contact) are made by prepare-dataset and are not in an export's truth.
 * * pleura irregular: irregular or fragmented.
 * * B-lines: `count` as the simulator counts them (confluent regions count one each); present
 *   when count ≥ 1.
 * * sliding: 'lung-point' counts as absent (a pneumothorax sign) for the present/absent metric.
 * * per clip: a flag is present when it is present in any frame; the count is the maximum over
 *   frames (B-lines move in and out of rib shadows as the patient breathes; the aggregator's
 *   count is a robust maximum too).
 * * LUS score (per clip): the device's own rules (models/findings/lus-score.ts, `lusScore`)
 *   applied to the truth as if it were clip findings — consolidation size from the truth outline
 *   (larger side of its box, mm), white-lung coverage from the confluent spans over the visible
 *   pleura — so a disagreement is a detection error, never a difference of rules.
 */
import type { FrameTruth } from '../../drivers/sim/scene/truth.js';
import { lusScore } from '../../models/findings/lus-score.js';
import type { QualityFinding } from '../../models/findings/types.js';
import { truthViewProblem, type TruthIssue } from '../train/targets.js';

export type LabelledTruth = FrameTruth & { clip: number };

export interface ExpectedFindings {
  viewUsable: boolean;
  /** Why the view is not usable ('none' when it is; per clip: the most frequent problem of its frames). */
  viewIssue: TruthIssue;
  aLines: boolean;
  bLines: boolean;
  bLineCount: number;
  confluent: boolean;
  pleuraIrregular: boolean;
  consolidation: boolean;
  effusion: boolean;
  /** true: sliding present; false: absent or lung point. */
  sliding: boolean;
  /** Clip only (null per frame): the LUS score the device's rules give the truth. */
  score: 0 | 1 | 2 | 3 | null;
  /** The rule behind `score`, in lusScore's words. */
  scoreRule: string | null;
}

export function visiblePleuraMm(t: FrameTruth): number {
  return t.pleura.visibleXMm.reduce((s, [a, b]) => s + Math.abs(b - a), 0);
}

/** Confluent B-line width over the visible pleural line (0–1). */
export function confluentCoverage(t: FrameTruth): number {
  const visible = visiblePleuraMm(t);
  if (visible <= 0) return 0;
  const confluent = t.bLines.confluent.reduce((s, c) => s + Math.abs(c.toXMm - c.fromXMm), 0);
  return Math.min(1, confluent / visible);
}

/** Larger side (mm) of the bounding box of the largest consolidation; null without one. */
export function consolidationSizeMm(t: FrameTruth): number | null {
  let best: number | null = null;
  for (const c of t.consolidations) {
    if (c.outlineMm.length === 0) continue;
    const xs = c.outlineMm.map((p) => p.xMm);
    const zs = c.outlineMm.map((p) => p.zMm);
    const side = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...zs) - Math.min(...zs));
    best = best === null ? side : Math.max(best, side);
  }
  return best;
}

export function expectedFrameFindings(t: FrameTruth): ExpectedFindings {
  const viewIssue = truthViewProblem(t);
  const f = {
    viewUsable: viewIssue === 'none',
    viewIssue,
    aLines: t.aLines.present,
    bLines: t.bLines.count > 0,
    bLineCount: t.bLines.count,
    confluent: t.bLines.confluent.length > 0,
    pleuraIrregular: t.pleura.irregular || t.pleura.fragmented,
    consolidation: t.consolidations.length > 0,
    effusion: t.effusion !== null,
    sliding: t.sliding === 'present',
  };
  return { ...f, score: null, scoreRule: null };
}

export function expectedClipFindings(frames: readonly FrameTruth[]): ExpectedFindings {
  if (frames.length === 0) throw new RangeError('expectedClipFindings: a clip without frames');
  const each = frames.map(expectedFrameFindings);
  const any = (k: 'aLines' | 'bLines' | 'confluent' | 'pleuraIrregular' | 'consolidation' | 'effusion'): boolean => each.some((e) => e[k]);
  const usable = each.filter((e) => e.viewUsable);
  const issues = new Map<TruthIssue, number>();
  for (const e of each) if (e.viewIssue !== 'none') issues.set(e.viewIssue, (issues.get(e.viewIssue) ?? 0) + 1);
  // A clip is usable when at least half of its frames are: one good frame in a clip of rib shadows is not a usable view.
  const viewUsable = usable.length * 2 >= each.length;
  const f = {
    viewUsable,
    viewIssue: viewUsable ? ('none' as const) : [...issues.entries()].sort((a, b) => b[1] - a[1])[0]![0],
    aLines: any('aLines'),
    bLines: any('bLines'),
    bLineCount: Math.max(...each.map((e) => e.bLineCount)),
    confluent: any('confluent'),
    pleuraIrregular: any('pleuraIrregular'),
    consolidation: any('consolidation'),
    effusion: any('effusion'),
    // Sliding is a property of the scene: absent (or a lung point) in any frame makes the clip a pneumothorax clip.
    sliding: each.every((e) => e.sliding),
  };
  const flag = (present: boolean) => ({ present, p: present ? 1 : 0 });
  const quality: QualityFinding = { usable: f.viewUsable, score: f.viewUsable ? 1 : 0, reasons: [] };
  const sizes = frames.map(consolidationSizeMm).filter((v): v is number => v !== null);
  const zone = lusScore({
    frames: frames.length,
    usableFrames: usable.length,
    quality,
    pleura: { visible: flag(frames.some((t) => visiblePleuraMm(t) > 0)), irregular: flag(f.pleuraIrregular), depthMm: null },
    aLines: flag(f.aLines),
    bLines: { ...flag(f.bLines), count: f.bLineCount, frameSeq: null, confluent: flag(f.confluent), coverage: Math.max(...frames.map(confluentCoverage)) },
    consolidation: { ...flag(f.consolidation), frameSeq: null, sizeMm: sizes.length ? Math.max(...sizes) : null, sizeFraction: null },
    effusion: { ...flag(f.effusion), frameSeq: null },
    sliding: { state: f.sliding ? 'present' : 'absent', score: null, windowS: 0 },
    supportingFrames: {},
  });
  return { ...f, score: zone.score, scoreRule: zone.rule };
}
