/**
 * A model's manifest (`<model>.json` beside `<model>.onnx`): what it is, the exact file (SHA-256,
 * checked at load), its inputs with their preprocessing, its outputs with labels and decision
 * thresholds, and what it is and is not for. The model card in docs/models/ carries the measured
 * performance.
 */
import { z } from 'zod';

const dtype = z.enum(['float32', 'uint8', 'int64']);

export const manifestSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  file: z.string().regex(/^[A-Za-z0-9._-]+\.onnx$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  task: z.string().min(1),
  inputs: z
    .array(
      z.object({
        name: z.string().min(1),
        dtype,
        /** Dimensions; -1 for a dynamic one (batch). */
        shape: z.array(z.number().int().min(-1)).min(1),
        preprocessing: z
          .object({
            /** Resize the display image to width × height before anything else. */
            resize: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
            scale: z.number().default(1 / 255),
            mean: z.number().default(0),
            std: z.number().positive().default(1),
          })
          .prefault({}),
      }),
    )
    .min(1),
  outputs: z
    .array(
      z.object({
        name: z.string().min(1),
        labels: z.array(z.string()).default([]),
        thresholds: z.record(z.string(), z.number()).default({}),
      }),
    )
    .min(1),
  intendedUse: z.string().min(1),
  notFor: z.string().min(1),
  trainingData: z.string().min(1),
  card: z.string().optional(),
});

export type ModelManifest = z.infer<typeof manifestSchema>;

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export function parseManifest(json: unknown, source: string): ModelManifest {
  const r = manifestSchema.safeParse(json);
  if (!r.success) throw new ManifestError(`model manifest ${source} is invalid:\n${z.prettifyError(r.error)}`);
  return r.data;
}
