/**
 * The lung scene format: what `pleura sim --scene FILE` reads and what the presets are written
 * in. Every field has a default, so `{}` is a normal lung with A-lines. Units are in the field
 * names. Lateral positions (`atMm`, `fromMm`, `toMm`) are millimetres along the pleura from the
 * probe centre (negative toward element 0), at the depth of the pleura; depths are millimetres
 * below the skin under the probe centre. docs/simulator.md documents every field.
 *
 * @example
 *   const spec = parseSceneSpec({ name: 'two-b-lines', bLines: [{ atMm: -6 }, { atMm: 9 }] });
 */
import { z } from 'zod';

const mm = z.number().finite();
const positiveMm = z.number().finite().positive();
const fraction = z.number().min(0).max(1);

const lateralRange = z.object({ fromMm: mm, toMm: mm }).refine((r) => r.toMm > r.fromMm, 'toMm must be greater than fromMm');

export const sceneSpecSchema = z
  .object({
    name: z.string().min(1).max(64).default('custom'),
    description: z.string().default(''),
    breathing: z
      .object({
        /** Breaths per minute (12–20 at rest). */
        ratePerMin: z.number().min(4).max(40).default(15),
        /** Peak lateral excursion of the lung under the probe (lung sliding). */
        slidingMm: z.number().min(0).max(10).default(2.5),
        /** Peak axial motion of the pleura with breathing (the chest wall squeezes linearly above it). */
        axialMm: z.number().min(0).max(5).default(0.4),
      })
      .prefault({}),
    /**
     * `present`: the lung slides (normal); `absent`: pneumothorax, nothing slides; a lung point:
     * sliding lung on the side of element 0 up to `atMm`, pneumothorax beyond, the boundary
     * swinging ±`swingMm` with breathing.
     */
    sliding: z.union([z.enum(['present', 'absent']), z.object({ lungPointAtMm: mm, swingMm: z.number().min(0).max(30).default(5) })]).default('present'),
    heart: z
      .object({
        ratePerMin: z.number().min(30).max(180).default(72),
        /** Lung pulse: axial pulsation of the lung surface with the heart beat. */
        pulseMm: z.number().min(0).max(1).default(0.08),
      })
      .prefault({}),
    /** Slow motion of the operator's hand: lateral drift and pressure. */
    hand: z.object({ lateralMm: z.number().min(0).max(5).default(0.4), axialMm: z.number().min(0).max(3).default(0.15) }).prefault({}),
    chestWall: z
      .object({
        /** Skin to pleural line under the probe centre. */
        pleuraDepthMm: z.number().min(8).max(60).default(22),
        /**
         * Speckle scatterers per mm² of tissue at 3.57 MHz (scaled by (fc/3.57 MHz)² for other
         * probes). The cost grows linearly; see docs/simulator.md.
         */
        scatterersPerMm2: z.number().min(0.2).max(50).default(3),
        /** Subcutaneous fat thickness below the 2 mm skin. */
        fatMm: z.number().min(0).max(40).default(5),
      })
      .prefault({}),
    pleura: z
      .object({
        /** Thickness of the pleural line (normal ≈ 0.5 mm; thickened > 2 mm). */
        thicknessMm: z.number().min(0.1).max(6).default(0.5),
        /** RMS depth irregularity of the line (0: smooth). */
        irregularityMm: z.number().min(0).max(3).default(0),
        /** Fraction of the line missing in short gaps (fragmented pleura). */
        fragmentation: fraction.default(0),
        /** Relative echo strength. */
        brightness: z.number().min(0).max(4).default(1),
      })
      .prefault({}),
    ribs: z
      .object({
        /** Rib centres, lateral mm at the pleura depth. [] for an intercostal view without ribs. */
        atMm: z.array(mm).max(4).default([-22, 22]),
        widthMm: positiveMm.max(25).default(13),
        heightMm: positiveMm.max(20).default(7),
        /** Depth of the top of the rib below the skin (the pleura lies a few mm deeper). */
        topDepthMm: z.number().min(2).max(55).optional(),
      })
      .prefault({}),
    reverberation: z
      .object({
        /** Amplitude reflection coefficient of the probe face/skin for echoes coming back. */
        faceReflectivity: fraction.default(0.55),
        /** Coherent amplitude reflectivity of the visceral pleura seen as a mirror (rough surface < 1). */
        mirrorReflectivity: fraction.default(0.35),
        /**
         * Strength of the diffuse reverberation (the chest wall seen again below the pleura)
         * relative to the flat-layer image-source estimate: curved faces and layers that are not
         * parallel spread it out. Set by eye against real clips.
         */
        hazeLevel: fraction.default(0.15),
        /** Largest number of round trips between face and pleura simulated. */
        maxOrder: z.number().int().min(0).max(8).default(5),
      })
      .prefault({}),
    bLines: z
      .array(
        z.object({
          atMm: mm,
          /** Width of the ring-down source at the pleura. */
          widthMm: z.number().min(0.3).max(8).default(2.5),
          /** Relative brightness (1: about as bright as the pleura). */
          intensity: z.number().min(0.05).max(3).default(1),
        }),
      )
      .max(40)
      .default([]),
    /** Regions of confluent B-lines ("white lung"). */
    confluent: z.array(lateralRange.and(z.object({ intensity: z.number().min(0.05).max(3).default(0.8) }))).max(4).default([]),
    consolidation: z
      .array(
        lateralRange.and(
          z.object({
            /** Greatest depth of the consolidation below the pleura. */
            depthMm: z.number().min(3).max(120).default(30),
            airBronchograms: z.boolean().default(true),
          }),
        ),
      )
      .max(4)
      .default([]),
    effusion: lateralRange
      .and(
        z.object({
          /** Fluid thickness at fromMm and at toMm (linear taper between). */
          thicknessMm: z.tuple([z.number().min(0).max(100), z.number().min(0).max(100)]).default([30, 12]),
          /** Compressed (atelectatic) lung below the fluid, mm thick; 0: aerated lung surface. */
          atelectasisMm: z.number().min(0).max(60).default(14),
          /** Echoes floating in the fluid (0: anechoic). */
          particles: fraction.default(0.1),
        }),
      )
      .nullable()
      .default(null),
  })
  .strict();

export type SceneSpec = z.infer<typeof sceneSpecSchema>;
export type SceneSpecInput = z.input<typeof sceneSpecSchema>;

export class SceneSpecError extends Error {
  override name = 'SceneSpecError';
}

/** Validates a scene (parsed JSON); throws SceneSpecError naming each bad field. */
export function parseSceneSpec(input: unknown, source = 'scene'): SceneSpec {
  const result = sceneSpecSchema.safeParse(input);
  if (!result.success) {
    throw new SceneSpecError(`${source} is not a valid lung scene (docs/simulator.md, "Scene format"):\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
