/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a randomly drawn
 * positive scores higher than a randomly drawn negative, ties counted one half. Exact (no
 * threshold grid), computed from ranks in O(n log n).
 *
 * @example
 *   aucMannWhitney([0.9, 0.8], [0.1, 0.2]); // 1
 */

/** NaN when either class is empty (the AUC is undefined, not 0.5). */
export function aucMannWhitney(positiveScores: readonly number[], negativeScores: readonly number[]): number {
  const nPos = positiveScores.length;
  const nNeg = negativeScores.length;
  if (nPos === 0 || nNeg === 0) return NaN;
  const all = [...positiveScores.map((s) => ({ s, pos: true })), ...negativeScores.map((s) => ({ s, pos: false }))];
  for (const { s } of all) if (!Number.isFinite(s)) throw new RangeError(`aucMannWhitney: score ${s} is not finite`);
  all.sort((a, b) => a.s - b.s);
  // Mid-ranks (1-based) for ties; the rank sum of the positives gives U.
  let rankSumPos = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.s === all[i]!.s) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]!.pos) rankSumPos += midRank;
    i = j + 1;
  }
  const u = rankSumPos - (nPos * (nPos + 1)) / 2;
  return u / (nPos * nNeg);
}

/** AUC of items with a boolean reference and a score (items without a score are left out by the caller). */
export function aucOf(items: ReadonlyArray<{ truth: boolean; score: number }>): number {
  const pos: number[] = [];
  const neg: number[] = [];
  for (const it of items) (it.truth ? pos : neg).push(it.score);
  return aucMannWhitney(pos, neg);
}
