/**
 * Binary decisions against a reference: the 2×2 counts, sensitivity and specificity as
 * proportions with their counts and a Wilson score interval.
 *
 * Wilson rather than the normal ("Wald") interval because evaluation sets are small and
 * proportions sit near 0 or 1, where Wald collapses to a zero-width interval or leaves [0, 1].
 *
 * @example
 *   const c = confusionCounts(items.map((i) => [i.truth, i.predicted]));
 *   sensitivity(c); // { value: 0.9, x: 9, n: 10, wilson95: [0.596, 0.982] }
 */

export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface Proportion {
  /** x / n; null when n is 0 (undefined, not 0). */
  value: number | null;
  x: number;
  n: number;
  /** Wilson score interval at 95 %; null when n is 0. */
  wilson95: [number, number] | null;
}

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

export function confusionCounts(pairs: Iterable<readonly [truth: boolean, predicted: boolean]>): ConfusionCounts {
  const c: ConfusionCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const [truth, predicted] of pairs) {
    if (truth) predicted ? c.tp++ : c.fn++;
    else predicted ? c.fp++ : c.tn++;
  }
  return c;
}

export function wilsonInterval(x: number, n: number, z = Z95): [number, number] | null {
  if (!(n > 0)) return null;
  if (x < 0 || x > n) throw new RangeError(`wilsonInterval: x = ${x} outside 0…n (n = ${n})`);
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp rounding at the ends (x = 0 gives exactly 0 in exact arithmetic).
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function proportion(x: number, n: number): Proportion {
  return { value: n > 0 ? x / n : null, x, n, wilson95: wilsonInterval(x, n) };
}

/** True-positive rate: detected among the reference positives. */
export const sensitivity = (c: ConfusionCounts): Proportion => proportion(c.tp, c.tp + c.fn);
/** True-negative rate: called negative among the reference negatives. */
export const specificity = (c: ConfusionCounts): Proportion => proportion(c.tn, c.tn + c.fp);
/** Positive predictive value. */
export const ppv = (c: ConfusionCounts): Proportion => proportion(c.tp, c.tp + c.fp);
/** Negative predictive value. */
export const npv = (c: ConfusionCounts): Proportion => proportion(c.tn, c.tn + c.fn);
