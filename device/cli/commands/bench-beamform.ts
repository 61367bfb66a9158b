/**
 * `pleura bench beamform [--json] [--dataset DIR] [--frames N] [--threads N]
 *  [--interpolation exact|upsampled|both]`: the beamformer alone, frames per second on the
 * display and reference grids, one thread and all cores (pipeline/beamform/bench-beamform.ts).
 * The dataset defaults to convex_dw_lung in ../shared/datasets/rf (PLEURA_RF_DATASETS overrides).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBeamform } from '../../../pipeline/beamform/bench-beamform.js';
import { DatasetError } from '../../../pipeline/beamform/reference-dataset.js';
import type { KernelInterpolation } from '../../../pipeline/beamform/wasm/das-kernel.js';
import type { CliValues } from '../config-from-flags.js';

/** ../shared/datasets/rf beside the repository (this file is dist/device/cli/commands/). */
export function defaultDatasetsDir(): string {
  return process.env.PLEURA_RF_DATASETS ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/datasets/rf');
}

export async function benchBeamformCommand(values: CliValues): Promise<number> {
  const dataset = (values.dataset as string | undefined) ?? path.join(defaultDatasetsDir(), 'convex_dw_lung');
  const frames = Number(values.frames ?? 40);
  const threads = values.threads === undefined ? undefined : [Number(values.threads)];
  const interp = (values.interpolation as string | undefined) ?? 'both';
  if (!['exact', 'upsampled', 'both'].includes(interp)) {
    process.stderr.write(`pleura bench beamform: --interpolation must be exact, upsampled or both, got "${interp}"\n`);
    return 2;
  }
  if (!(frames >= 1) || (threads && !(threads[0]! >= 1))) {
    process.stderr.write('pleura bench beamform: --frames and --threads must be numbers >= 1\n');
    return 2;
  }
  const interpolations: KernelInterpolation[] = interp === 'both' ? ['exact', 'upsampled'] : [interp as KernelInterpolation];
  try {
    const result = await benchBeamform({
      datasetDir: dataset,
      frames,
      interpolations,
      includeJs: values.threads === undefined,
      ...(threads ? { threads } : {}),
      onProgress: (line) => {
        if (!values.json) process.stderr.write(line + '\n');
      },
    });
    if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else for (const c of result.cases) process.stdout.write(`${c.grid.padEnd(22)} ${c.implementation.padEnd(30)} ${String(c.threads).padStart(2)} thr  ${String(c.msPerFrame.p50).padStart(8)} ms  ${String(c.framesPerSecond).padStart(7)} fps${c.speedupVsReference ? `  ${c.speedupVsReference}× PyMUST` : ''}\n`);
    return 0;
  } catch (err) {
    if (err instanceof DatasetError) {
      process.stderr.write(`pleura bench beamform: ${err.message} (--dataset DIR, or PLEURA_RF_DATASETS)\n`);
      return 1;
    }
    throw err;
  }
}
