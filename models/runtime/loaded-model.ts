/**
 * A model ready to run: its file checked against the manifest's SHA-256 (a mismatch is refused,
 * never loaded), a session on the best available execution provider, inputs and outputs checked
 * against the manifest, warmed up, and every run timed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { RollingPercentiles } from '../../pipeline/stats/rolling-percentiles.js';
import { createSession, type ProviderName, type SessionOptions } from './execution-providers.js';
import { parseManifest, type ModelManifest } from './manifest.js';

export class ModelIntegrityError extends Error {
  override name = 'ModelIntegrityError';
}

export interface ModelStats {
  name: string;
  version: string;
  provider: ProviderName;
  runs: number;
  latencyMsP50: number | null;
  latencyMsP99: number | null;
}

export type Feeds = Record<string, ort.Tensor>;

export class LoadedModel {
  readonly latency = new RollingPercentiles(512);
  runs = 0;

  private constructor(
    readonly manifest: ModelManifest,
    readonly session: ort.InferenceSession,
    readonly provider: ProviderName,
  ) {}

  static async load(manifestPath: string, opts: SessionOptions & { log?: (line: string) => void; warmupRuns?: number }): Promise<LoadedModel> {
    const manifest = parseManifest(JSON.parse(fs.readFileSync(manifestPath, 'utf8')), manifestPath);
    const file = path.join(path.dirname(manifestPath), manifest.file);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new ModelIntegrityError(`model ${manifest.name} ${manifest.version}: cannot read ${file}: ${(err as Error).message}`);
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== manifest.sha256) {
      throw new ModelIntegrityError(
        `model ${manifest.name} ${manifest.version}: ${manifest.file} has SHA-256 ${sha.slice(0, 16)}…, its manifest says ${manifest.sha256.slice(0, 16)}…; refusing to load it (reinstall the model bundle)`,
      );
    }
    const { session, provider, skipped } = await createSession(bytes, opts);
    for (const s of skipped) opts.log?.(`model ${manifest.name}: execution provider ${s.provider} skipped (${s.reason})`);
    opts.log?.(`model ${manifest.name} ${manifest.version} runs on the ${provider} execution provider`);
    const model = new LoadedModel(manifest, session, provider);
    model.checkSignature();
    for (let i = 0; i < (opts.warmupRuns ?? 3); i++) await model.session.run(model.zeroFeeds());
    return model;
  }

  private checkSignature(): void {
    const missingIn = this.manifest.inputs.map((i) => i.name).filter((n) => !this.session.inputNames.includes(n));
    const missingOut = this.manifest.outputs.map((o) => o.name).filter((n) => !this.session.outputNames.includes(n));
    if (missingIn.length || missingOut.length) {
      throw new ModelIntegrityError(
        `model ${this.manifest.name}: the manifest names ${[...missingIn, ...missingOut].join(', ')}, which the ONNX graph does not have (it has inputs ${this.session.inputNames.join(', ')}; outputs ${this.session.outputNames.join(', ')})`,
      );
    }
  }

  /** All-zero inputs of the manifest's shapes (dynamic dimensions as 1): warm-up and self-tests. */
  zeroFeeds(): Feeds {
    const feeds: Feeds = {};
    for (const input of this.manifest.inputs) {
      const dims = input.shape.map((d) => (d < 0 ? 1 : d));
      const n = dims.reduce((p, d) => p * d, 1);
      feeds[input.name] =
        input.dtype === 'float32' ? new ort.Tensor('float32', new Float32Array(n), dims) : input.dtype === 'uint8' ? new ort.Tensor('uint8', new Uint8Array(n), dims) : new ort.Tensor('int64', new BigInt64Array(n), dims);
    }
    return feeds;
  }

  async run(feeds: Feeds): Promise<ort.InferenceSession.OnnxValueMapType> {
    const t0 = performance.now();
    const out = await this.session.run(feeds);
    this.latency.add(performance.now() - t0);
    this.runs++;
    return out;
  }

  stats(): ModelStats {
    const p = (q: number) => (this.latency.size ? Math.round(this.latency.percentile(q) * 100) / 100 : null);
    return { name: this.manifest.name, version: this.manifest.version, provider: this.provider, runs: this.runs, latencyMsP50: p(50), latencyMsP99: p(99) };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
