/**
 * Measures the lung findings on simulated data (`pleura sim export` folders with --png): every
 * frame through the device's analyzer (the trained model or the classical method), clips through
 * the ClipAggregator, compared with the simulator's truth (sim-truth.ts) by sim-evaluate.ts.
 * Run from the repository root after `npm run build`:
 *
 *   node dist/scripts/evaluate/sim.js --data DIR... [--method model|classical] [--model MANIFEST]
 *                                     [--limit N] [--json OUT.json] [--resamples N] [--seed N]
 *
 * DIR: one export, or a folder of exports (e.g. ~/.cache/pleura/train/test and …/temporal from
 * scripts/train/build-dataset.js). Prints a table and writes the whole evaluation (metrics with
 * counts and intervals, per-clip truth and predictions, frames in error) as JSON to --json
 * (default dist/evaluate/sim-<method>.json, outside the tracked tree).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AnalyzerUnavailableError, DEFAULT_MODEL_MANIFEST, openClipAnalyzer, type ClipAnalyzer, type FindingsMethod } from './clip-analyzer.js';
import { reportTable } from './report-table.js';
import { findExportDirs, readSimExport, readSimFrame, SimDatasetError, type SimClip } from './sim-dataset.js';
import { evaluateSim, type SimEvaluation, type SimEvaluationInput } from './sim-evaluate.js';
import type { BootstrapOptions } from './stats/bootstrap.js';

export interface SimRunOptions {
  data: string[];
  limit?: number;
  bootstrap?: BootstrapOptions;
  log?: (line: string) => void;
}

/** Reads the exports, runs every clip through the analyzer, evaluates. */
export async function runSimEvaluation(analyzer: ClipAnalyzer, opts: SimRunOptions): Promise<SimEvaluation> {
  const dirs = findExportDirs(opts.data);
  let clips: SimClip[] = dirs.flatMap(readSimExport);
  if (opts.limit !== undefined) clips = clips.slice(0, opts.limit);
  const input: SimEvaluationInput[] = [];
  const t0 = performance.now();
  for (const [i, clip] of clips.entries()) {
    const frames = clip.frames.map((f) => ({ img: readSimFrame(f), seq: f.seq, timeMs: f.timeMs, mmPerPixel: clip.mmPerPixel }));
    input.push({ clip, analyzed: await analyzer.analyzeClip(frames) });
    if (opts.log && (i % 10 === 9 || i === clips.length - 1)) opts.log(`${i + 1}/${clips.length} clips (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  return evaluateSim(input, { method: analyzer.method, data: opts.data }, opts.bootstrap);
}

export function printSimEvaluation(e: SimEvaluation): string {
  const lines = [
    `method: ${e.method}; ${e.clips} clips (= patients), ${e.frames} frames; infer p50 ${e.inferMs.p50 ?? '–'} ms, p99 ${e.inferMs.p99 ?? '–'} ms`,
    `intervals: 95 % percentile bootstrap over patients (${e.bootstrap.resamples} resamples, seed ${e.bootstrap.seed}); sensitivity/specificity: estimate x/n [bootstrap] W[Wilson]`,
    '',
    reportTable('per frame (findings on truth-usable frames):', e.frame),
    '',
    reportTable('per clip:', e.clip),
    `sliding: ${e.slidingUndetermined.clips} of ${e.slidingUndetermined.of} temporal clips left out (state 'unknown')`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      data: { type: 'string', multiple: true },
      method: { type: 'string', default: 'model' },
      model: { type: 'string', default: DEFAULT_MODEL_MANIFEST },
      limit: { type: 'string' },
      json: { type: 'string' },
      resamples: { type: 'string' },
      seed: { type: 'string' },
    },
    allowPositionals: true,
  });
  // `--data A B C`: the folders after the first arrive as positionals.
  const data = [...(values.data ?? []), ...positionals];
  if (!data.length) throw new SimDatasetError('give --data DIR (a pleura sim export with --png, or a folder of them), e.g. --data ~/.cache/pleura/train/test --data ~/.cache/pleura/train/temporal');
  if (values.method !== 'model' && values.method !== 'classical') throw new SimDatasetError(`--method must be model or classical, got ${values.method}`);
  const int = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new SimDatasetError(`--${name} ${v} is not a non-negative integer`);
    return n;
  };
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const analyzer = await openClipAnalyzer(values.method as FindingsMethod, values.model, log);
  try {
    const bootstrap: BootstrapOptions = {};
    const resamples = int('resamples', values.resamples);
    const seed = int('seed', values.seed);
    if (resamples !== undefined) bootstrap.resamples = resamples;
    if (seed !== undefined) bootstrap.seed = seed;
    const limit = int('limit', values.limit);
    const e = await runSimEvaluation(analyzer, { data, bootstrap, log, ...(limit !== undefined ? { limit } : {}) });
    process.stdout.write(`${printSimEvaluation(e)}\n`);
    const out = values.json ?? path.join('dist', 'evaluate', `sim-${values.method}.json`);
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(e, null, 1)}\n`);
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await analyzer.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    const known = err instanceof SimDatasetError || err instanceof AnalyzerUnavailableError;
    process.stderr.write(`${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
    process.exit(known ? 2 : 1);
  });
}
