/**
 * A model's golden output: what it must answer to a fixed, synthetic input, recorded when the
 * model was made (`<model>.golden.json` beside the manifest, written by
 * `node dist/scripts/train/write-golden.js`). A release on trial checks it (device self-test,
 * docs/updates.md): the right file, loaded by this runtime on this machine's execution
 * provider, still computes what it computed when it was released.
 *
 * The input is computed, not stored: a grey ramp with a bright horizontal band and three
 * vertical stripes below it (something like a pleural line with B-lines), for every float32
 * input; so the golden file stays a few kB.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { LoadedModel, type Feeds } from './loaded-model.js';
import type { SessionOptions } from './execution-providers.js';

export interface GoldenOutput {
  kind: 'pleura-golden-output';
  version: 1;
  model: { name: string; version: string; sha256: string };
  input: 'synthetic-v1';
  /** Largest absolute difference allowed per value (execution providers differ in rounding). */
  tolerance: number;
  outputs: Record<string, { dims: number[]; values: number[] }>;
}

/** The golden file's path for a manifest: `x.json` → `x.golden.json`. */
export function goldenPath(manifestPath: string): string {
  return path.join(path.dirname(manifestPath), `${path.basename(manifestPath, '.json')}.golden.json`);
}

/** The synthetic input for every input of the model (float32 only; others are zero). */
export function syntheticFeeds(model: LoadedModel): Feeds {
  const feeds = model.zeroFeeds();
  for (const input of model.manifest.inputs) {
    if (input.dtype !== 'float32') continue;
    const t = feeds[input.name]!;
    const dims = t.dims as number[];
    const w = dims[dims.length - 1] ?? 1;
    const h = dims[dims.length - 2] ?? 1;
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++) {
      const x = i % w;
      const y = Math.floor(i / w) % h;
      const band = Math.abs(y - Math.round(h * 0.25)) <= 1 ? 0.9 : 0;
      const stripe = y > h * 0.25 && [0.35, 0.5, 0.65].some((c) => Math.abs(x - c * w) <= 1) ? 0.7 : 0;
      data[i] = Math.min(1, 0.15 + 0.2 * (y / h) + band + stripe);
    }
  }
  return feeds;
}

async function outputsOf(model: LoadedModel): Promise<GoldenOutput['outputs']> {
  const out = await model.run(syntheticFeeds(model));
  const result: GoldenOutput['outputs'] = {};
  for (const o of model.manifest.outputs) {
    const t = out[o.name] as ort.Tensor;
    result[o.name] = { dims: [...t.dims], values: Array.from(t.data as Float32Array, (v) => Math.round(v * 1e6) / 1e6) };
  }
  return result;
}

/** Runs the model on the synthetic input and writes its golden file. */
export async function writeGolden(manifestPath: string, opts: SessionOptions, tolerance = 1e-3): Promise<string> {
  const model = await LoadedModel.load(manifestPath, { ...opts, warmupRuns: 0 });
  try {
    const golden: GoldenOutput = {
      kind: 'pleura-golden-output',
      version: 1,
      model: { name: model.manifest.name, version: model.manifest.version, sha256: model.manifest.sha256 },
      input: 'synthetic-v1',
      tolerance,
      outputs: await outputsOf(model),
    };
    const file = goldenPath(manifestPath);
    fs.writeFileSync(file, JSON.stringify(golden) + '\n');
    return file;
  } finally {
    await model.release();
  }
}

export interface GoldenCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Loads the model (its SHA-256 checked) and compares its answer to the golden file. Never
 * throws: a missing, refused or different model is a failed check with the reason.
 */
export async function checkGolden(manifestPath: string, opts: SessionOptions): Promise<GoldenCheck> {
  let name = path.basename(manifestPath, '.json');
  let model: LoadedModel | null = null;
  try {
    const file = goldenPath(manifestPath);
    if (!fs.existsSync(file)) return { name: `model ${name}`, ok: false, detail: `no golden output (${file}): the model cannot be checked` };
    const golden = JSON.parse(fs.readFileSync(file, 'utf8')) as GoldenOutput;
    model = await LoadedModel.load(manifestPath, { ...opts, warmupRuns: 0 });
    name = model.manifest.name;
    if (golden.model.sha256 !== model.manifest.sha256) return { name: `model ${name}`, ok: false, detail: `the golden output is for another file (${golden.model.version}, sha256 ${golden.model.sha256.slice(0, 12)}…)` };
    const got = await outputsOf(model);
    let worst = 0;
    let where = '';
    for (const [output, expected] of Object.entries(golden.outputs)) {
      const values = got[output]?.values;
      if (!values || values.length !== expected.values.length) return { name: `model ${name}`, ok: false, detail: `output ${output} has ${values?.length ?? 0} values, the golden output ${expected.values.length}` };
      for (let i = 0; i < values.length; i++) {
        const d = Math.abs(values[i]! - expected.values[i]!);
        if (!(d <= worst)) {
          worst = d;
          where = `${output}[${i}]`;
        }
      }
    }
    const ok = worst <= golden.tolerance;
    return { name: `model ${name}`, ok, detail: ok ? `${model.manifest.version} on ${model.provider}: golden output within ${golden.tolerance} (largest difference ${worst.toExponential(1)})` : `${model.manifest.version} on ${model.provider}: differs from its golden output by ${worst} at ${where} (allowed ${golden.tolerance})` };
  } catch (err) {
    return { name: `model ${name}`, ok: false, detail: (err as Error).message };
  } finally {
    await model?.release();
  }
}
