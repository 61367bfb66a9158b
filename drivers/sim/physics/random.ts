/**
 * Seeded pseudo-random numbers for the simulator: the same seed gives the same scene and the
 * same noise on every machine (Math.random cannot be seeded).
 * mulberry32: 32-bit state, fast, good enough for speckle and noise (not for cryptography).
 */
export class SeededRandom {
  private state: number;
  private spareGaussian: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller, both values used). */
  gaussian(): number {
    if (this.spareGaussian !== null) {
      const g = this.spareGaussian;
      this.spareGaussian = null;
      return g;
    }
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const m = Math.sqrt(-2 * Math.log(u1));
    this.spareGaussian = m * Math.sin(2 * Math.PI * u2);
    return m * Math.cos(2 * Math.PI * u2);
  }
}

/** Mixes a seed with other integers (e.g. a frame time in µs) into one 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const lo = p >>> 0;
    const hi = Math.floor(p / 4294967296) >>> 0;
    for (const word of [lo, hi]) {
      h = Math.imul(h ^ word, 0x01000193) >>> 0;
      h = (h ^ (h >>> 13)) >>> 0;
    }
  }
  return h;
}
