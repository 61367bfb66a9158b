/**
 * Patient-grouped (cluster) percentile bootstrap.
 *
 * Frames of one clip, and clips of one patient, are not independent samples: resampling them one
 * by one pretends there is more evidence than there is and gives intervals that are too narrow.
 * Here whole patients are drawn with replacement (as many as there are), each bringing all of its
 * items; the statistic is recomputed on every resample and the 2.5th and 97.5th percentiles of
 * those values are the 95 % interval. The seed is fixed, so a rerun on the same data prints the
 * same interval.
 *
 * Resamples on which a statistic is undefined (NaN: e.g. sensitivity with no positive patient
 * drawn) are left out of its percentiles and counted in `undefinedResamples`; when many are, the
 * interval is unreliable and the report says so.
 *
 * @example
 *   const r = groupedBootstrap(clips, (c) => c.patient, { sens: (s) => sensitivityOf(s) }, { seed: 1 });
 *   r.sens; // { estimate: 0.82, lo95: 0.64, hi95: 0.95, resamples: 2000, undefinedResamples: 3 }
 */
import { SeededRandom } from '../../../drivers/sim/physics/random.js';

export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling generator (default 20240611). */
  seed?: number;
  /** Two-sided coverage (default 0.95). */
  level?: number;
}

export const BOOTSTRAP_DEFAULTS: Required<BootstrapOptions> = { resamples: 2000, seed: 20240611, level: 0.95 };

export interface BootstrapInterval {
  /** The statistic on the data as they are (not a bootstrap mean). */
  estimate: number | null;
  lo95: number | null;
  hi95: number | null;
  /** Coverage of [lo95, hi95] (0.95 unless asked otherwise; the field names keep "95" for the default). */
  level: number;
  resamples: number;
  undefinedResamples: number;
  /** Number of groups (patients) resampled. */
  groups: number;
}

/** Uniform in [0, 1) from a seed: the simulator's mulberry32 (drivers/sim/physics/random.ts). */
export function seededRandom(seed: number): () => number {
  const rng = new SeededRandom(seed);
  return () => rng.uniform();
}

/** Item indices per group, groups in first-seen order. */
export function groupIndices<T>(items: readonly T[], groupOf: (item: T) => string): number[][] {
  const byGroup = new Map<string, number[]>();
  items.forEach((it, i) => {
    const g = groupOf(it);
    let list = byGroup.get(g);
    if (!list) byGroup.set(g, (list = []));
    list.push(i);
  });
  return [...byGroup.values()];
}

/** One resample: as many groups as there are, drawn with replacement; the items of each drawn group, all of them. */
export function resampleGroups(groups: readonly (readonly number[])[], random: () => number): number[] {
  const out: number[] = [];
  for (let g = 0; g < groups.length; g++) {
    const pick = groups[Math.floor(random() * groups.length)]!;
    for (const i of pick) out.push(i);
  }
  return out;
}

/** Percentile with linear interpolation between order statistics (R type 7); `sorted` ascending. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Several statistics over the same resamples (paired: sensitivity and specificity of one
 * resample come from the same patients).
 */
export function groupedBootstrap<T, K extends string>(
  items: readonly T[],
  groupOf: (item: T) => string,
  statistics: Record<K, (sample: readonly T[]) => number>,
  options: BootstrapOptions = {},
): Record<K, BootstrapInterval> {
  const { resamples, seed, level } = { ...BOOTSTRAP_DEFAULTS, ...options };
  const keys = Object.keys(statistics) as K[];
  const groups = groupIndices(items, groupOf);
  const values = new Map<K, number[]>(keys.map((k) => [k, []]));
  const undefinedCount = new Map<K, number>(keys.map((k) => [k, 0]));
  if (groups.length > 0) {
    const random = seededRandom(seed);
    const sample: T[] = [];
    for (let r = 0; r < resamples; r++) {
      const idx = resampleGroups(groups, random);
      sample.length = 0;
      for (const i of idx) sample.push(items[i]!);
      for (const k of keys) {
        const v = statistics[k](sample);
        if (Number.isFinite(v)) values.get(k)!.push(v);
        else undefinedCount.set(k, undefinedCount.get(k)! + 1);
      }
    }
  }
  const alpha = (1 - level) / 2;
  const out = {} as Record<K, BootstrapInterval>;
  for (const k of keys) {
    const v = values.get(k)!.sort((a, b) => a - b);
    out[k] = {
      estimate: items.length > 0 ? finiteOrNull(statistics[k](items)) : null,
      lo95: v.length > 0 ? percentile(v, alpha) : null,
      hi95: v.length > 0 ? percentile(v, 1 - alpha) : null,
      level,
      resamples: groups.length > 0 ? resamples : 0,
      undefinedResamples: undefinedCount.get(k)!,
      groups: groups.length,
    };
  }
  return out;
}
