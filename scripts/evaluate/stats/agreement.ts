/**
 * Agreement on ordinal categories: confusion matrix, exact agreement, Cohen's κ unweighted and
 * weighted (linear and quadratic weights), and the B-line count categories used for κ on counts.
 *
 * Weighted κ = 1 − Σ wᵢⱼ Oᵢⱼ / Σ wᵢⱼ Eᵢⱼ with disagreement weights wᵢⱼ = |i − j| / (k − 1)
 * (linear) or ((i − j) / (k − 1))² (quadratic), O the observed proportions and E the product of
 * the marginals (Cohen 1968). Quadratic-weighted κ is close to an intraclass correlation: a miss
 * by two categories costs four times a miss by one.
 *
 * @example
 *   weightedKappa([0, 1, 2, 3], [0, 1, 3, 3], 4, 'quadratic');
 */

export type KappaWeights = 'none' | 'linear' | 'quadratic';

/**
 * B-line count categories for κ: 0, 1–2, 3–5, ≥ 6. The cut at 3 is the LUS score's "≥ 3 separate
 * B-lines" (score 1, an interstitial pattern); ≥ 6 is where B-lines in one intercostal view
 * begin to merge and counting stops being reliable for readers.
 */
export const BLINE_COUNT_CATEGORIES = ['0', '1-2', '3-5', '>=6'] as const;

export function bLineCountCategory(count: number): 0 | 1 | 2 | 3 {
  if (!(count >= 0)) throw new RangeError(`B-line count ${count} is not a count`);
  if (count < 1) return 0;
  if (count < 3) return 1;
  if (count < 6) return 2;
  return 3;
}

/** k×k counts, rows = reference, columns = rater (prediction). */
export function confusionMatrix(reference: readonly number[], rater: readonly number[], k: number): number[][] {
  if (reference.length !== rater.length) throw new RangeError(`confusionMatrix: ${reference.length} reference vs ${rater.length} rated`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i]!;
    const b = rater[i]!;
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < k && b < k)) {
      throw new RangeError(`confusionMatrix: category (${a}, ${b}) outside 0…${k - 1}`);
    }
    m[a]![b]!++;
  }
  return m;
}

function weight(i: number, j: number, k: number, w: KappaWeights): number {
  if (w === 'none') return i === j ? 0 : 1;
  const d = Math.abs(i - j) / (k - 1);
  return w === 'linear' ? d : d * d;
}

/** κ from a k×k matrix; NaN when undefined (no items, or chance disagreement is 0: both raters constant). */
export function kappaFromMatrix(m: readonly (readonly number[])[], w: KappaWeights): number {
  const k = m.length;
  let n = 0;
  const rows = new Array<number>(k).fill(0);
  const cols = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      n += m[i]![j]!;
      rows[i]! += m[i]![j]!;
      cols[j]! += m[i]![j]!;
    }
  }
  if (n === 0 || k < 2) return NaN;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const wij = weight(i, j, k, w);
      observed += (wij * m[i]![j]!) / n;
      expected += (wij * rows[i]! * cols[j]!) / (n * n);
    }
  }
  return expected === 0 ? NaN : 1 - observed / expected;
}

export function weightedKappa(reference: readonly number[], rater: readonly number[], k: number, w: KappaWeights): number {
  return kappaFromMatrix(confusionMatrix(reference, rater, k), w);
}

/** Fraction of items in the same category; NaN for no items. */
export function exactAgreement(reference: readonly number[], rater: readonly number[]): number {
  if (reference.length === 0) return NaN;
  let same = 0;
  for (let i = 0; i < reference.length; i++) if (reference[i] === rater[i]) same++;
  return same / reference.length;
}

/** Mean absolute error; NaN for no items. */
export function meanAbsoluteError(reference: readonly number[], predicted: readonly number[]): number {
  if (reference.length !== predicted.length) throw new RangeError(`meanAbsoluteError: ${reference.length} vs ${predicted.length}`);
  if (reference.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < reference.length; i++) s += Math.abs(reference[i]! - predicted[i]!);
  return s / reference.length;
}
