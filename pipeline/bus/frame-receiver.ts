/**
 * Receives frames from one or more upstream PUSH sockets and hands the consumer only the newest
 * one: a frame that is overtaken while the consumer is busy is dropped and counted. The reader
 * runs as its own async loop, so after a long synchronous step (beamforming) it drains whatever
 * queued up before the consumer looks again.
 */
import { Pull } from 'zeromq';
import { decodeFrame, type DecodedFrame } from './frame-message.js';
import { FRAME_HIGH_WATER_MARK } from './frame-sender.js';

export class FrameReceiver implements AsyncIterable<DecodedFrame> {
  readonly socket = new Pull({ receiveHighWaterMark: FRAME_HIGH_WATER_MARK, linger: 0 });
  received = 0;
  dropped = 0;
  malformed = 0;
  lastError: string | null = null;
  private slot: DecodedFrame | null = null;
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(readonly endpoints: string[]) {}

  connect(): void {
    for (const e of this.endpoints) this.socket.connect(e);
    void this.readLoop();
  }

  private async readLoop(): Promise<void> {
    try {
      for await (const parts of this.socket) {
        this.received++;
        let frame: DecodedFrame;
        try {
          frame = decodeFrame(parts);
        } catch (err) {
          this.malformed++;
          this.lastError = (err as Error).message;
          continue;
        }
        if (this.slot) this.dropped++;
        this.slot = frame;
        this.wake?.();
      }
    } catch (err) {
      if (!this.closed) this.lastError = (err as Error).message;
    } finally {
      this.closed = true;
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
      const frame = this.slot;
      this.slot = null;
      yield frame;
      // Let the read loop drain what arrived during the consumer's synchronous work.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  close(): void {
    this.closed = true;
    this.socket.close();
    this.wake?.();
  }
}
