/**
 * The foundation lung scene: the simplest scene that looks and moves like a lung-ultrasound
 * view. Layers (in this order in the ScattererSet):
 *   1. chest-wall     soft-tissue speckle from the skin to the pleura (i.i.d. normal amplitudes)
 *   2. pleura         a bright, specular pleural line (dense regular line of scatterers)
 *   3. lung-texture   a faint, sparse texture below the pleura that slides with the lung
 *   4. chest-wall-points / lung-points   a few point targets
 * Motion: breathing (motion.ts): axial squeeze of the chest wall, lateral sliding of the lung.
 *
 * What it is not: there are no reverberations, so no A-lines and no B-lines, and no ribs. Below
 * the pleura of a real lung there is air, and everything seen there is artefact; the
 * "lung-texture" layer is a phenomenological stand-in so that sliding is visible. The lung
 * acoustics issue replaces it by adding layers (see docs/simulator.md, "Extending the scene").
 *
 * @example
 *   const scene = foundationLungScene(C5_2V.geometry, { depthM: 0.12, seed: 1 });
 *   const set = scene.scatterersAt(0.25);
 */
import type { TransducerGeometry } from '../../protocol/messages.js';
import { SeededRandom } from './random.js';
import { imagingRegion } from './region.js';
import { allocateScatterers, LayeredScene, MovingScatterers, type ScattererSet } from './scene.js';
import { ChestWallMotion, DEFAULT_BREATHING, LungSlidingMotion, type BreathingOptions } from './motion.js';

export interface FoundationSceneOptions {
  /** Imaging depth below the apex the scene must fill. */
  depthM: number;
  seed: number;
  /** Depth of the pleural line below the skin at the array centre. Default 25 mm convex, 15 mm linear. */
  pleuraDepthM?: number;
  /**
   * Soft-tissue (chest wall) scatterers (default 3000). With the lung texture this sets the
   * simulation cost, ~9 µs per scatterer for 3 transmits × 128 elements: see docs/simulator.md
   * (performance) before raising it. The density follows from the region: ~1/mm² under the
   * C5-2v, ~4/mm² under the L11-5v.
   */
  chestWallScatterers?: number;
  /** Sub-pleural texture scatterers (default 1000). */
  lungTextureScatterers?: number;
  /** RMS amplitude of the lung texture relative to tissue, dB (default -6). */
  lungTextureLevelDb?: number;
  /** Amplitude of each pleural-line scatterer relative to the tissue RMS (default 2.5). */
  pleuraAmplitude?: number;
  /** Amplitude of the point targets (default 12). */
  pointAmplitude?: number;
  /** Lung sliding amplitude (default 1.5 mm peak). */
  slidingAmplitudeM?: number;
  /** Axial breathing amplitude at the pleura (default 0.4 mm peak). */
  axialAmplitudeM?: number;
  breathing?: BreathingOptions;
}

export const FOUNDATION_SCENE_DEFAULTS = {
  chestWallScatterers: 3000,
  lungTextureScatterers: 1000,
  lungTextureLevelDb: -6,
  pleuraAmplitude: 2.5,
  pointAmplitude: 12,
  slidingAmplitudeM: 1.5e-3,
  axialAmplitudeM: 0.4e-3,
} as const;

const SOUND_SPEED_MPS = 1540;

export function foundationLungScene(probe: TransducerGeometry, options: FoundationSceneOptions): LayeredScene {
  const o = { ...FOUNDATION_SCENE_DEFAULTS, ...options };
  const breathing = options.breathing ?? DEFAULT_BREATHING;
  const pleuraDepthM = options.pleuraDepthM ?? (probe.kind === 'convex' ? 25e-3 : 15e-3);
  const rng = new SeededRandom(options.seed);
  const region = imagingRegion(probe, o.depthM, { lateralM: o.slidingAmplitudeM + 2e-3, deepM: 2e-3 });
  const skinZM = region.apexZM;
  const pleuraZM = skinZM + pleuraDepthM;
  const pleuraHalfThicknessM = 0.2e-3;

  const chestWallMotion = new ChestWallMotion(skinZM, pleuraZM, o.axialAmplitudeM, breathing);
  const lungMotion = new LungSlidingMotion(o.slidingAmplitudeM, o.axialAmplitudeM, breathing);

  /** `count` scatterers uniform over the part of the region where keep(z), normal amplitudes. */
  const speckle = (count: number, rms: number, keep: (zM: number) => boolean): ScattererSet => {
    const set = allocateScatterers(count);
    const p = { xM: 0, zM: 0 };
    let n = 0;
    for (let attempt = 0; n < count && attempt < 1000 * count; attempt++) {
      region.sample(rng, p);
      if (!keep(p.zM)) continue;
      set.x[n] = p.xM;
      set.z[n] = p.zM;
      set.amplitude[n] = rms * rng.gaussian();
      n++;
    }
    if (n < count) throw new RangeError(`foundation scene: no room for ${count} scatterers (pleura at ${pleuraDepthM} m, depth ${o.depthM} m)`);
    return set;
  };

  const chestWall = speckle(o.chestWallScatterers, 1, (z) => z < pleuraZM - pleuraHalfThicknessM);
  const lungTexture = speckle(o.lungTextureScatterers, 10 ** (o.lungTextureLevelDb / 20), (z) => z > pleuraZM + pleuraHalfThicknessM);

  // Specular line: scatterers a third of a wavelength apart reflect coherently, like a mirror
  // (pulse-echo grating lobes need a spacing above λ/2); a ±25 % amplitude roughness and a
  // little depth jitter (≪ λ) make sliding visible as shimmer.
  const wavelengthM = SOUND_SPEED_MPS / probe.centerFrequencyHz;
  const spacingM = wavelengthM / 3;
  const halfWidthM = region.halfWidthAtM(pleuraZM);
  const lineCount = Math.floor((2 * halfWidthM) / spacingM) + 1;
  const pleura = allocateScatterers(lineCount);
  for (let i = 0; i < lineCount; i++) {
    pleura.x[i] = -halfWidthM + i * spacingM;
    pleura.z[i] = pleuraZM + 0.02e-3 * rng.gaussian();
    pleura.amplitude[i] = o.pleuraAmplitude * (1 + 0.25 * (2 * rng.uniform() - 1));
  }

  const points = (list: Array<[number, number]>): ScattererSet => {
    const set = allocateScatterers(list.length);
    list.forEach(([x, depth], i) => {
      set.x[i] = x;
      set.z[i] = skinZM + depth;
      set.amplitude[i] = o.pointAmplitude;
    });
    return set;
  };
  const wallPoints = points([[-0.25 * pleuraDepthM, 0.5 * pleuraDepthM], [0.3 * pleuraDepthM, 0.7 * pleuraDepthM]]);
  const lungDepths = [0.35, 0.6, 0.85].map((f) => pleuraDepthM + f * (o.depthM - pleuraDepthM));
  const lungPoints = points([[-0.2 * lungDepths[0]!, lungDepths[0]!], [0, lungDepths[1]!], [0.15 * lungDepths[2]!, lungDepths[2]!]]);

  return new LayeredScene([
    new MovingScatterers('chest-wall', chestWall, chestWallMotion),
    new MovingScatterers('pleura', pleura, lungMotion),
    new MovingScatterers('lung-texture', lungTexture, lungMotion),
    new MovingScatterers('chest-wall-points', wallPoints, chestWallMotion),
    new MovingScatterers('lung-points', lungPoints, lungMotion),
  ]);
}
