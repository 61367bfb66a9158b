/**
 * Measures the lung findings on the real development clips and images
 * (../shared/datasets/lus-dev: evaluation only, never training, never copied): each file through
 * `pleura analyze`'s own path (openReplay → analyzeReplay → the AnalyzeResult it prints), then
 * real-evaluate.ts against labels.csv, grouped by patient_group. Run from the repository root
 * after `npm run build`:
 *
 *   node dist/scripts/evaluate/real.js [--data ../shared/datasets/lus-dev] [--method model|classical] [--ignore-quality]
 *        [--model MANIFEST] [--limit N] [--every N] [--kind clip|image] [--json OUT.json]
 *        [--predictions ANALYZE.jsonl] [--resamples N] [--seed N]
 *
 * --predictions: evaluate the lines of an earlier `pleura analyze --json` run (or of the
 * <out>.analyze.jsonl this script writes beside its JSON) instead of analysing again. Writes the
 * evaluation (metrics and every item's labels and prediction) to --json (default
 * dist/evaluate/real-<method>.json, outside the tracked tree).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_MANIFEST, toResult } from '../../device/cli/commands/analyze.js';
import { ClassicalFindings } from '../../models/findings/classical.js';
import { FindingsEngine } from '../../models/findings/findings-engine.js';
import type { FindingsMethod, FrameAnalyzer } from '../../models/findings/frame-analyzer.js';
import { openReplay } from '../../models/replay/open-replay.js';
import { analyzeReplay } from '../../models/replay/replay-analysis.js';
import { AnalyzerUnavailableError } from './clip-analyzer.js';
import { DEFAULT_REAL_DATA, readRealLabels, RealDatasetError, type RealLabel } from './real-labels.js';
import { evaluateReal, isAnalyzeError, type AnalyzeLine, type RealEvaluation, type RealSection } from './real-evaluate.js';
import { formatTable, reportCells, TABLE_HEADER } from './report-table.js';
import type { BootstrapOptions } from './stats/bootstrap.js';

export async function openAnalyzer(method: FindingsMethod, manifest: string, log: (line: string) => void): Promise<FrameAnalyzer> {
  if (method === 'classical') return new ClassicalFindings();
  if (!fs.existsSync(manifest)) {
    throw new AnalyzerUnavailableError(`no lung-findings model at ${manifest}: train or install one, pass --model FILE.json, or evaluate the classical method with --method classical`);
  }
  return FindingsEngine.load(manifest, { executionProviders: ['tensorrt', 'cuda', 'cpu'], log });
}

/** `pleura analyze --json` on each labelled file, in-process (one analyzer for all files). */
export async function analyzeFiles(analyzer: FrameAnalyzer, dataDir: string, labels: readonly RealLabel[], every: number, log?: (line: string) => void, ignoreQuality = false): Promise<AnalyzeLine[]> {
  const out: AnalyzeLine[] = [];
  const t0 = performance.now();
  for (const [i, lab] of labels.entries()) {
    const file = path.join(dataDir, lab.file);
    try {
      const source = await openReplay(file);
      out.push(toResult(lab.file, await analyzeReplay(source, analyzer, { every, ignoreQuality }), every));
    } catch (err) {
      const e = err as Error;
      out.push({ file: lab.file, error: `${e.name}: ${e.message}` });
    }
    log?.(`${i + 1}/${labels.length} ${lab.file}${isAnalyzeError(out.at(-1)!) ? ' (error)' : ''} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  return out;
}

export function readAnalyzeLines(file: string): AnalyzeLine[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as AnalyzeLine);
}

function sectionTable(title: string, s: RealSection): string {
  const rows = [TABLE_HEADER, ...Object.entries(s.findings).map(([k, r]) => [k, ...reportCells(r)]), ['severity (0–3)', ...reportCells(s.severity)]];
  return `${title}: ${s.items} items, ${s.patients} patients; ${s.severityUnscored} with a severity label left unscored by the device\n${formatTable(rows)}`;
}

export function printRealEvaluation(e: RealEvaluation): string {
  const errors = e.perItem.filter((r) => r.error !== null);
  return [
    `method: ${e.method}; ${e.items.clips} clips + ${e.items.images} images from ${e.items.patients} patients; ${e.items.analysed} analysed, ${e.items.errors} errors${e.items.notAnalysed ? `, ${e.items.notAnalysed} labelled files without a prediction` : ''}`,
    `intervals: 95 % percentile bootstrap over patient_group (${e.bootstrap.resamples} resamples, seed ${e.bootstrap.seed}); each finding only over the items annotated for it; a label 0 may mean "not marked"`,
    '',
    sectionTable('all items', e.all),
    '',
    sectionTable('clips', e.clips),
    '',
    sectionTable('still images', e.images),
    ...errors.map((r) => `error: ${r.file}: ${r.error}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: DEFAULT_REAL_DATA },
      method: { type: 'string', default: 'model' },
      model: { type: 'string', default: DEFAULT_MODEL_MANIFEST },
      limit: { type: 'string' },
      every: { type: 'string', default: '1' },
      kind: { type: 'string' },
      json: { type: 'string' },
      predictions: { type: 'string' },
      resamples: { type: 'string' },
      seed: { type: 'string' },
      'ignore-quality': { type: 'boolean', default: false },
    },
  });
  if (values.method !== 'model' && values.method !== 'classical') throw new RealDatasetError(`--method must be model or classical, got ${values.method}`);
  if (values.kind !== undefined && values.kind !== 'clip' && values.kind !== 'image') throw new RealDatasetError(`--kind must be clip or image, got ${values.kind}`);
  const int = (name: string, v: string | undefined, min = 0): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new RealDatasetError(`--${name} ${v} is not a whole number ≥ ${min}`);
    return n;
  };
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  let labels = readRealLabels(values.data);
  if (values.kind) labels = labels.filter((l) => l.kind === values.kind);
  const limit = int('limit', values.limit, 1);
  if (limit !== undefined) labels = labels.slice(0, limit);

  let lines: AnalyzeLine[];
  let method: string = values.method;
  if (values.predictions) {
    lines = readAnalyzeLines(values.predictions);
    const first = lines.find((l) => !isAnalyzeError(l));
    if (first && !isAnalyzeError(first)) method = `${first.method} (${first.executionProvider}), from ${values.predictions}`;
  } else {
    const analyzer = await openAnalyzer(values.method as FindingsMethod, values.model, log);
    try {
      lines = await analyzeFiles(analyzer, values.data, labels, int('every', values.every, 1)!, log, values['ignore-quality']);
      method = `${analyzer.method} (${analyzer.executionProvider})${values.every !== '1' ? `, 1 frame in ${values.every} analysed` : ''}${values['ignore-quality'] ? ', view-quality gate off (diagnostic)' : ''}`;
    } finally {
      await analyzer.close();
    }
  }
  const bootstrap: BootstrapOptions = {};
  const resamples = int('resamples', values.resamples, 1);
  const seed = int('seed', values.seed);
  if (resamples !== undefined) bootstrap.resamples = resamples;
  if (seed !== undefined) bootstrap.seed = seed;
  const e = evaluateReal(labels, lines, { method, data: values.data }, bootstrap);
  process.stdout.write(`${printRealEvaluation(e)}\n`);
  const out = values.json ?? path.join('dist', 'evaluate', `real-${values.method}${values['ignore-quality'] ? '-ungated' : ''}.json`);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(e, null, 1)}\n`);
  process.stdout.write(`wrote ${out}\n`);
  if (!values.predictions) {
    // The raw analyze lines, to re-evaluate (other labels, other bootstrap) without analysing again: --predictions.
    const raw = out.replace(/\.json$/, '') + '.analyze.jsonl';
    fs.writeFileSync(raw, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    process.stdout.write(`wrote ${raw}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    const known = err instanceof RealDatasetError || err instanceof AnalyzerUnavailableError;
    process.stderr.write(`${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
    process.exit(known ? 2 : 1);
  });
}
