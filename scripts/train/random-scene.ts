/**
 * Deterministic random lung scenes for training the lung-findings model: one seed → one
 * `SceneSpecInput` (drivers/sim/scene/spec.ts) plus how to image it (probe, depth, simulator
 * seed). The same seed always gives the same scene, on any machine.
 *
 * Splits use disjoint seed ranges, both for the scene generator and for the simulator (speckle,
 * chest wall, hand motion), so the test split never shares a seed with training:
 *
 *   split      scene seeds            simulator seeds
 *   train      100 000 + i            1 000 000 + i
 *   val        200 000 + i            2 000 000 + i
 *   test       300 000 + i            3 000 000 + i
 *   temporal   400 000 + i            4 000 000 + i      (45-frame clips at 30 Hz, for sliding)
 *
 * with 0 ≤ i < 100 000. Each export holds one clip, so the simulator uses exactly that seed.
 *
 * @example
 *   const s = randomScene(sceneSeed('train', 17));
 *   fs.writeFileSync('scene.json', JSON.stringify(s.spec));
 */
import { parseSceneSpec, type SceneSpecInput } from '../../drivers/sim/scene/spec.js';
import { SeededRandom } from '../../drivers/sim/physics/random.js';

export type Split = 'train' | 'val' | 'test' | 'temporal';
export const SPLITS: readonly Split[] = ['train', 'val', 'test', 'temporal'];

const SCENE_SEED_BASE: Record<Split, number> = { train: 100_000, val: 200_000, test: 300_000, temporal: 400_000 };
const SIM_SEED_BASE: Record<Split, number> = { train: 1_000_000, val: 2_000_000, test: 3_000_000, temporal: 4_000_000 };
const SPLIT_SIZE = 100_000;

export function sceneSeed(split: Split, i: number): number {
  if (!(i >= 0 && i < SPLIT_SIZE && Number.isInteger(i))) throw new RangeError(`scene index ${i} is outside 0..${SPLIT_SIZE - 1}`);
  return SCENE_SEED_BASE[split] + i;
}

export function simSeed(split: Split, i: number): number {
  if (!(i >= 0 && i < SPLIT_SIZE && Number.isInteger(i))) throw new RangeError(`scene index ${i} is outside 0..${SPLIT_SIZE - 1}`);
  return SIM_SEED_BASE[split] + i;
}

/** What a scene was drawn as (for balancing and reporting; the labels come from the simulator's truth). */
export type SceneCategory = 'normal' | 'b-lines' | 'confluent' | 'irregular-pleura' | 'consolidation-small' | 'consolidation-large' | 'effusion' | 'pneumothorax' | 'lung-point';

/** A deliberately unusable view drawn at scene level (the image-level ones are made in prepare-dataset). */
export type SceneViewIssue = 'none' | 'rib-over-centre' | 'depth-too-shallow';

export type ProbeName = 'C5-2v' | 'L11-5v';

export interface RandomScene {
  spec: SceneSpecInput;
  category: SceneCategory;
  viewIssue: SceneViewIssue;
  probe: ProbeName;
  depthMm: number;
}

/** Uniform in [0, 1) from a seed: the simulator's mulberry32 (drivers/sim/physics/random.ts), deterministic across platforms. */
export function prng(seed: number): () => number {
  const rng = new SeededRandom(seed);
  return () => rng.uniform();
}

const CATEGORY_WEIGHTS: Array<[SceneCategory, number]> = [
  ['normal', 0.17],
  ['b-lines', 0.24],
  ['confluent', 0.1],
  ['irregular-pleura', 0.1],
  ['consolidation-small', 0.09],
  ['consolidation-large', 0.08],
  ['effusion', 0.1],
  ['pneumothorax', 0.08],
  ['lung-point', 0.04],
];

const r2 = (v: number): number => Math.round(v * 100) / 100;

export interface RandomSceneOptions {
  /** Force a category (the temporal split uses normal / pneumothorax). */
  category?: SceneCategory;
  /** Force the probe. */
  probe?: ProbeName;
  /** Probability of a scene-level unusable view (default 0.08). */
  viewIssueRate?: number;
}

export function randomScene(seed: number, opts: RandomSceneOptions = {}): RandomScene {
  const rnd = prng(seed);
  const uni = (a: number, b: number): number => a + (b - a) * rnd();
  const int = (a: number, b: number): number => Math.floor(uni(a, b + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(rnd() * xs.length))]!;
  const chance = (p: number): boolean => rnd() < p;

  const probe: ProbeName = opts.probe ?? (chance(0.2) ? 'L11-5v' : 'C5-2v');
  const linear = probe === 'L11-5v';
  let category: SceneCategory = opts.category ?? 'normal';
  if (!opts.category) {
    let u = rnd();
    for (const [c, w] of CATEGORY_WEIGHTS) {
      if ((u -= w) < 0) {
        category = c;
        break;
      }
    }
  }
  const viewIssue: SceneViewIssue = chance(opts.viewIssueRate ?? 0.08) ? pick(['rib-over-centre', 'depth-too-shallow'] as const) : 'none';

  // Chest wall. The linear probe images shallower, so its pleura is put shallower too.
  const pleuraDepthMm = r2(linear ? uni(9, 24) : uni(12, 40));
  const fatMm = r2(Math.min(pleuraDepthMm - 6, uni(0, linear ? 8 : 15)));
  const halfFieldMm = linear ? 18 : 45; // lateral half-field at the pleura, roughly
  let depthMm = linear ? pick([30, 40, 40, 50]) : pick([80, 100, 120, 120, 150]);
  depthMm = Math.max(depthMm, Math.ceil((pleuraDepthMm * 2.2) / 10) * 10);
  if (viewIssue === 'depth-too-shallow') depthMm = Math.max(20, Math.round(pleuraDepthMm + uni(2, 7)));

  // Ribs: the intercostal window anywhere under the probe, sometimes one rib, sometimes none.
  const ribWidthMm = r2(uni(10, 16));
  const gapMm = uni(linear ? 18 : 22, linear ? 34 : 48);
  const offsetMm = uni(-0.35, 0.35) * gapMm;
  let ribs: number[];
  const ribChoice = rnd();
  if (viewIssue === 'rib-over-centre') ribs = [r2(uni(-3, 3))];
  else if (ribChoice < 0.12) ribs = [];
  else if (ribChoice < 0.3) ribs = [r2((chance(0.5) ? -1 : 1) * uni(gapMm / 2, halfFieldMm))];
  else ribs = [r2(offsetMm - (gapMm + ribWidthMm) / 2), r2(offsetMm + (gapMm + ribWidthMm) / 2)];
  // The window between the ribs, or the field when there is none: where findings go.
  const sorted = [...ribs].sort((a, b) => a - b);
  let winLo = -halfFieldMm * 0.85;
  let winHi = halfFieldMm * 0.85;
  for (const r of sorted) {
    if (r < 0) winLo = Math.max(winLo, r + ribWidthMm / 2 + 1);
    else winHi = Math.min(winHi, r - ribWidthMm / 2 - 1);
  }
  if (viewIssue === 'rib-over-centre') {
    winLo = -halfFieldMm * 0.85;
    winHi = halfFieldMm * 0.85;
  }
  if (winHi - winLo < 8) {
    winLo = -8;
    winHi = 8;
  }

  const spec: SceneSpecInput = {
    name: `rand-${category}-${seed}`,
    description: `scripts/train/random-scene.ts seed ${seed}: ${category}${viewIssue !== 'none' ? `, ${viewIssue}` : ''}`,
    breathing: { ratePerMin: r2(uni(10, 24)), slidingMm: r2(uni(0.8, 4)), axialMm: r2(uni(0.1, 0.8)) },
    heart: { ratePerMin: r2(uni(55, 110)), pulseMm: r2(uni(0.03, 0.15)) },
    hand: { lateralMm: r2(uni(0, 1)), axialMm: r2(uni(0, 0.3)) },
    chestWall: { pleuraDepthMm, scatterersPerMm2: r2(uni(2, 4)), fatMm: Math.max(0, fatMm) },
    pleura: { thicknessMm: r2(uni(0.3, 0.8)), irregularityMm: r2(uni(0, 0.1)), fragmentation: 0, brightness: r2(uni(0.6, 1.5)) },
    ribs: { atMm: ribs, widthMm: viewIssue === 'rib-over-centre' ? r2(uni(16, 24)) : ribWidthMm, heightMm: r2(uni(5, 9)) },
    reverberation: { faceReflectivity: r2(uni(0.4, 0.7)), mirrorReflectivity: r2(uni(0.25, 0.5)), hazeLevel: r2(uni(0.08, 0.25)) },
  };

  const bLinesAt = (n: number, intensity: [number, number]): NonNullable<SceneSpecInput['bLines']> => {
    // Separate lines: at least ~2.5 mm between centres, inside the window when it is wide enough.
    const xs: number[] = [];
    for (let tries = 0; xs.length < n && tries < 200; tries++) {
      const x = uni(winLo, winHi);
      if (xs.every((o) => Math.abs(o - x) > 2.8)) xs.push(x);
    }
    return xs.map((x) => ({ atMm: r2(x), widthMm: r2(uni(1, 4)), intensity: r2(uni(intensity[0], intensity[1])) }));
  };

  switch (category) {
    case 'normal':
      break;
    case 'b-lines':
      spec.bLines = bLinesAt(int(1, 8), [0.35, 1.4]);
      spec.pleura!.irregularityMm = r2(uni(0, 0.25));
      break;
    case 'confluent': {
      const w = uni(8, Math.max(9, Math.min(30, winHi - winLo)));
      const from = uni(winLo, Math.max(winLo, winHi - w));
      spec.confluent = [{ fromMm: r2(from), toMm: r2(from + w), intensity: r2(uni(0.5, 1.3)) }];
      spec.bLines = chance(0.5) ? bLinesAt(int(1, 2), [0.5, 1]) : [];
      spec.pleura = { thicknessMm: r2(uni(0.5, 2)), irregularityMm: r2(uni(0.1, 0.45)), fragmentation: r2(uni(0, 0.15)), brightness: r2(uni(0.7, 1.3)) };
      break;
    }
    case 'irregular-pleura':
      spec.pleura = { thicknessMm: r2(uni(0.8, 3.5)), irregularityMm: r2(uni(0.22, 0.7)), fragmentation: chance(0.6) ? r2(uni(0.05, 0.35)) : 0, brightness: r2(uni(0.6, 1.3)) };
      spec.bLines = chance(0.6) ? bLinesAt(int(1, 4), [0.4, 1.1]) : [];
      break;
    case 'consolidation-small':
    case 'consolidation-large': {
      const large = category === 'consolidation-large';
      const w = large ? uni(18, 40) : uni(5, 14);
      const c = uni(winLo + w / 4, winHi - w / 4);
      spec.consolidation = [{ fromMm: r2(c - w / 2), toMm: r2(c + w / 2), depthMm: r2(large ? uni(20, Math.min(60, depthMm - pleuraDepthMm - 5)) : uni(4, 12)), airBronchograms: chance(0.6) }];
      spec.pleura!.irregularityMm = r2(uni(0.1, 0.4));
      spec.bLines = chance(0.5) ? bLinesAt(int(1, 2), [0.4, 1]) : [];
      break;
    }
    case 'effusion': {
      const maxT = linear ? Math.max(4, Math.min(18, depthMm - pleuraDepthMm - 8)) : Math.max(8, Math.min(45, depthMm - pleuraDepthMm - 20));
      const a = r2(uni(4, maxT));
      const b = r2(uni(2, maxT));
      spec.effusion = chance(0.7)
        ? { fromMm: -80, toMm: 80, thicknessMm: [a, b], atelectasisMm: r2(chance(0.3) ? 0 : uni(5, 18)), particles: r2(uni(0, 0.3)) }
        : { fromMm: r2(uni(-40, -5)), toMm: r2(uni(5, 40)), thicknessMm: [a, b], atelectasisMm: r2(uni(0, 15)), particles: r2(uni(0, 0.3)) };
      break;
    }
    case 'pneumothorax':
      spec.sliding = 'absent';
      break;
    case 'lung-point':
      spec.sliding = { lungPointAtMm: r2(uni(winLo * 0.6, winHi * 0.6)), swingMm: r2(uni(2, 8)) };
      break;
  }
  // Validate now, so that a bad draw fails here with its seed, not later in the simulator.
  parseSceneSpec(spec, `random scene ${seed}`);
  return { spec, category, viewIssue, probe, depthMm };
}
