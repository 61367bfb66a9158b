/**
 * The producing end of one pipeline edge: newest frame wins, by credit. The consumer asks for a
 * frame ("ready") when it is free; the producer keeps, per consumer, only the newest frame that
 * consumer has not had yet and sends it on request. A frame overtaken before its consumer asked
 * is dropped here and counted, so no stale frame waits in a queue and no frame that will be
 * dropped crosses the socket.
 *
 * Fan-out: several consumers may connect to one output (the app's display sink and the infer
 * stage both read enhance's `image`). Each has its own credit and its own newest-frame slot, so a
 * slow consumer never holds back a fast one: the fast one gets every frame at once, the slow one
 * the newest when it asks, and its skipped frames are counted against it alone (`consumers()`).
 *
 * Socket: ROUTER, bound by the producer, send high-water mark of a few frames and sendTimeout 0
 * (a send never blocks the stage; one that cannot be queued is dropped and counted). zeromq.js
 * allows one pending send per socket; with sendTimeout 0 every send settles at once.
 * Payload buffers go to libzmq without copying: never touch a message after it was sent; every
 * consumer but the first gets its own copy, made before anything is sent.
 */
import { Router } from 'zeromq';
import type { BusMessage } from './frame-message.js';

export const FRAME_HIGH_WATER_MARK = 4;
export const READY = 'ready';
/** A consumer silent for this long is forgotten (waiting ones resend their credit every 500 ms; a restarted one has a new id). */
const CONSUMER_EXPIRY_MS = 10_000;

/** Frames sent to, and skipped for, the consumers of one output, by consumer name. */
export interface ConsumerCounters {
  sent: number;
  dropped: number;
}

interface Consumer {
  id: Buffer;
  name: string;
  waiting: boolean;
  lastSeenMs: number;
  /** The newest frame this consumer has not had yet (it was busy when the frame was made). */
  pending: BusMessage | null;
}

/**
 * The consumer's name from its routing id (`<name>.<pid>.<n>`, set by FrameReceiver); ids that
 * ZeroMQ generated itself start with a zero byte.
 */
export function consumerName(id: Buffer): string {
  if (id.length === 0 || id[0] === 0) return 'unnamed';
  return id.toString('utf8').split('.')[0] || 'unnamed';
}

export class FrameSender {
  readonly socket = new Router({ sendHighWaterMark: FRAME_HIGH_WATER_MARK, receiveHighWaterMark: 64, sendTimeout: 0, linger: 0 });
  sent = 0;
  dropped = 0;
  /** A frame made before any consumer asked: the first consumer to ask gets it. */
  private latest: BusMessage | null = null;
  private readonly consumersById = new Map<string, Consumer>();
  private readonly counters = new Map<string, ConsumerCounters>();
  private closed = false;

  constructor(readonly endpoint: string) {}

  async bind(): Promise<void> {
    await this.socket.bind(this.endpoint);
    void this.readCredits();
  }

  /** Per consumer name: frames sent and frames it skipped (it was busy when newer ones came). */
  consumers(): Record<string, ConsumerCounters> {
    return Object.fromEntries([...this.counters].map(([name, c]) => [name, { ...c }]));
  }

  private countersOf(name: string): ConsumerCounters {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = { sent: 0, dropped: 0 }));
    return c;
  }

  private async readCredits(): Promise<void> {
    try {
      for await (const [id, what] of this.socket) {
        if (!id || what?.toString() !== READY) continue;
        const key = id.toString('hex');
        let consumer = this.consumersById.get(key);
        if (!consumer) {
          consumer = { id, name: consumerName(id), waiting: false, lastSeenMs: 0, pending: this.latest };
          this.latest = null;
          this.consumersById.set(key, consumer);
        }
        consumer.lastSeenMs = Date.now();
        const frame = consumer.pending;
        if (frame) {
          consumer.pending = null;
          consumer.waiting = false;
          await this.deliver(consumer, frame);
        } else {
          consumer.waiting = true;
        }
      }
    } catch (err) {
      if (!this.closed) throw err;
    }
  }

  /**
   * Hands a frame to the edge: sent at once to each consumer that is waiting, kept as the newest
   * for each one that is busy (replacing, and counting as dropped, an older unsent one).
   * Resolves true when it was sent to at least one consumer.
   */
  async send(message: BusMessage): Promise<boolean> {
    const now = Date.now();
    for (const [key, c] of this.consumersById) {
      if (!c.waiting && now - c.lastSeenMs > CONSUMER_EXPIRY_MS) {
        if (c.pending) this.drop(c);
        this.consumersById.delete(key);
      } else if (c.waiting && now - c.lastSeenMs > CONSUMER_EXPIRY_MS) {
        this.consumersById.delete(key);
      }
    }
    const consumers = [...this.consumersById.values()];
    if (consumers.length === 0) {
      if (this.latest) this.dropped++;
      this.latest = message;
      return false;
    }
    // Copies first: a buffer handed to libzmq must not be read again.
    const copies = consumers.map((_, i) => (i === 0 ? message : copyMessage(message)));
    const deliveries: Array<[Consumer, BusMessage]> = [];
    consumers.forEach((c, i) => {
      if (c.waiting) {
        // Taken before delivering: the consumer's next "ready" asks for the next frame, not this one.
        c.waiting = false;
        deliveries.push([c, copies[i]!]);
      } else {
        if (c.pending) this.drop(c);
        c.pending = copies[i]!;
      }
    });
    let delivered = false;
    for (const [c, m] of deliveries) delivered = (await this.deliver(c, m)) || delivered;
    return delivered;
  }

  private drop(c: Consumer): void {
    this.dropped++;
    this.countersOf(c.name).dropped++;
  }

  private async deliver(consumer: Consumer, message: BusMessage): Promise<boolean> {
    try {
      await this.socket.send([consumer.id, ...message]);
      this.sent++;
      this.countersOf(consumer.name).sent++;
      return true;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EAGAIN' || code === 'EHOSTUNREACH') {
        this.drop(consumer);
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

function copyMessage(m: BusMessage): BusMessage {
  return [Buffer.from(m[0]), Buffer.from(m[1]), Buffer.from(m[2])];
}
