/**
 * The main thread's handle on the store thread: typed calls that resolve with the store's
 * answer or reject with the store's typed error (DiskBudgetError, ExamStateError, …).
 *
 * @example
 * const store = await StoreClient.start({ dataDir, budget, siteKeyFile, destinations: [], typicalClipBytes });
 * const exam = await store.call('startExam', { patient, operator: 'nurse', protocol: 'lus-12' });
 * await store.close();
 */
import { Worker } from 'node:worker_threads';
import { deserializeError, StoreError } from './errors.js';
import type { MigrationStep } from './migrate.js';
import type { RecoveryReport } from './recovery.js';
import type { StoreApi, StoreMethod, StoreReply, StoreRequest, StoreThreadOptions } from './store-api.js';

export class StoreClient {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly recovery: RecoveryReport,
    readonly migrations: MigrationStep[],
  ) {
    worker.on('message', (m: StoreReply) => {
      if (m.type !== 'result') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(deserializeError(m.error));
    });
    const die = (err: Error): void => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => die(new StoreError(`the store thread failed: ${err.message}; restart the device`)));
    worker.on('exit', (code) => die(new StoreError(`the store thread exited (code ${code})`)));
  }

  static start(opts: StoreThreadOptions): Promise<StoreClient> {
    const worker = new Worker(new URL('./store-thread.js', import.meta.url), { workerData: opts });
    return new Promise((resolve, reject) => {
      const onExit = (code: number): void => reject(new StoreError(`the store thread exited during start-up (code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (m: StoreReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (m.type === 'ready') resolve(new StoreClient(worker, m.recovery, m.migrations));
        else if (m.type === 'fatal') reject(deserializeError(m.error));
        else reject(new StoreError(`unexpected first message from the store thread: ${m.type}`));
      });
    });
  }

  call<K extends StoreMethod>(method: K, ...args: Parameters<StoreApi[K]>): Promise<ReturnType<StoreApi[K]>> {
    return this.send(method, args, []) as Promise<ReturnType<StoreApi[K]>>;
  }

  /** Hands the pixels to the store thread without copying; `input.pixels` is unusable afterwards. */
  commitClip(input: Parameters<StoreApi['commitClip']>[0]): Promise<ReturnType<StoreApi['commitClip']>> {
    const whole = input.pixels.byteOffset === 0 && input.pixels.byteLength === input.pixels.buffer.byteLength;
    const transfer = whole && input.pixels.buffer instanceof ArrayBuffer ? [input.pixels.buffer] : [];
    return this.send('commitClip', [input], transfer) as Promise<ReturnType<StoreApi['commitClip']>>;
  }

  private send(method: StoreMethod, args: unknown[], transfer: ArrayBuffer[]): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const req: StoreRequest = { type: 'call', id, method, args };
      this.worker.postMessage(req, transfer);
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const req: StoreRequest = { type: 'close' };
    this.worker.postMessage(req);
    const timer = setTimeout(() => void this.worker.terminate(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
