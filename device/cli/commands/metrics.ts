/**
 * `pleura metrics DATASET_DIR [--envelope FILE.f32] [--transmits all|center] [--enhance LIST] [--json]`
 *
 * Image-quality metrics (point FWHM, PICMUS CNR on the dB image, contrast, gCNR, speckle SNR;
 * pipeline/metrics/) of a reference dataset's image, next to the values its das.json stores.
 * The image is FILE.f32 (e.g. written by `pleura beamform`, or a das_envelope_*.f32) when given,
 * otherwise the dataset beamformed here with the reference method. `--enhance` applies
 * enhancement steps first (pipeline/enhance/enhancement.ts; e.g. `cf,srad`).
 */
import { FastBeamformer } from '../../../pipeline/beamform/fast-beamformer.js';
import { DatasetError, loadReferenceDataset, readFloat32File, type ReferenceDataset } from '../../../pipeline/beamform/reference-dataset.js';
import { compareMetrics, datasetMetrics } from '../../../pipeline/metrics/dataset-metrics.js';
import { applyEnhancements, parseEnhancementList, EnhancementListError } from '../../../pipeline/enhance/enhancement.js';
import type { CliValues } from '../config-from-flags.js';

const USAGE = 'usage: pleura metrics DATASET_DIR [--envelope FILE.f32] [--transmits all|center] [--enhance LIST] [--json]\n';

export async function metrics({ positionals, values }: { positionals: string[]; values: CliValues }): Promise<number> {
  const dir = positionals[0];
  if (!dir) {
    process.stderr.write(USAGE);
    return 2;
  }
  const transmits = (values.transmits as string | undefined) ?? 'all';
  if (transmits !== 'all' && transmits !== 'center') {
    process.stderr.write(`pleura metrics: --transmits must be all or center, got "${transmits}"\n`);
    return 2;
  }
  try {
    const steps = parseEnhancementList((values.enhance as string | undefined) ?? '');
    const ds = loadReferenceDataset(dir);
    const transmitIndices = transmits === 'center' ? [ds.centralTransmit] : Array.from({ length: ds.frame.transmitCount }, (_, t) => t);
    const envelopeFile = values.envelope as string | undefined;
    let envelope: Float32Array;
    let energy: Float32Array | null = null;
    if (envelopeFile) {
      envelope = readFloat32File(envelopeFile, ds.grid.rowCount * ds.grid.colCount);
    } else {
      ({ envelope, energy } = await beamformForMetrics(ds, transmitIndices, steps.some((s) => s.needsEnergy)));
    }
    const enhanced = applyEnhancements(steps, { envelope, energy, grid: ds.grid, centerFrequencyHz: ds.frame.centerFrequencyHz });
    const ours = datasetMetrics(ds, enhanced, { patches: !envelopeFile && !steps.length, transmitIndices });
    const reference = ds.das.metrics[transmits === 'center' ? 'single' : 'compound'];
    const comparison = compareMetrics(ours, reference).sort((a, b) => b.relative - a.relative);
    const result = {
      dataset: ds.name,
      transmits,
      image: envelopeFile ?? 'beamformed here (reference method)',
      enhancements: steps.map((s) => s.name),
      metrics: ours,
      reference,
      agreement: { compared: comparison.length, worstRelative: comparison[0]?.relative ?? 0, rows: comparison },
    };
    if (values.json) {
      process.stdout.write(JSON.stringify(result, null, 1) + '\n');
    } else {
      process.stdout.write(`${ds.name} (${transmits}), image: ${result.image}${steps.length ? `, enhanced: ${result.enhancements.join(', ')}` : ''}\n`);
      for (const row of comparison) {
        process.stdout.write(`  ${row.metric.padEnd(60)} ${row.ours.toFixed(4).padStart(10)}  reference ${row.reference.toFixed(4).padStart(10)}  (${(100 * row.relative).toFixed(2)} %)\n`);
      }
      for (const c of [...(ours.cysts ?? []), ...(ours.inclusions ?? [])]) process.stdout.write(`  gCNR (${c.cyst.x_mm}, ${c.cyst.z_mm}) ${c.gcnr.toFixed(3)}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof DatasetError || err instanceof EnhancementListError) {
      process.stderr.write(`pleura metrics: ${err.message}\n`);
      return err instanceof EnhancementListError ? 2 : 1;
    }
    throw err;
  }
}

async function beamformForMetrics(ds: ReferenceDataset, transmitIndices: number[], withEnergy: boolean): Promise<{ envelope: Float32Array; energy: Float32Array | null }> {
  const bf = new FastBeamformer(ds.probe, ds.grid, { fNumber: 1.5, window: 'boxcar' });
  try {
    const energy = withEnergy ? new Float32Array(ds.grid.rowCount * ds.grid.colCount) : null;
    const image = bf.beamform(ds.frame, energy ? { transmitIndices, coherence: energy } : { transmitIndices });
    return { envelope: image.envelope, energy };
  } finally {
    await bf.close();
  }
}
