/**
 * `pleura analyze FILE... [--json] [--every N] [--method model|classical] [--model MANIFEST]`:
 * recorded clips and stills (mp4/avi/gif/PNG/JPEG via FFmpeg, uncompressed DICOM) through the
 * same findings engine as live frames; one result per file (one JSON line each with --json), a
 * file that fails gives an object with "error" and the others go on. docs/models/analyze.md.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ClassicalFindings } from '../../../models/findings/classical.js';
import { FindingsEngine } from '../../../models/findings/findings-engine.js';
import type { FindingsMethod, FrameAnalyzer } from '../../../models/findings/frame-analyzer.js';
import { openReplay } from '../../../models/replay/open-replay.js';
import { analyzeReplay, type ReplayAnalysis } from '../../../models/replay/replay-analysis.js';

const USAGE = 'usage: pleura analyze FILE... [--json] [--every N] [--method model|classical] [--model MANIFEST.json]\n';

/** The installed model bundle (models/lung-findings/ beside dist/). */
export const DEFAULT_MODEL_MANIFEST = fileURLToPath(new URL('../../../../models/lung-findings/lung-findings.json', import.meta.url));

export interface AnalyzeResult {
  file: string;
  kind: string;
  format: string;
  width: number;
  height: number;
  fps: number | null;
  frames: { decoded: number; analysed: number; usable: number; every: number };
  method: FindingsMethod;
  executionProvider: string;
  mmPerPixel: number | null;
  region: ReplayAnalysis['region'];
  quality: ReplayAnalysis['clip']['quality'];
  pleura: ReplayAnalysis['clip']['pleura'];
  aLines: ReplayAnalysis['clip']['aLines'];
  bLines: ReplayAnalysis['clip']['bLines'];
  consolidation: ReplayAnalysis['clip']['consolidation'];
  effusion: ReplayAnalysis['clip']['effusion'];
  sliding: ReplayAnalysis['clip']['sliding'];
  score: ReplayAnalysis['clip']['score'];
  supportingFrames: Record<string, number[]>;
  timing: ReplayAnalysis['timing'] & { inferMsP50: number | null; inferMsP99: number | null };
  warnings: string[];
}

export function toResult(file: string, a: ReplayAnalysis, every: number): AnalyzeResult {
  const c = a.clip;
  return {
    file,
    kind: a.info.kind,
    format: a.info.format,
    width: a.info.width,
    height: a.info.height,
    fps: a.info.fps === null ? null : Math.round(a.info.fps * 1000) / 1000,
    frames: { decoded: a.framesDecoded, analysed: a.framesAnalysed, usable: c.usableFrames, every },
    method: a.stats.method,
    executionProvider: a.stats.executionProvider,
    mmPerPixel: a.info.mmPerPixel,
    region: a.region,
    quality: c.quality,
    pleura: c.pleura,
    aLines: c.aLines,
    bLines: c.bLines,
    consolidation: c.consolidation,
    effusion: c.effusion,
    sliding: c.sliding,
    score: c.score,
    supportingFrames: c.supportingFrames,
    timing: { ...a.timing, inferMsP50: a.stats.inferMsP50, inferMsP99: a.stats.inferMsP99 },
    warnings: a.warnings,
  };
}

function describe(r: AnalyzeResult): string {
  const flag = (name: string, f: { present: boolean; p: number }) => `${name} ${f.present ? 'yes' : 'no'} (${f.p})`;
  return [
    `${r.file}: ${r.kind}, ${r.width}×${r.height}${r.fps ? ` @ ${r.fps} fps` : ''}, ${r.frames.analysed} of ${r.frames.decoded} frames analysed, ${r.frames.usable} usable (${r.method} on ${r.executionProvider})`,
    `  LUS score: ${r.score.score ?? '—'} — ${r.score.rule}`,
    `  ${flag('pleura visible', r.pleura.visible)}, ${flag('irregular', r.pleura.irregular)}, ${flag('A-lines', r.aLines)}`,
    `  ${flag('B-lines', r.bLines)}: count ${r.bLines.count}${r.bLines.frameSeq !== null ? ` (frame ${r.bLines.frameSeq})` : ''}, ${flag('confluent', r.bLines.confluent)}`,
    `  ${flag('consolidation', r.consolidation)}, ${flag('effusion', r.effusion)}, sliding ${r.sliding.state}${r.sliding.score !== null ? ` (score ${r.sliding.score})` : ''}`,
    ...r.quality.reasons.map((q) => `  quality: ${q.message}`),
    ...r.warnings.map((w) => `  warning: ${w}`),
    `  ${r.timing.totalMs} ms in all, ${r.timing.msPerAnalysedFrame ?? '—'} ms per analysed frame`,
  ].join('\n');
}

export async function analyze({ positionals, values }: { positionals: string[]; values: Record<string, string | boolean | undefined> }): Promise<number> {
  if (!positionals.length) {
    process.stderr.write(USAGE);
    return 2;
  }
  const every = values.every === undefined ? 1 : Number(values.every);
  if (!Number.isInteger(every) || every < 1) {
    process.stderr.write(`pleura analyze: --every must be a whole number ≥ 1, got ${String(values.every)}\n`);
    return 2;
  }
  const manifest = typeof values.model === 'string' ? values.model : DEFAULT_MODEL_MANIFEST;
  let method = values.method as string | undefined;
  if (method !== undefined && method !== 'model' && method !== 'classical') {
    process.stderr.write(`pleura analyze: --method must be model or classical, got ${method}\n`);
    return 2;
  }
  if (method === undefined) {
    method = fs.existsSync(manifest) ? 'model' : 'classical';
    if (method === 'classical') process.stderr.write(`pleura analyze: no model at ${manifest}; using the classical detectors (--method classical)\n`);
  }
  let analyzer: FrameAnalyzer;
  if (method === 'model') {
    if (!fs.existsSync(manifest)) {
      process.stderr.write(`pleura analyze: no model manifest at ${manifest}: install the lung-findings model bundle, pass --model FILE.json, or use --method classical\n`);
      return 2;
    }
    analyzer = await FindingsEngine.load(manifest, { executionProviders: ['tensorrt', 'cuda', 'cpu'], log: (l) => process.stderr.write(`${l}\n`) });
  } else {
    analyzer = new ClassicalFindings();
  }
  let failed = 0;
  try {
    for (const file of positionals) {
      let out: AnalyzeResult | { file: string; error: string };
      try {
        const source = await openReplay(file);
        out = toResult(file, await analyzeReplay(source, analyzer, { every }), every);
      } catch (err) {
        failed++;
        const e = err as Error;
        out = { file, error: e.name === 'ReplayError' || e.name === 'Error' ? e.message : `${e.name}: ${e.message}` };
      }
      if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
      else process.stdout.write('error' in out ? `${file}: error: ${out.error}\n` : describe(out) + '\n');
    }
  } finally {
    await analyzer.close();
  }
  return failed ? 1 : 0;
}
