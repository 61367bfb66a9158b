/**
 * Requests waiting for their answer. A request's id is its header seq; the probe echoes it in
 * ACK/NACK as `requestSeq` with the request's type. IDENTIFY carries no seq, so it answers the
 * oldest outstanding IDENTIFY_REQUEST. Every entry owns a timer that is cleared when it settles.
 */
import type { Ack, Identify, Nack } from '../protocol/messages.js';
import { MessageType, messageTypeName } from '../protocol/messages.js';
import { ProbeNackError, ProbeRequestTimeoutError } from './errors.js';

export type RequestAnswer = { kind: 'ack'; ack: Ack } | { kind: 'identify'; identify: Identify };

interface Pending {
  requestType: number;
  resolve: (answer: RequestAnswer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  /** Called on each timeout, for the link's counters. */
  onTimeout: ((err: ProbeRequestTimeoutError) => void) | null = null;

  get size(): number {
    return this.#pending.size;
  }

  /** Registers `seq` before the request is written, so that a fast answer cannot be missed. */
  add(seq: number, requestType: number, timeoutMs: number): Promise<RequestAnswer> {
    return new Promise<RequestAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(seq);
        const err = new ProbeRequestTimeoutError(messageTypeName(requestType), seq, timeoutMs);
        this.onTimeout?.(err);
        reject(err);
      }, timeoutMs);
      this.#pending.set(seq, { requestType, resolve, reject, timer });
    });
  }

  /** True if the ACK matched an outstanding request. */
  ack(ack: Ack): boolean {
    const p = this.#take(ack.requestSeq, ack.requestType);
    p?.resolve({ kind: 'ack', ack });
    return p !== undefined;
  }

  nack(nack: Nack): boolean {
    const p = this.#take(nack.requestSeq, nack.requestType);
    p?.reject(new ProbeNackError(messageTypeName(nack.requestType), nack.requestSeq, nack.code, nack.reason));
    return p !== undefined;
  }

  identify(identify: Identify): boolean {
    for (const [seq, p] of this.#pending) {
      if (p.requestType === MessageType.IDENTIFY_REQUEST) {
        this.#take(seq, p.requestType)!.resolve({ kind: 'identify', identify });
        return true;
      }
    }
    return false;
  }

  /** Fails one request, e.g. when writing it failed. */
  fail(seq: number, err: Error): void {
    const p = this.#pending.get(seq);
    if (p) this.#take(seq, p.requestType)!.reject(err);
  }

  rejectAll(err: Error): void {
    for (const [seq, p] of [...this.#pending]) this.#take(seq, p.requestType)!.reject(err);
  }

  #take(seq: number, requestType: number): Pending | undefined {
    const p = this.#pending.get(seq);
    // A seq with the wrong type is not an answer to this request (e.g. a stale ACK from before a reconnect).
    if (!p || p.requestType !== requestType) return undefined;
    clearTimeout(p.timer);
    this.#pending.delete(seq);
    return p;
  }
}
