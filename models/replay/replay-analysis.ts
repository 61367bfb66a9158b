/**
 * One recorded file through a FrameAnalyzer (the same engine as live frames): the region from
 * the mean of the first `regionFrames` frames (stable, and not fooled by one dark frame), then
 * every `every`-th frame analysed in order (sliding needs the order), aggregated per clip.
 * Only the first `regionFrames` frames are ever held at once.
 */
import { ClipAggregator } from '../findings/clip-aggregator.js';
import type { AnalyzerStats, FrameAnalyzer } from '../findings/frame-analyzer.js';
import { meanImage, type GrayImage } from '../findings/preprocess.js';
import type { ClipFindings, FrameFindings } from '../findings/types.js';
import type { ReplayFrame, ReplayInfo, ReplaySource } from './replay-source.js';

export interface ReplayOptions {
  /** Analyse every N-th frame (default 1). */
  every: number;
  /** Frames whose mean image gives the region (default 30). */
  regionFrames: number;
  /** Called with each frame's findings (e.g. to print per-frame lines). */
  onFrame?: (f: FrameFindings) => void;
  /** Count every frame as usable (diagnostics; see AggregateOptions.ignoreQuality). */
  ignoreQuality?: boolean;
}

export interface ReplayAnalysis {
  info: ReplayInfo;
  framesDecoded: number;
  framesAnalysed: number;
  /** The region found on the mean image, or null (no ultrasound image found). */
  region: { x0: number; y0: number; x1: number; y1: number } | null;
  clip: ClipFindings;
  stats: AnalyzerStats;
  timing: { totalMs: number; analysisMs: number; msPerAnalysedFrame: number | null };
  warnings: string[];
}

export async function analyzeReplay(source: ReplaySource & { warnings?: string[] }, analyzer: FrameAnalyzer, options: Partial<ReplayOptions> = {}): Promise<ReplayAnalysis> {
  const every = Math.max(1, Math.floor(options.every ?? 1));
  const regionFrames = Math.max(1, options.regionFrames ?? 30);
  const t0 = performance.now();
  analyzer.reset();
  const aggregator = new ClipAggregator({ ignoreQuality: options.ignoreQuality ?? false });
  const warnings: string[] = [];
  let region: ReplayAnalysis['region'] = null;
  let decoded = 0;
  let analysed = 0;
  let analysisMs = 0;
  const { mmPerPixel, topDepthMm } = source.info;

  const analyse = async (f: ReplayFrame): Promise<void> => {
    if (f.index % every !== 0) return;
    const a = performance.now();
    const findings = await analyzer.analyzeFrame(f.image, { seq: f.index, timeMs: f.timeMs, mmPerPixel: mmPerPixel ?? undefined, topDepthMm: topDepthMm ?? undefined });
    analysisMs += performance.now() - a;
    analysed++;
    aggregator.add(findings);
    options.onFrame?.(findings);
  };
  const setRegion = (images: GrayImage[]): void => {
    try {
      const r = analyzer.setRegionFrom(images.length > 1 ? meanImage(images) : images[0]!);
      region = { x0: r.x0, y0: r.y0, x1: r.x1, y1: r.y1 };
    } catch (err) {
      if ((err as Error).name !== 'NoImageRegionError') throw err;
      warnings.push(`no ultrasound region on the mean of the first ${images.length} frames: ${(err as Error).message}`);
    }
  };

  let head: ReplayFrame[] | null = [];
  try {
    for await (const f of source.frames()) {
      decoded++;
      if (head) {
        head.push(f);
        if (head.length < regionFrames) continue;
        setRegion(head.map((h) => h.image));
        for (const h of head) await analyse(h);
        head = null;
        continue;
      }
      await analyse(f);
    }
    if (head && head.length) {
      setRegion(head.map((h) => h.image));
      for (const h of head) await analyse(h);
    }
  } finally {
    source.close();
  }
  warnings.push(...(source.warnings ?? []));
  const totalMs = performance.now() - t0;
  return {
    info: source.info,
    framesDecoded: decoded,
    framesAnalysed: analysed,
    region,
    clip: aggregator.result(),
    stats: analyzer.stats(),
    timing: { totalMs: Math.round(totalMs), analysisMs: Math.round(analysisMs), msPerAnalysedFrame: analysed ? Math.round((analysisMs / analysed) * 100) / 100 : null },
    warnings,
  };
}
