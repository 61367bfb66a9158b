/**
 * A clip's (or a zone's) frame findings → ClipFindings, frame by frame (a 2000-frame clip is
 * never held as images; each frame leaves a few numbers here). Only usable frames count.
 *
 * * Flags: `p` is the fraction of usable frames in which the finding is present; present when
 *   p ≥ `flagFraction` (default 0.25: findings come and go with breathing and probe angle).
 * * B-line count: the highest count seen in at least `robustFrames` (default 3) usable frames
 *   (all of them for clips with fewer usable frames, e.g. a still): B-lines appear and vanish
 *   with breathing, so the clinical count is the maximum, but one frame's noise or a frame
 *   torn by probe motion must not set it. `frameSeq` is a frame showing exactly that count
 *   (the most confident one). Coverage and consolidation size use the same rule.
 * * Sliding: the mean of the frames' window scores → present/absent/unknown (sliding-detector.ts).
 * * Score: lus-score.ts.
 */
import { slidingState } from './sliding-detector.js';
import { lusScore } from './lus-score.js';
import { QUALITY_MESSAGES, round3 } from './quality-rules.js';
import type { ClipFindings, FrameFindings, QualityReasonCode } from './types.js';

export interface AggregateOptions {
  /** Usable frames a clip needs (default 3; a clip with fewer frames needs them all usable). */
  minUsableFrames: number;
  flagFraction: number;
  robustFrames: number;
  /** Supporting frames listed per finding, at most (the most confident, in seq order). */
  maxSupportingFrames: number;
  /**
   * Diagnostics only (`scripts/evaluate/real.js --ignore-quality`): count every frame as usable,
   * to tell a view-quality gate that rejects a clip from detectors that miss its findings.
   */
  ignoreQuality: boolean;
}

export const AGGREGATE_DEFAULTS: AggregateOptions = { minUsableFrames: 3, flagFraction: 0.25, robustFrames: 3, maxSupportingFrames: 20, ignoreQuality: false };

interface FrameRecord {
  seq: number;
  usable: boolean;
  qualityScore: number;
  reasons: QualityReasonCode[];
  pleura: boolean;
  irregular: number;
  irregularP: number;
  depthMm: number | null;
  aLines: number;
  aLinesP: number;
  bLines: number;
  bLinesP: number;
  count: number;
  coverage: number;
  confluent: number;
  confluentP: number;
  consolidation: number;
  consolidationP: number;
  sizePx: number | null;
  sizeMm: number | null;
  sizeFraction: number | null;
  effusion: number;
  effusionP: number;
  slidingScore: number | null;
  timeMs: number;
}

/** The highest value v such that at least k of the values are ≥ v (k clipped to the count). */
export function robustMax(values: number[], k: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => b - a);
  return sorted[Math.min(k, sorted.length) - 1]!;
}

export class ClipAggregator {
  readonly options: AggregateOptions;
  private readonly records: FrameRecord[] = [];

  constructor(options: Partial<AggregateOptions> = {}) {
    this.options = { ...AGGREGATE_DEFAULTS, ...options };
  }

  get frames(): number {
    return this.records.length;
  }

  add(f: FrameFindings): void {
    const box = f.consolidation.present ? f.consolidation.boxPx : null;
    const sizePx = box ? Math.max(box.x1 - box.x0, box.y1 - box.y0) : null;
    const mmpp = f.geometry?.mmPerPixel ?? null;
    const regionH = f.geometry ? f.geometry.regionPx.y1 - f.geometry.regionPx.y0 : null;
    this.records.push({
      seq: f.seq,
      usable: f.quality.usable || this.options.ignoreQuality,
      qualityScore: f.quality.score,
      reasons: f.quality.reasons.map((r) => r.code),
      pleura: f.pleura.present,
      irregular: +f.pleura.irregular.present,
      irregularP: f.pleura.irregular.p,
      depthMm: f.pleura.depthMm,
      aLines: +f.aLines.present,
      aLinesP: f.aLines.p,
      bLines: +f.bLines.present,
      bLinesP: f.bLines.p,
      count: f.bLines.count,
      coverage: f.bLines.coverage ?? 0,
      confluent: +f.bLines.confluent.present,
      confluentP: f.bLines.confluent.p,
      consolidation: +f.consolidation.present,
      consolidationP: f.consolidation.p,
      sizePx,
      sizeMm: sizePx !== null && mmpp ? Math.round(sizePx * mmpp * 10) / 10 : null,
      sizeFraction: sizePx !== null && regionH ? round3(sizePx / regionH) : null,
      effusion: +f.effusion.present,
      effusionP: f.effusion.p,
      slidingScore: f.sliding.score,
      timeMs: f.timeMs,
    });
  }

  result(): ClipFindings {
    const o = this.options;
    const all = this.records;
    const usable = all.filter((r) => r.usable);
    const n = usable.length;
    const needed = Math.min(o.minUsableFrames, Math.max(1, all.length));
    const fraction = (key: keyof FrameRecord) => (n ? round3(usable.reduce((s, r) => s + (r[key] as number), 0) / n) : 0);
    const flag = (key: keyof FrameRecord) => {
      const p = fraction(key);
      return { present: n > 0 && p >= o.flagFraction, p };
    };
    const supporting: Record<string, number[]> = {};
    const support = (name: string, frames: FrameRecord[], conf: (r: FrameRecord) => number) => {
      const top = [...frames].sort((a, b) => conf(b) - conf(a)).slice(0, o.maxSupportingFrames);
      supporting[name] = top.map((r) => r.seq).sort((a, b) => a - b);
    };

    // Quality: reasons present in at least half of the frames, most frequent first.
    const reasonCount = new Map<QualityReasonCode, number>();
    for (const r of all) for (const c of r.reasons) reasonCount.set(c, (reasonCount.get(c) ?? 0) + 1);
    const reasons = [...reasonCount.entries()]
      .filter(([, k]) => k >= 0.5 * all.length)
      .sort((a, b) => b[1] - a[1])
      .map(([code]) => ({ code, message: QUALITY_MESSAGES[code] }));
    const quality = { usable: n >= needed && n > 0, score: all.length ? round3(all.reduce((s, r) => s + r.qualityScore, 0) / all.length) : 0, reasons };

    const k = Math.min(o.robustFrames, Math.max(1, n));
    const count = robustMax(usable.map((r) => r.count), k);
    const reaching = usable.filter((r) => r.count >= count && count > 0);
    // The frame that shows the count: exactly that many first, then the most confident.
    const bestB = reaching.reduce<FrameRecord | null>((a, r) => (!a || (r.count === count) > (a.count === count) || ((r.count === count) === (a.count === count) && r.bLinesP > a.bLinesP) ? r : a), null);
    const bFlag = flag('bLines');
    const confluent = flag('confluent');
    const coverage = round3(robustMax(usable.map((r) => r.coverage), k));

    const consolidationFlag = flag('consolidation');
    const withBox = usable.filter((r) => r.consolidation && r.sizePx !== null);
    const kc = Math.min(o.robustFrames, Math.max(1, withBox.length));
    const sizeMm = withBox.some((r) => r.sizeMm !== null) ? robustMax(withBox.map((r) => r.sizeMm ?? 0), kc) : null;
    const sizeFraction = withBox.some((r) => r.sizeFraction !== null) ? robustMax(withBox.map((r) => r.sizeFraction ?? 0), kc) : null;
    const bestOf = (key: 'consolidation' | 'effusion') => usable.filter((r) => r[key]).reduce<FrameRecord | null>((a, r) => (!a || r[`${key}P`] > a[`${key}P`] ? r : a), null)?.seq ?? null;

    const depths = usable.map((r) => r.depthMm).filter((d): d is number => d !== null).sort((a, b) => a - b);
    const scores = usable.filter((r) => r.slidingScore !== null);
    const slidingScore = scores.length ? Math.round((scores.reduce((s, r) => s + r.slidingScore!, 0) / scores.length) * 100) / 100 : null;
    const spanS = scores.length > 1 ? Math.round((scores[scores.length - 1]!.timeMs - scores[0]!.timeMs) / 10) / 100 : 0;

    const pleuraVisible = all.length ? round3(all.filter((r) => r.pleura).length / all.length) : 0;
    const clip: Omit<ClipFindings, 'score'> = {
      frames: all.length,
      usableFrames: n,
      quality,
      pleura: { visible: { present: pleuraVisible >= 0.5, p: pleuraVisible }, irregular: flag('irregular'), depthMm: depths.length ? depths[depths.length >> 1]! : null },
      aLines: flag('aLines'),
      bLines: { ...bFlag, count, frameSeq: bestB?.seq ?? null, confluent, coverage },
      consolidation: { ...consolidationFlag, frameSeq: bestOf('consolidation'), sizeMm, sizeFraction },
      effusion: { ...flag('effusion'), frameSeq: bestOf('effusion') },
      sliding: { state: slidingState(slidingScore), score: slidingScore, windowS: spanS },
      supportingFrames: supporting,
    };
    if (clip.aLines.present) support('aLines', usable.filter((r) => r.aLines), (r) => r.aLinesP);
    if (bFlag.present) support('bLines', count > 0 ? reaching : usable.filter((r) => r.bLines), (r) => r.bLinesP);
    if (confluent.present) support('confluentBLines', usable.filter((r) => r.confluent), (r) => r.confluentP);
    if (clip.pleura.irregular.present) support('pleuraIrregular', usable.filter((r) => r.irregular), (r) => r.irregularP);
    if (consolidationFlag.present) support('consolidation', usable.filter((r) => r.consolidation), (r) => r.consolidationP);
    if (clip.effusion.present) support('effusion', usable.filter((r) => r.effusion), (r) => r.effusionP);
    if (clip.sliding.state !== 'unknown') support(clip.sliding.state === 'present' ? 'slidingPresent' : 'slidingAbsent', scores, (r) => (clip.sliding.state === 'present' ? r.slidingScore! : -r.slidingScore!));
    return { ...clip, score: lusScore(clip) };
  }
}
