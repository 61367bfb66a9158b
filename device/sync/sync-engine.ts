/**
 * The outbox worker. For each configured destination, oldest exam first: send each object with
 * STOW-RS, then ask the destination whether it holds exactly that object (destination.ts), and
 * only then mark it verified. Failures wait with exponential back-off and jitter, persisted in
 * the outbox, so a restart resumes where it stopped; a send that may or may not have arrived is
 * simply sent again (same SOP Instance UID, same bytes: harmless).
 */
import { IntegrityError } from '../store/errors.js';
import type { DueDelivery } from '../store/outbox.js';
import type { Store } from '../store/store.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import type { Destination } from './destination.js';
import { SyncError, SyncHttpError } from './errors.js';
import type { DestinationStatus } from './sync-status.js';

export interface SyncEngineOptions {
  backoff: BackoffPolicy;
  /** How long to sleep when nothing is due (new work also arrives by {@link SyncEngine.kick}). */
  idlePollMs?: number;
  random?: () => number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  onChange?: () => void;
}

export class SyncEngine {
  readonly status: DestinationStatus[];
  private stopped = false;
  private wake: (() => void) | null = null;
  private kicked = false;
  /** New outbox rows may exist: give them delivery rows before looking for due work. */
  private outboxChanged = true;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly destinations: Destination[],
    private readonly opts: SyncEngineOptions,
  ) {
    this.status = destinations.map((d) => ({ name: d.name, online: null, lastError: null, lastSuccessAt: null, busyWith: null, objectsVerified: 0 }));
  }

  start(): void {
    this.running ??= this.run();
  }

  /** New objects in the outbox (an exam was finished): look now instead of at the next poll. */
  kick(): void {
    this.kicked = true;
    this.outboxChanged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.opts.log?.(level, message);
  }

  private async run(): Promise<void> {
    const now = Date.now();
    for (const d of this.destinations) {
      this.store.outbox.ensureDeliveries(d.name);
      this.store.outbox.resume(d.name, now);
    }
    while (!this.stopped) {
      this.kicked = false;
      const worked = await this.runOnce();
      if (worked || this.stopped) continue;
      const nextAt = this.destinations
        .map((d) => this.store.outbox.nextWakeAt(d.name))
        .filter((t): t is number => t !== null)
        .reduce((a, b) => Math.min(a, b), Infinity);
      const idle = this.opts.idlePollMs ?? 30_000;
      await this.sleep(Math.max(0, Math.min(idle, nextAt - Date.now())));
      this.outboxChanged = true; // also catches exams finished by another process (none today)
    }
  }

  /** Delivers at most one due object per destination; true if anything was attempted. */
  async runOnce(): Promise<boolean> {
    let worked = false;
    const scan = this.outboxChanged;
    this.outboxChanged = false;
    for (const [i, d] of this.destinations.entries()) {
      if (this.stopped) break;
      if (scan) this.store.outbox.ensureDeliveries(d.name);
      const due = this.store.outbox.nextDue(d.name, Date.now());
      if (!due) continue;
      worked = true;
      await this.deliver(d, this.status[i]!, due);
    }
    return worked;
  }

  private async deliver(d: Destination, st: DestinationStatus, due: DueDelivery): Promise<void> {
    st.busyWith = due.sopUid;
    this.opts.onChange?.();
    const retryAt = (attempts: number, retryable = true): number =>
      Date.now() + (retryable ? backoffDelayMs(attempts, this.opts.backoff, this.opts.random) : this.opts.backoff.maxMs);
    try {
      if (due.state === 'pending') {
        let bytes: Buffer;
        try {
          bytes = this.store.blobs.read(due.blobSha256);
        } catch (err) {
          if (!(err instanceof IntegrityError)) throw err;
          this.store.outbox.markFailed(due.outboxId, d.name, err.message, retryAt(due.attempts + 1, false), 'same');
          st.lastError = err.message;
          this.log('error', `sync ${d.name}: ${err.message}`);
          return;
        }
        const outcome = await d.client.stow(bytes, due.sopUid);
        st.online = true;
        if (!outcome.stored) {
          const why = outcome.failureReason !== null ? `failure reason 0x${outcome.failureReason.toString(16).toUpperCase()}` : 'not listed as stored';
          throw new SyncError(`${d.name} did not store ${due.kind} ${due.sopUid} (${why})`);
        }
        this.store.outbox.markStored(due.outboxId, d.name, new Date().toISOString());
      }
      const v = await d.verify(due);
      st.online = true;
      if (v.ok) {
        const examDone = this.store.outbox.markVerified(due.outboxId, d.name, new Date().toISOString());
        st.objectsVerified++;
        st.lastSuccessAt = new Date().toISOString();
        st.lastError = null;
        if (examDone) {
          this.store.audit.add('sync', 'exam.synced', due.examId, { destination: d.name });
          this.log('info', `sync ${d.name}: exam ${due.examId} delivered and verified`);
        }
      } else {
        this.store.outbox.markFailed(due.outboxId, d.name, v.reason, retryAt(due.attempts + 1, v.resend), v.resend ? 'pending' : 'same');
        st.lastError = v.reason;
        this.log('warn', `sync ${d.name}: verification failed: ${v.reason}`);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const retryable = !(err instanceof SyncError) || err.retryable;
      if (!(err instanceof SyncHttpError)) st.online = false;
      st.lastError = message;
      this.store.outbox.markFailed(due.outboxId, d.name, message, retryAt(due.attempts + 1, retryable), 'same');
      this.log('warn', `sync ${d.name}: ${message} (attempt ${due.attempts + 1}; will retry)`);
    } finally {
      st.busyWith = null;
      this.opts.onChange?.();
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.kicked || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
