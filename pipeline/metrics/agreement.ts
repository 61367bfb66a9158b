/**
 * Agreement of two envelope images of the same grid (the conformance measure of the reference
 * datasets' README): Pearson correlation of the linear envelopes, and the largest absolute
 * difference after normalising each image to its own peak.
 */
export interface EnvelopeAgreement {
  pearson: number;
  /** max |a/max(a) - b/max(b)|, a fraction of the peak */
  maxAbsDiff: number;
}

export function compareEnvelopes(a: ArrayLike<number>, b: ArrayLike<number>): EnvelopeAgreement {
  if (a.length !== b.length) throw new RangeError(`images differ in size: ${a.length} and ${b.length} pixels`);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma = Math.max(ma, a[i]!);
    mb = Math.max(mb, b[i]!);
  }
  let sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0, maxAbsDiff = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! / ma;
    const y = b[i]! / mb;
    sa += x;
    sb += y;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x - y));
  }
  const pearson = (sab - (sa * sb) / n) / Math.sqrt((saa - (sa * sa) / n) * (sbb - (sb * sb) / n));
  return { pearson, maxAbsDiff };
}
