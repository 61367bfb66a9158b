/**
 * The infer stage: lung findings on the live image, beside the display path. It is a second
 * consumer of enhance's `image` output and, like every consumer, asks for a frame only when it
 * is free, so it analyses the newest display frame there is and the frames it had no time for
 * are skipped at enhance (and counted there, under this stage's name). It runs in its own process
 * because onnxruntime's session.run blocks the event loop for the whole inference.
 *
 * Each analysed frame leaves as a small `findings` message (header only: `findings`, no arrays)
 * tagged with the frame's `seq`, to the app's `findings` port.
 *
 * Settings (`models.findings`, device/config/schema.ts; the app resolves the path):
 *   manifest: absolute path of the model's manifest (.json beside the .onnx);
 *   executionProviders: preference, e.g. ['tensorrt', 'cuda', 'cpu'] (CPU is always the last resort).
 *
 * A model that is missing, refused (SHA-256 mismatch) or cannot run is not an error of the
 * device: the stage stays up without asking for frames, reports the model's state and why in
 * its telemetry (`detail.model`, shown under `models` in /api/status and in the kiosk), and the
 * image keeps flowing. It does not exit, because a restart would fail the same way.
 */
import fs from 'node:fs';
import { arrayOf, encodeFrame, nowMs, stamp, type DecodedFrame, type FrameHeader } from '../bus/frame-message.js';
import { loadFindingsEngine, type FindingsEngineApi } from '../infer/findings-engine-api.js';
import type { ModelState, ModelStatus } from '../infer/model-status.js';
import type { ProviderName } from '../../models/runtime/execution-providers.js';
import type { Stage, StageContext } from '../stage-context.js';

export const DEFAULT_EXECUTION_PROVIDERS: ProviderName[] = ['tensorrt', 'cuda', 'cpu'];

export async function createStage(ctx: StageContext): Promise<Stage> {
  const manifest = ctx.setting('manifest', '');
  const model: ModelStatus = { name: 'lung-findings', version: null, state: 'loading', executionProvider: null, manifest, error: null };
  ctx.detail = { model };
  let engine: FindingsEngineApi;
  try {
    Object.assign(model, readIdentity(manifest));
    engine = await loadFindingsEngine(manifest, {
      executionProviders: ctx.setting('executionProviders', DEFAULT_EXECUTION_PROVIDERS),
      log: (line) => ctx.log('info', line),
    });
  } catch (err) {
    const { state, error } = classify(err as Error, manifest);
    Object.assign(model, { state, error });
    ctx.detail = { model };
    ctx.lastError = error;
    ctx.log('error', `${error}; the device runs without AI findings`);
    return { async stop() {} };
  }
  model.state = 'running';
  model.name = engine.model.manifest.name;
  model.version = engine.model.manifest.version;
  model.executionProvider = engine.executionProvider;
  ctx.log('info', `${model.name} ${model.version ?? ''} runs on the ${engine.executionProvider} execution provider`);

  // Temporal state (the sliding window) belongs to one view: a new geometry is a new view.
  let geometry = '';
  return {
    async onFrame(frame: DecodedFrame) {
      const inMs = nowMs();
      const h = frame.header;
      const shape = h.arrays.find((a) => a.name === 'pixels')?.shape;
      if (h.kind !== 'image' || !h.display || !shape || shape.length !== 2) throw new Error(`expected a display image, got ${h.kind}`);
      const [height, width] = shape as [number, number];
      const { mmPerPixel, topDepthMm } = h.display;
      const key = `${width}×${height}/${mmPerPixel}/${topDepthMm}`;
      if (key !== geometry) {
        if (geometry) engine.reset();
        geometry = key;
      }
      const findings = await engine.analyzeFrame(
        { width, height, pixels: arrayOf(frame, 'pixels', 'uint8') },
        { seq: h.seq, timeMs: h.frameCompleteMs, mmPerPixel, topDepthMm },
      );
      const out: Omit<FrameHeader, 'arrays'> = {
        seq: h.seq,
        probeId: h.probeId,
        kind: 'findings',
        frameIndex: h.frameIndex,
        deviceTimestampUs: h.deviceTimestampUs,
        frameCompleteMs: h.frameCompleteMs,
        display: h.display,
        imageSize: { width, height },
        findings,
        trace: [...h.trace],
      };
      stamp(out as FrameHeader, ctx.name, inMs);
      await ctx.emit('findings', encodeFrame('findings', out, []));
    },
    async stop() {
      await engine.close();
    },
  };
}

/** Name and version from the manifest, before the engine loads it (so that a refusal can name them). */
function readIdentity(manifest: string): { name?: string; version?: string } {
  if (!manifest) throw new ModelMissing('no findings model manifest is configured (models.findings.manifest)');
  let text: string;
  try {
    text = fs.readFileSync(manifest, 'utf8');
  } catch (err) {
    throw new ModelMissing(`findings model manifest ${manifest} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): install the model bundle or set models.findings.manifest`);
  }
  try {
    const m = JSON.parse(text) as { name?: unknown; version?: unknown };
    return { ...(typeof m.name === 'string' ? { name: m.name } : {}), ...(typeof m.version === 'string' ? { version: m.version } : {}) };
  } catch {
    return {};
  }
}

class ModelMissing extends Error {
  override name = 'ModelMissing';
}

function classify(err: Error, manifest: string): { state: ModelState; error: string } {
  if (err instanceof ModelMissing) return { state: 'missing', error: err.message };
  const message = err.message.split('\n')[0] ?? String(err);
  if (err.name === 'ModelIntegrityError') {
    return /cannot read/.test(message) ? { state: 'missing', error: message } : { state: 'refused', error: message };
  }
  return { state: 'failed', error: `findings model ${manifest} not loaded: ${message}` };
}
