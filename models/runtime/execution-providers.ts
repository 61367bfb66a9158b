/**
 * Execution-provider choice: the configured preference (TensorRT → CUDA → CPU on a Jetson; CPU
 * here), tried in order; the first that creates a session wins and the log says which one runs
 * and why the ones before it did not. The CPU provider is always last, so a model always runs.
 */
import ort from 'onnxruntime-node';

export type ProviderName = 'tensorrt' | 'cuda' | 'cpu';

export const DEFAULT_PROVIDERS: ProviderName[] = ['tensorrt', 'cuda', 'cpu'];

export interface SessionOptions {
  providers: ProviderName[];
  /** Threads inside one operator; 1 keeps the infer stage on one core beside the others. */
  intraOpThreads: number;
}

export interface CreatedSession {
  session: ort.InferenceSession;
  provider: ProviderName;
  /** Why the providers before the chosen one were skipped. */
  skipped: Array<{ provider: ProviderName; reason: string }>;
}

export async function createSession(model: Uint8Array, opts: SessionOptions): Promise<CreatedSession> {
  const order: ProviderName[] = [...opts.providers.filter((p) => p !== 'cpu'), 'cpu'];
  const bundled = new Map(ort.listSupportedBackends().map((b) => [b.name, b.bundled]));
  const skipped: CreatedSession['skipped'] = [];
  for (const provider of order) {
    if (provider !== 'cpu' && !bundled.has(provider)) {
      skipped.push({ provider, reason: 'not in this onnxruntime-node build' });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: [provider],
        intraOpNumThreads: opts.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      return { session, provider, skipped };
    } catch (err) {
      skipped.push({ provider, reason: (err as Error).message.split('\n')[0] ?? 'failed' });
    }
  }
  throw new Error(`no execution provider could run the model: ${skipped.map((s) => `${s.provider}: ${s.reason}`).join('; ')}`);
}
