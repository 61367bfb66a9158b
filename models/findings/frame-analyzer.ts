/**
 * What the model engine (findings-engine.ts) and the classical detectors (classical.ts) have in
 * common, so live frames, `pleura analyze` and the evaluation can use either: the per-frame API,
 * the region kept per image geometry, and the findings of a frame without an image.
 */
import type { GrayImage, ImageRegion } from './preprocess.js';
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
