/**
 * What the evaluation runs: a clip's frames → per-frame findings and the clip's findings. The
 * device's own pieces do the work — a FrameAnalyzer (the model's FindingsEngine or the classical
 * detectors, models/findings/frame-analyzer.ts) frame by frame, then the ClipAggregator (with
 * the LUS score) — exactly as `pleura analyze` does for a clip: region from the mean of the
 * first frames, temporal state (sliding) reset per clip.
 *
 * @example
 *   const analyzer = await openClipAnalyzer('classical');
 *   const { frames, clip } = await analyzer.analyzeClip(inputs);
 *   await analyzer.close();
 */
import fs from 'node:fs';
import { DEFAULT_MODEL_MANIFEST } from '../../device/cli/commands/analyze.js';
import { ClassicalFindings } from '../../models/findings/classical.js';
import { ClipAggregator } from '../../models/findings/clip-aggregator.js';
import { FindingsEngine } from '../../models/findings/findings-engine.js';
import type { FindingsMethod, FrameAnalyzer } from '../../models/findings/frame-analyzer.js';
import { meanImage, NoImageRegionError, type GrayImage } from '../../models/findings/preprocess.js';
import type { ClipFindings, FrameFindings } from '../../models/findings/types.js';
import type { ProviderName } from '../../models/runtime/execution-providers.js';

export type { FindingsMethod };

export interface FrameInput {
  img: GrayImage;
  /** Frame number within the clip. */
  seq: number;
  timeMs: number;
  mmPerPixel?: number;
}

export interface AnalyzedClip {
  /** One per input frame, in order. */
  frames: FrameFindings[];
  clip: ClipFindings;
}

export interface ClipAnalyzer {
  /** Shown in reports: 'model lung-findings 0.1.0 (cpu)', 'classical', … */
  readonly method: string;
  /** Analyses one clip from its first frame (temporal state such as sliding starts afresh). */
  analyzeClip(frames: readonly FrameInput[]): Promise<AnalyzedClip>;
  close(): Promise<void>;
}

/** Frames whose mean sets a clip's ultrasound region (as RegionTracker's documentation suggests). */
export const REGION_FRAMES = 30;

/** The installed model bundle, as `pleura analyze` finds it. */
export { DEFAULT_MODEL_MANIFEST };

export class AnalyzerUnavailableError extends Error {
  override name = 'AnalyzerUnavailableError';
}

export class FrameAnalyzerClips implements ClipAnalyzer {
  constructor(
    readonly analyzer: FrameAnalyzer,
    readonly method: string,
  ) {}

  async analyzeClip(frames: readonly FrameInput[]): Promise<AnalyzedClip> {
    this.analyzer.reset();
    if (frames.length > 0) {
      try {
        const first = frames.slice(0, REGION_FRAMES).map((f) => f.img);
        this.analyzer.setRegionFrom(first.length === 1 ? first[0]! : meanImage(first));
      } catch (err) {
        // No image at all: the analyzer reports 'no-image' per frame, which is what is measured.
        if (!(err instanceof NoImageRegionError)) throw err;
      }
    }
    const aggregator = new ClipAggregator();
    const out: FrameFindings[] = [];
    for (const f of frames) {
      const findings = await this.analyzer.analyzeFrame(f.img, { seq: f.seq, timeMs: f.timeMs, mmPerPixel: f.mmPerPixel });
      aggregator.add(findings);
      out.push(findings);
    }
    return { frames: out, clip: aggregator.result() };
  }

  close(): Promise<void> {
    return this.analyzer.close();
  }
}

/** The device's analyzer for a method: the trained model (from its manifest) or the classical detectors. */
export async function openClipAnalyzer(
  method: FindingsMethod,
  modelManifest = DEFAULT_MODEL_MANIFEST,
  log?: (line: string) => void,
  providers: ProviderName[] = ['tensorrt', 'cuda', 'cpu'],
): Promise<ClipAnalyzer> {
  if (method === 'classical') return new FrameAnalyzerClips(new ClassicalFindings(), 'classical');
  if (!fs.existsSync(modelManifest)) {
    throw new AnalyzerUnavailableError(`no lung-findings model at ${modelManifest}: train one (scripts/train/) or pass --model PATH, or evaluate the classical method with --method classical`);
  }
  // Default: the same provider preference as `pleura analyze` (falls back to CPU with a log line).
  const engine = await FindingsEngine.load(modelManifest, { executionProviders: providers, ...(log ? { log } : {}) });
  const m = engine.model.manifest;
  return new FrameAnalyzerClips(engine, `model ${m.name} ${m.version} (${engine.executionProvider})`);
}
