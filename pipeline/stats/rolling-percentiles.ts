/** Percentiles over the last N samples, in a fixed ring: no allocation per sample. */
export class RollingPercentiles {
  private readonly ring: Float64Array;
  private count = 0;
  private next = 0;
  max = 0;

  constructor(capacity = 512) {
    this.ring = new Float64Array(capacity);
  }

  add(value: number): void {
    this.ring[this.next] = value;
    this.next = (this.next + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count++;
    if (value > this.max) this.max = value;
  }

  get size(): number {
    return this.count;
  }

  /** p in [0, 100]; nearest-rank on the samples held. NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const sorted = Array.from(this.ring.subarray(0, this.count)).sort((a, b) => a - b);
    const rank = Math.min(this.count - 1, Math.max(0, Math.ceil((p / 100) * this.count) - 1));
    return sorted[rank]!;
  }
}
