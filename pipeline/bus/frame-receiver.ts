/**
 * The consuming end of pipeline edges: one DEALER per upstream endpoint, each holding one
 * credit. The receiver asks for a frame ("ready"), gets the producer's newest, and asks again
 * only when its consumer has finished with that frame, so the stage always works on the newest
 * frame there is (see frame-sender.ts). A credit that goes unanswered for a while is sent again,
 * which is how an edge recovers after the producer restarted and forgot it.
 */
import { Dealer } from 'zeromq';
import { decodeFrame, type DecodedFrame } from './frame-message.js';
import { FRAME_HIGH_WATER_MARK, READY } from './frame-sender.js';

const CREDIT_RESEND_MS = 500;
let receivers = 0;

interface Input {
  endpoint: string;
  socket: Dealer;
  askedAtMs: number;
  lastFrameAtMs: number;
}

export class FrameReceiver implements AsyncIterable<DecodedFrame> {
  received = 0;
  /** Frames that arrived while an unconsumed one was waiting (only with several inputs). */
  dropped = 0;
  malformed = 0;
  lastError: string | null = null;
  private readonly inputs: Input[];
  private slot: { frame: DecodedFrame; input: Input } | null = null;
  private wake: (() => void) | null = null;
  private closed = false;
  private creditTimer: NodeJS.Timeout | null = null;

  /**
   * `name` (the consuming stage, e.g. `infer`) goes into the routing id, so that a producer with
   * several consumers counts each one's frames and drops under its name (frame-sender.ts).
   */
  constructor(readonly endpoints: string[], name?: string) {
    const routingId = name ? `${name}.${process.pid}.${++receivers}` : undefined;
    this.inputs = endpoints.map((endpoint, i) => ({
      endpoint,
      socket: new Dealer({ receiveHighWaterMark: FRAME_HIGH_WATER_MARK, sendHighWaterMark: 16, sendTimeout: 0, linger: 0, ...(routingId ? { routingId: `${routingId}.${i}` } : {}) }),
      askedAtMs: 0,
      lastFrameAtMs: 0,
    }));
  }

  connect(): void {
    for (const input of this.inputs) {
      input.socket.connect(input.endpoint);
      this.ask(input);
      void this.readLoop(input);
    }
    // Resend a credit that got no answer: the producer may have restarted and lost it.
    this.creditTimer = setInterval(() => {
      const now = Date.now();
      for (const input of this.inputs) {
        if (now - Math.max(input.askedAtMs, input.lastFrameAtMs) >= CREDIT_RESEND_MS && this.slot?.input !== input) this.ask(input);
      }
    }, CREDIT_RESEND_MS / 2);
  }

  private ask(input: Input): void {
    if (this.closed) return;
    input.askedAtMs = Date.now();
    // Not connected yet, or the queue is full: the timer asks again.
    input.socket.send(READY).catch(() => undefined);
  }

  private async readLoop(input: Input): Promise<void> {
    try {
      for await (const parts of input.socket) {
        this.received++;
        input.lastFrameAtMs = Date.now();
        let frame: DecodedFrame;
        try {
          frame = decodeFrame(parts);
        } catch (err) {
          this.malformed++;
          this.lastError = (err as Error).message;
          this.ask(input);
          continue;
        }
        if (this.slot) {
          this.dropped++;
          this.ask(this.slot.input);
        }
        this.slot = { frame, input };
        this.wake?.();
      }
    } catch (err) {
      if (!this.closed) this.lastError = (err as Error).message;
    } finally {
      this.wake?.();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<DecodedFrame> {
    for (;;) {
      if (!this.slot) {
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const { frame, input } = this.slot;
      this.slot = null;
      yield frame;
      // The consumer is done with it: ask this input for its newest frame.
      this.ask(input);
    }
  }

  close(): void {
    this.closed = true;
    if (this.creditTimer) clearInterval(this.creditTimer);
    for (const input of this.inputs) input.socket.close();
    this.wake?.();
  }
}
