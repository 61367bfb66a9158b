/**
 * What the infer stage and the device app use of the lung-findings code (models/findings/):
 * the engine that analyses one display frame, and the aggregator that turns frames into a zone
 * score. Loaded here, in one place, so that the stage and the app import nothing else from it.
 */
import { ClipAggregator } from '../../models/findings/clip-aggregator.js';
import { FindingsEngine } from '../../models/findings/findings-engine.js';
import type { GrayImage } from '../../models/findings/preprocess.js';
import type { ClipFindings, FrameFindings } from '../../models/findings/types.js';
import type { ProviderName } from '../../models/runtime/execution-providers.js';

export interface FrameMeta {
  seq: number;
  timeMs: number;
  mmPerPixel?: number;
  topDepthMm?: number;
}

export interface FindingsEngineApi {
  /** The execution provider the model runs on (tensorrt, cuda, cpu). */
  readonly executionProvider: string;
  analyzeFrame(img: GrayImage, meta: FrameMeta): Promise<FrameFindings>;
  /** Forgets temporal state (lung sliding window): a new view. */
  reset(): void;
  stats(): unknown;
  close(): Promise<void>;
  /** The model's manifest: name and version for the status. */
  readonly model: { manifest: { name: string; version: string } };
}

export interface EngineLoadOptions {
  executionProviders?: ProviderName[];
  log?: (line: string) => void;
}

export interface ClipAggregatorApi {
  add(frame: FrameFindings): void;
  result(): ClipFindings;
}

export async function loadFindingsEngine(manifestPath: string, opts: EngineLoadOptions): Promise<FindingsEngineApi> {
  // One thread inside an operator: the stage keeps to one core beside beamform and enhance.
  return FindingsEngine.load(manifestPath, { ...opts, intraOpThreads: 1 });
}

/** Makes a fresh zone aggregator (a new zone: depth or view changed). */
export function clipAggregatorFactory(): () => ClipAggregatorApi {
  return () => new ClipAggregator();
}
