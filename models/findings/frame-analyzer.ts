/**
 * What the model engine (findings-engine.ts) and the classical detectors (classical.ts) have in
 * common, so live frames, `pleura analyze` and the evaluation can use either: the per-frame API,
 * the region kept per image geometry, and the findings of a frame without an image.
 */
import { RollingPercentiles } from '../../pipeline/stats/rolling-percentiles.js';
import { INPUT_SIZE } from './model-io.js';
import type { GrayImage, ImageRegion } from './preprocess.js';
import { RegionTracker } from './region-tracker.js';
import { SlidingDetector, type SlidingOptions } from './sliding-detector.js';
import type { FrameFindings, QualityFinding } from './types.js';

export type FindingsMethod = 'model' | 'classical';

export interface FrameMeta {
  seq: number;
  timeMs: number;
  /** Calibration of the source image (live frames; calibrated DICOM). */
  mmPerPixel?: number | undefined;
  /** Depth (mm) of source row 0; default: the region's top row is the skin. */
  topDepthMm?: number | undefined;
}

export interface AnalyzerStats {
  method: FindingsMethod;
  executionProvider: string;
  frames: number;
  /** Whole analyzeFrame time (preprocess + model + decoding + rules + sliding), ms. */
  inferMsP50: number | null;
  inferMsP99: number | null;
  /** The model's own session.run time, when there is a model. */
  modelMsP50: number | null;
}

export interface FrameAnalyzer {
  readonly method: FindingsMethod;
  readonly executionProvider: string;
  analyzeFrame(img: GrayImage, meta: FrameMeta): Promise<FrameFindings>;
  /** Sets the region from an image, e.g. the mean of a clip's first frames (throws NoImageRegionError). */
  setRegionFrom(img: GrayImage): ImageRegion;
  /** Forgets the region and the sliding window (a new clip, a new probe position). */
  reset(): void;
  stats(): AnalyzerStats;
  close(): Promise<void>;
}

/** A frame with nothing to analyse: every finding absent, quality says why. */
export function emptyFindings(meta: FrameMeta, quality: QualityFinding, inferMs: number): FrameFindings {
  const none = { present: false, p: 0 };
  return {
    seq: meta.seq,
    timeMs: meta.timeMs,
    quality,
    pleura: { ...none, yPx: null, depthMm: null, extentPx: [], irregular: { ...none } },
    aLines: { ...none },
    bLines: { ...none, count: 0, positionsPx: [], positionsMm: null, confluent: { ...none }, coverage: 0 },
    consolidation: { ...none, boxPx: null },
    effusion: { ...none, boxPx: null },
    sliding: { state: 'unknown', score: null, windowS: 0 },
    inferMs,
  };
}

/**
 * What both analyzers keep between frames: the region per image geometry, the sliding window,
 * the model-input buffer, and the per-frame timing. Subclasses implement analyzeFrame and end it
 * with `finish`.
 */
export abstract class FrameAnalyzerBase {
  protected readonly regions = new RegionTracker();
  protected readonly sliding: SlidingDetector;
  protected readonly input = new Float32Array(INPUT_SIZE * INPUT_SIZE);
  private readonly latency = new RollingPercentiles(512);
  private frames = 0;

  constructor(slidingOptions: Partial<SlidingOptions> = {}) {
    this.sliding = new SlidingDetector(slidingOptions);
  }

  get region(): ImageRegion | null {
    return this.regions.current;
  }

  setRegionFrom(img: GrayImage): ImageRegion {
    return this.regions.setFrom(img);
  }

  reset(): void {
    this.regions.reset();
    this.sliding.reset();
  }

  /** Stamps the frame's analysis time (since `t0`) on it and into the statistics. */
  protected finish(f: FrameFindings, t0: number): FrameFindings {
    const ms = performance.now() - t0;
    f.inferMs = Math.round(ms * 100) / 100;
    this.latency.add(ms);
    this.frames++;
    return f;
  }

  protected timing(): Pick<AnalyzerStats, 'frames' | 'inferMsP50' | 'inferMsP99'> {
    const p = (q: number) => (this.latency.size ? Math.round(this.latency.percentile(q) * 100) / 100 : null);
    return { frames: this.frames, inferMsP50: p(50), inferMsP99: p(99) };
  }
}
