/**
 * The device app's handle on the sync thread: start it when destinations are configured, tell
 * it when an exam was finished, read its latest status, stop it (in-flight uploads are simply
 * abandoned: the outbox sends them again next time).
 */
import { Worker } from 'node:worker_threads';
import { deserializeError } from '../store/errors.js';
import type { SyncStatus } from './sync-status.js';
import type { SyncThreadOptions, SyncThreadReply, SyncThreadRequest } from './sync-thread-api.js';

export class SyncClient {
  status: SyncStatus;
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    initial: SyncStatus,
    log: (level: 'info' | 'warn' | 'error', message: string) => void,
  ) {
    this.status = initial;
    worker.on('message', (m: SyncThreadReply) => {
      if (m.type === 'status') this.status = m.status;
      else if (m.type === 'log') log(m.level, m.message);
    });
    worker.on('error', (err) => log('error', `sync thread failed: ${err.message}; exams stay in the outbox until the device restarts`));
    worker.on('exit', () => {
      this.exited = true;
      this.status = { ...this.status, running: false };
    });
  }

  static start(opts: SyncThreadOptions, log: (level: 'info' | 'warn' | 'error', message: string) => void): Promise<SyncClient> {
    const worker = new Worker(new URL('./sync-thread.js', import.meta.url), { workerData: opts });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      const onMessage = (m: SyncThreadReply): void => {
        if (m.type === 'log') return log(m.level, m.message);
        worker.off('message', onMessage);
        worker.off('error', reject);
        if (m.type === 'ready') resolve(new SyncClient(worker, m.status, log));
        else if (m.type === 'fatal') reject(deserializeError(m.error));
      };
      worker.on('message', onMessage);
    });
  }

  kick(): void {
    if (!this.exited) this.worker.postMessage({ type: 'kick' } satisfies SyncThreadRequest);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'stop' } satisfies SyncThreadRequest);
    // An upload at a low bandwidth limit may take long to notice; it is resent after restart anyway.
    const timer = setTimeout(() => void this.worker.terminate(), 3000);
    await exited;
    clearTimeout(timer);
  }
}
