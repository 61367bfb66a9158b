/**
 * Sends frames on a PUSH socket without ever blocking the stage: a high-water mark of a few
 * frames, and a send that cannot be queued at once is dropped and counted (the display path
 * wants the newest frame, not a backlog). zeromq.js allows only one pending send per socket;
 * with sendTimeout 0 every send settles at once, so that rule is never broken.
 */
import { Push } from 'zeromq';
import type { BusMessage } from './frame-message.js';

export const FRAME_HIGH_WATER_MARK = 2;

export class FrameSender {
  readonly socket = new Push({ sendHighWaterMark: FRAME_HIGH_WATER_MARK, sendTimeout: 0, linger: 0 });
  sent = 0;
  dropped = 0;

  constructor(readonly endpoint: string) {}

  async bind(): Promise<void> {
    await this.socket.bind(this.endpoint);
  }

  /** The message's buffers belong to ZeroMQ afterwards: never touch them again. */
  async send(message: BusMessage): Promise<boolean> {
    try {
      await this.socket.send(message);
      this.sent++;
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'EAGAIN') {
        this.dropped++;
        return false;
      }
      throw err;
    }
  }

  close(): void {
    this.socket.close();
  }
}
