/**
 * The producing end of one pipeline edge: newest frame wins, by credit. The consumer asks for a
 * frame ("ready") when it is free; the producer keeps only its newest unsent frame and sends it
 * on request. A frame overtaken before anyone asked for it is dropped here and counted, so no
 * stale frame waits in a queue and no frame that will be dropped crosses the socket.
 *
 * Socket: ROUTER, bound by the producer, send high-water mark of a few frames and sendTimeout 0
 * (a send never blocks the stage; one that cannot be queued is dropped and counted). zeromq.js
 * allows one pending send per socket; with sendTimeout 0 every send settles at once.
 * Payload buffers go to libzmq without copying: never touch a message after it was sent.
 */
import { Router } from 'zeromq';
import type { BusMessage } from './frame-message.js';

export const FRAME_HIGH_WATER_MARK = 4;
export const READY = 'ready';
/** A consumer that asked and got nothing for this long is forgotten (it restarts with a new id). */
const WAITING_EXPIRY_MS = 10_000;

export class FrameSender {
  readonly socket = new Router({ sendHighWaterMark: FRAME_HIGH_WATER_MARK, receiveHighWaterMark: 64, sendTimeout: 0, linger: 0 });
  sent = 0;
  dropped = 0;
  private latest: BusMessage | null = null;
  private readonly waiting = new Map<string, { id: Buffer; sinceMs: number }>();
  private closed = false;

  constructor(readonly endpoint: string) {}

  async bind(): Promise<void> {
    await this.socket.bind(this.endpoint);
    void this.readCredits();
  }

  private async readCredits(): Promise<void> {
    try {
      for await (const [id, what] of this.socket) {
        if (!id || what?.toString() !== READY) continue;
        if (this.latest) {
          const frame = this.latest;
          this.latest = null;
          await this.deliver(id, frame);
        } else {
          this.waiting.set(id.toString('hex'), { id, sinceMs: Date.now() });
        }
      }
    } catch (err) {
      if (!this.closed) throw err;
    }
  }

  /**
   * Hands a frame to the edge: sent at once to a consumer that is waiting, otherwise kept as the
   * newest (replacing, and counting as dropped, an older unsent one). Resolves true when sent.
   */
  async send(message: BusMessage): Promise<boolean> {
    const now = Date.now();
    // Take the waiting consumers first: a consumer's next "ready" may arrive while we deliver,
    // and it asks for the next frame, not this one again.
    const consumers = [...this.waiting.values()].filter((c) => now - c.sinceMs <= WAITING_EXPIRY_MS);
    this.waiting.clear();
    let first = true;
    let delivered = false;
    for (const consumer of consumers) {
      // Each consumer needs buffers of its own: a sent buffer belongs to libzmq.
      const copy: BusMessage = first ? message : [Buffer.from(message[0]), Buffer.from(message[1]), Buffer.from(message[2])];
      first = false;
      delivered = (await this.deliver(consumer.id, copy)) || delivered;
    }
    if (first) {
      if (this.latest) this.dropped++;
      this.latest = message;
      return false;
    }
    return delivered;
  }

  private async deliver(id: Buffer, message: BusMessage): Promise<boolean> {
    try {
      await this.socket.send([id, ...message]);
      this.sent++;
      return true;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EAGAIN' || code === 'EHOSTUNREACH') {
        this.dropped++;
        return false;
      }
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}
