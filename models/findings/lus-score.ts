/**
 * The LUS score of one zone (0–3) from its clip findings, and the exam total. The rules, their
 * order and thresholds are docs/models/lus-score.md; every rule has a unit test
 * (test/unit/findings/lus-score.test.ts). The first rule that applies decides:
 *
 *   null  too few usable frames, or pleural line not seen
 *   3     larger consolidation (≥ 10 mm; uncalibrated ≥ 10 % of the region's height), or white
 *         lung (confluent B-lines under ≥ 50 % of the visible pleural line)
 *   2     coalescent (confluent) B-lines, or a small subpleural consolidation
 *   1     ≥ 3 separate B-lines, or an irregular pleural line
 *   0     regular pleural line with A-lines (and < 3 B-lines)
 *   null  otherwise: a regular pleura with neither A-lines nor ≥ 3 B-lines is not scored
 */
import type { ClipFindings, ZoneScore } from './types.js';

export const LUS_RULES = {
  /** A consolidation this large (mm, larger side of its box) or larger scores 3. */
  largeConsolidationMm: 10,
  /** Uncalibrated images: larger side as a fraction of the ultrasound region's height. */
  largeConsolidationFraction: 0.1,
  /** Confluent B-lines covering at least this fraction of the visible pleura: white lung. */
  whiteLungCoverage: 0.5,
  /** Separate B-lines needed for score 1. */
  minSeparateBLines: 3,
} as const;

export type ClipFindingsUnscored = Omit<ClipFindings, 'score'> & { score?: ZoneScore };

export function lusScore(clip: ClipFindingsUnscored, rules = LUS_RULES): ZoneScore {
  if (!clip.quality.usable) return { score: null, rule: `not scored: ${clip.usableFrames} usable frame${clip.usableFrames === 1 ? '' : 's'} of ${clip.frames} (${clip.quality.reasons.map((r) => r.code).join(', ') || 'too few'})` };
  if (!clip.pleura.visible.present) return { score: null, rule: 'not scored: pleural line not seen' };
  const c = clip.consolidation;
  if (c.present) {
    const large = c.sizeMm != null ? c.sizeMm >= rules.largeConsolidationMm : c.sizeFraction != null ? c.sizeFraction >= rules.largeConsolidationFraction : false;
    if (large) {
      const size = c.sizeMm != null ? `${c.sizeMm} mm ≥ ${rules.largeConsolidationMm} mm` : `${Math.round((c.sizeFraction ?? 0) * 100)} % ≥ ${rules.largeConsolidationFraction * 100} % of the image height`;
      return { score: 3, rule: `larger consolidation (${size})` };
    }
  }
  const b = clip.bLines;
  if (b.confluent.present && (b.coverage ?? 0) >= rules.whiteLungCoverage) {
    return { score: 3, rule: `white lung: confluent B-lines under ${Math.round((b.coverage ?? 0) * 100)} % (≥ ${rules.whiteLungCoverage * 100} %) of the pleural line` };
  }
  if (b.confluent.present) return { score: 2, rule: 'coalescent B-lines' };
  if (c.present) {
    const size = c.sizeMm != null ? `${c.sizeMm} mm < ${rules.largeConsolidationMm} mm` : c.sizeFraction != null ? `${Math.round(c.sizeFraction * 100)} % < ${rules.largeConsolidationFraction * 100} % of the image height` : 'size not measured';
    return { score: 2, rule: `small subpleural consolidation (${size})` };
  }
  if (b.count >= rules.minSeparateBLines) return { score: 1, rule: `≥ ${rules.minSeparateBLines} separate B-lines (${b.count})` };
  if (clip.pleura.irregular.present) return { score: 1, rule: 'irregular pleural line' };
  if (clip.aLines.present) return { score: 0, rule: `regular pleural line with A-lines (${b.count} B-line${b.count === 1 ? '' : 's'})` };
  return { score: null, rule: `not scored: regular pleural line but neither A-lines nor ≥ ${rules.minSeparateBLines} B-lines seen` };
}

export interface ExamScore {
  /** Sum over the scored zones; null when no zone is scored. */
  total: number | null;
  /** 3 × the number of zones. */
  maxTotal: number;
  scoredZones: number;
  /** Zones without a score (they count as missing, not as 0). */
  unscored: string[];
  /** True when every zone has a score. */
  complete: boolean;
}

export function examScore(zones: Record<string, ZoneScore>): ExamScore {
  const entries = Object.entries(zones);
  const scored = entries.filter(([, z]) => z.score !== null);
  return {
    total: scored.length ? scored.reduce((s, [, z]) => s + (z.score ?? 0), 0) : null,
    maxTotal: 3 * entries.length,
    scoredZones: scored.length,
    unscored: entries.filter(([, z]) => z.score === null).map(([name]) => name),
    complete: scored.length === entries.length && entries.length > 0,
  };
}
