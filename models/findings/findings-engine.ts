/**
 * The lung-findings model on frames: keeps the ultrasound region per image geometry, prepares
 * the input (preprocess.ts), runs the model (models/runtime), decodes its outputs
 * (decode-outputs.ts), adds the rule-based quality reasons (quality-rules.ts) and lung sliding
 * (sliding-detector.ts, stateful across frames). One engine per process: the session, the input
 * buffer and the sliding window are its own.
 *
 * @example
 *   const engine = await FindingsEngine.load('models/lung-findings/lung-findings.json', { log: console.log });
 *   const findings = await engine.analyzeFrame(gray, { seq, timeMs, mmPerPixel });
 */
import ort from 'onnxruntime-node';
import type { ProviderName } from '../runtime/execution-providers.js';
import { LoadedModel } from '../runtime/loaded-model.js';
import type { ModelManifest } from '../runtime/manifest.js';
import { DEFAULT_THRESHOLDS, decodeOutputs, type DecodeThresholds, type ModelOutputs } from './decode-outputs.js';
import { emptyFindings, FrameAnalyzerBase, type AnalyzerStats, type FrameAnalyzer, type FrameMeta } from './frame-analyzer.js';
import { FRAME_LABELS, INPUT_NAME, INPUT_SIZE, OUTPUTS, type FrameLabel } from './model-io.js';
import { prepareInput, type GrayImage } from './preprocess.js';
import { noImageQuality, qualityFinding, qualityReasons } from './quality-rules.js';
import type { SlidingOptions } from './sliding-detector.js';
import type { FrameFindings } from './types.js';

export interface FindingsEngineOptions {
  executionProviders?: ProviderName[];
  log?: (line: string) => void;
  /** Threads inside one operator (default 1: the infer stage stays on one core). */
  intraOpThreads?: number;
  sliding?: Partial<SlidingOptions>;
}

/** The manifest's thresholds over the defaults: frame labels by name; maps by their first value. */
export function thresholdsFromManifest(manifest: ModelManifest): DecodeThresholds {
  const out = (name: string) => manifest.outputs.find((o) => o.name === name)?.thresholds ?? {};
  const first = (rec: Record<string, number>, fallback: number) => Object.values(rec)[0] ?? fallback;
  const frame = { ...DEFAULT_THRESHOLDS.frame };
  for (const [label, v] of Object.entries(out(OUTPUTS.frameLogits))) if ((FRAME_LABELS as readonly string[]).includes(label)) frame[label as FrameLabel] = v;
  return {
    frame,
    bLine: first(out(OUTPUTS.blineMap), DEFAULT_THRESHOLDS.bLine),
    pleuraVisible: first(out(OUTPUTS.pleuraVisible), DEFAULT_THRESHOLDS.pleuraVisible),
    lesion: first(out(OUTPUTS.lesionMap), DEFAULT_THRESHOLDS.lesion),
  };
}

export class FindingsEngine extends FrameAnalyzerBase implements FrameAnalyzer {
  readonly method = 'model' as const;
  readonly thresholds: DecodeThresholds;
  private readonly tensor: ort.Tensor;
  private readonly normalise: { gain: number; mean: number; std: number };

  private constructor(
    readonly model: LoadedModel,
    slidingOptions: Partial<SlidingOptions> = {},
  ) {
    super(slidingOptions);
    this.thresholds = thresholdsFromManifest(model.manifest);
    this.tensor = new ort.Tensor('float32', this.input, [1, 1, INPUT_SIZE, INPUT_SIZE]);
    const pre = model.manifest.inputs.find((i) => i.name === INPUT_NAME)?.preprocessing ?? { scale: 1 / 255, mean: 0, std: 1 };
    // prepareInput gives pixel / 255; the manifest may ask for another scale and a mean/std.
    this.normalise = { gain: pre.scale * 255, mean: pre.mean, std: pre.std };
  }

  static async load(manifestPath: string, opts: FindingsEngineOptions = {}): Promise<FindingsEngine> {
    const model = await LoadedModel.load(manifestPath, {
      providers: opts.executionProviders ?? ['cpu'],
      intraOpThreads: opts.intraOpThreads ?? 1,
      ...(opts.log ? { log: opts.log } : {}),
    });
    const missing = Object.values(OUTPUTS).filter((o) => !model.session.outputNames.includes(o));
    if (!model.session.inputNames.includes(INPUT_NAME) || missing.length) {
      await model.release();
      throw new Error(`model ${manifestPath} does not follow models/findings/model-io.ts: needs input "${INPUT_NAME}" and outputs ${Object.values(OUTPUTS).join(', ')} (missing: ${[...missing, ...(model.session.inputNames.includes(INPUT_NAME) ? [] : [INPUT_NAME])].join(', ')})`);
    }
    return new FindingsEngine(model, opts.sliding);
  }

  get executionProvider(): string {
    return this.model.provider;
  }

  async analyzeFrame(img: GrayImage, meta: FrameMeta): Promise<FrameFindings> {
    const t0 = performance.now();
    const region = this.regions.ensure(img);
    if (!region) {
      this.sliding.reset();
      return this.finish(emptyFindings(meta, noImageQuality(), 0), t0);
    }
    const { transform } = prepareInput(img, region, this.input);
    const { gain, mean, std } = this.normalise;
    if (gain !== 1 || mean !== 0 || std !== 1) for (let i = 0; i < this.input.length; i++) this.input[i] = (this.input[i]! * gain - mean) / std;
    const out = await this.model.run({ [INPUT_NAME]: this.tensor });
    const data = (name: string) => out[name]!.data as Float32Array;
    const outputs: ModelOutputs = {
      frameLogits: data(OUTPUTS.frameLogits),
      blineMap: data(OUTPUTS.blineMap),
      pleuraRow: data(OUTPUTS.pleuraRow),
      pleuraVisible: data(OUTPUTS.pleuraVisible),
      lesionMap: data(OUTPUTS.lesionMap),
    };
    const ctx = { transform, region, mmPerPixel: meta.mmPerPixel, topDepthMm: meta.topDepthMm };
    const d = decodeOutputs(outputs, this.thresholds, ctx);
    const quality = qualityFinding(d.frameP.view_ok, this.thresholds.frame.view_ok, qualityReasons(img, region, d.pleura));
    const sliding = this.sliding.push(img, meta.timeMs, { yPx: d.pleura.yPx, topYPx: region.y0, extentPx: d.pleura.extentPx });
    const findings: FrameFindings = {
      seq: meta.seq,
      timeMs: meta.timeMs,
      quality,
      pleura: d.pleura,
      aLines: d.aLines,
      bLines: d.bLines,
      consolidation: d.consolidation,
      effusion: d.effusion,
      sliding,
      inferMs: 0,
      geometry: { regionPx: { x0: region.x0, y0: region.y0, x1: region.x1, y1: region.y1 }, mmPerPixel: meta.mmPerPixel ?? null },
    };
    return this.finish(findings, t0);
  }

  stats(): AnalyzerStats {
    return { method: 'model', executionProvider: this.executionProvider, ...this.timing(), modelMsP50: this.model.stats().latencyMsP50 };
  }

  async close(): Promise<void> {
    await this.model.release();
  }
}
