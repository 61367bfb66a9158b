/**
 * The open/close/lost life cycle shared by every transport, so that all of them emit the same
 * events in the same order: a subclass only says how to open, write and release its link, and
 * calls `received()` / `lost()` from its I/O callbacks.
 */
import { EventEmitter } from 'node:events';
import { TransportClosedError, TransportLostError } from './errors.js';
import type { ProbeTransport, ProbeTransportEvents } from './transport.js';

type Phase = 'closed' | 'opening' | 'open' | 'closing';

export abstract class TransportBase extends EventEmitter<ProbeTransportEvents> implements ProbeTransport {
  #phase: Phase = 'closed';
  /** The open or close in progress, so concurrent callers wait for the same one. */
  #transition: Promise<void> | null = null;
  #lossWhileOpening: { cause: unknown } | null = null;

  abstract describe(): string;
  /** Establishes the link; throws TransportOpenError. Must release what it acquired if it throws. */
  protected abstract openLink(): Promise<void>;
  protected abstract writeLink(bytes: Buffer): Promise<void>;
  /** Releases the link; must not emit. Called once per successful openLink. */
  protected abstract closeLink(): Promise<void>;

  get isOpen(): boolean {
    return this.#phase === 'open';
  }

  async open(): Promise<void> {
    // A loss or close still releasing the previous link finishes first.
    while (this.#phase === 'closing') await this.#transition!.catch(() => undefined);
    if (this.#phase === 'open') return;
    if (this.#phase === 'opening') return this.#transition!;
    this.#phase = 'opening';
    this.#lossWhileOpening = null;
    this.#transition = this.openLink().then(
      () => {
        this.#phase = 'open';
        this.#transition = null;
        // An I/O callback may report a loss before open() has resolved: report it now.
        if (this.#lossWhileOpening) this.lost(this.#lossWhileOpening.cause);
      },
      (err: unknown) => {
        this.#phase = 'closed';
        this.#transition = null;
        throw err;
      },
    );
    return this.#transition;
  }

  async write(bytes: Buffer): Promise<void> {
    if (this.#phase !== 'open') throw new TransportClosedError(this.describe());
    return this.writeLink(bytes);
  }

  async close(): Promise<void> {
    if (this.#phase === 'opening') await this.#transition!.catch(() => undefined);
    if (this.#phase === 'closing') return this.#transition!;
    if (this.#phase !== 'open') return;
    this.#finish(undefined);
    return this.#transition!;
  }

  /** For subclasses: bytes arrived. */
  protected received(chunk: Buffer): void {
    if ((this.#phase === 'open' || this.#phase === 'opening') && chunk.length > 0) this.emit('data', chunk);
  }

  /** For subclasses: the link died. Releases it, then emits 'error' and 'close'. */
  protected lost(cause: unknown): void {
    if (this.#phase === 'opening') this.#lossWhileOpening ??= { cause };
    if (this.#phase !== 'open') return;
    this.#finish(new TransportLostError(this.describe(), cause));
  }

  #finish(error: TransportLostError | undefined): void {
    this.#phase = 'closing';
    this.#transition = this.closeLink()
      .catch(() => undefined) // releasing a dead link may fail too; it is released either way
      .then(() => {
        this.#phase = 'closed';
        this.#transition = null;
        if (error) this.emit('error', error);
        this.emit('close', error);
      });
  }
}
