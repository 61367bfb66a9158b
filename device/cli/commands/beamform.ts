/**
 * `pleura beamform DATASET_DIR --out PREFIX [--transmits all|center] [--threads N]
 *  [--interpolation exact|upsampled] [--json]`
 *
 * Beamforms a reference RF dataset (../shared/datasets/rf/README.md) on the grid of its
 * das.json with the reference method (I/Q + phase rotation, linear interpolation, boxcar
 * aperture F = 1.5, coherent compounding) and writes the linear envelope as PREFIX.f32
 * (float32 LE, the reference's array order) and its description as PREFIX.json.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FastBeamformer } from '../../../pipeline/beamform/fast-beamformer.js';
import { DatasetError, loadReferenceDataset } from '../../../pipeline/beamform/reference-dataset.js';
import type { KernelInterpolation } from '../../../pipeline/beamform/wasm/das-kernel.js';
import type { CliValues } from '../config-from-flags.js';

const USAGE = 'usage: pleura beamform DATASET_DIR --out PREFIX [--transmits all|center] [--threads N] [--interpolation exact|upsampled] [--json]\n';

export interface BeamformResult {
  envelopeFile: string;
  descriptionFile: string;
  rows: number;
  cols: number;
  transmitIndices: number[];
  planMs: number;
  beamformMs: number;
}

export async function beamform({ positionals, values }: { positionals: string[]; values: CliValues }): Promise<number> {
  const dir = positionals[0];
  const out = values.out;
  if (!dir || typeof out !== 'string' || !out) {
    process.stderr.write(USAGE);
    return 2;
  }
  const transmits = (values.transmits as string | undefined) ?? 'all';
  if (transmits !== 'all' && transmits !== 'center') {
    process.stderr.write(`pleura beamform: --transmits must be all or center, got "${transmits}"\n`);
    return 2;
  }
  const interpolation = (values.interpolation as string | undefined) ?? 'exact';
  if (interpolation !== 'exact' && interpolation !== 'upsampled') {
    process.stderr.write(`pleura beamform: --interpolation must be exact or upsampled, got "${interpolation}"\n`);
    return 2;
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    process.stderr.write(`pleura beamform: --threads must be a whole number >= 1, got "${String(values.threads)}"\n`);
    return 2;
  }
  try {
    const result = await beamformDataset(dir, out, { transmits, interpolation, ...(threads ? { threads } : {}) });
    if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
    else process.stdout.write(`wrote ${result.envelopeFile} (${result.rows}×${result.cols}, transmits ${result.transmitIndices.join(',')}) and ${result.descriptionFile} in ${result.beamformMs.toFixed(0)} ms (+${result.planMs.toFixed(0)} ms plan)\n`);
    return 0;
  } catch (err) {
    if (err instanceof DatasetError) {
      process.stderr.write(`pleura beamform: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** The work of the command, callable from tests and scripts. */
export async function beamformDataset(
  dir: string,
  prefix: string,
  options: { transmits: 'all' | 'center'; interpolation?: KernelInterpolation; threads?: number },
): Promise<BeamformResult> {
  const ds = loadReferenceDataset(dir);
  const transmitIndices = options.transmits === 'center' ? [ds.centralTransmit] : Array.from({ length: ds.frame.transmitCount }, (_, t) => t);
  const interpolation = options.interpolation ?? 'exact';
  const bf = new FastBeamformer(ds.probe, ds.grid, { fNumber: 1.5, window: 'boxcar', interpolation, ...(options.threads ? { threads: options.threads } : {}) });
  try {
    const t0 = performance.now();
    bf.planFor(ds.frame);
    const t1 = performance.now();
    const image = bf.beamform(ds.frame, { transmitIndices });
    const t2 = performance.now();
    const envelopeFile = `${prefix}.f32`;
    const descriptionFile = `${prefix}.json`;
    fs.mkdirSync(path.dirname(path.resolve(envelopeFile)), { recursive: true });
    const bytes = Buffer.from(image.envelope.buffer, image.envelope.byteOffset, image.envelope.byteLength);
    fs.writeFileSync(envelopeFile, bytes);
    const g = ds.das.grid;
    const description = {
      format_version: 1,
      description: `Pleura delay-and-sum envelope of ${ds.name}`,
      dataset: path.resolve(dir),
      file: path.basename(envelopeFile),
      dtype: 'float32',
      endianness: 'little',
      shape: [image.rowCount, image.colCount],
      dimension_order: g.type === 'polar' ? ['r', 'theta'] : ['z', 'x'],
      bytes: bytes.byteLength,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      grid: g,
      transmits: options.transmits,
      transmit_indices: transmitIndices,
      method: {
        implementation: 'Pleura FastBeamformer (WebAssembly SIMD, float32)',
        demodulation: 'IQ = 2*filtfilt(butter(5, Wn=min(2fc/fs,0.5)), RF*exp(-2j*pi*fc*t))',
        interpolation: interpolation === 'exact' ? 'linear on IQ samples, phase rotation exp(+2j*pi*fc*tau), weights tabulated at 1/1024 sample' : 'reference interpolation at half samples, linear in between',
        receive_aperture: 'f-number 1.5, boxcar (reference rule)',
        compounding: 'coherent sum over the listed transmits; envelope = magnitude',
        tgc: 'none',
        log_compression: 'none',
      },
      timing_ms: { plan: Math.round(t1 - t0), beamform: Math.round(t2 - t1), threads: bf.options.threads },
    };
    fs.writeFileSync(descriptionFile, JSON.stringify(description, null, 1) + '\n');
    return { envelopeFile, descriptionFile, rows: image.rowCount, cols: image.colCount, transmitIndices, planMs: t1 - t0, beamformMs: t2 - t1 };
  } finally {
    await bf.close();
  }
}
