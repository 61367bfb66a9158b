/**
 * The k-th smallest of a set of numbers without sorting them (Hoare's quickselect, expected
 * O(n)), for medians on the hot path (automatic gain, the speckle filter's q0). Reorders the
 * scratch array it is given.
 */
export function selectKth(values: Float32Array | Float64Array, count: number, k: number): number {
  let lo = 0;
  let hi = count - 1;
  while (hi > lo) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

export function median(values: Float32Array | Float64Array, count = values.length): number {
  return count ? selectKth(values, count, count >> 1) : 0;
}
