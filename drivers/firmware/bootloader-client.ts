/**
 * The host side of the bootloader messages: one request at a time over a probe transport that
 * the client owns for the duration of a flash (the acquire stage is not using the link then).
 * Answers are matched by request id (ACK/NACK) or by the response type (BL_INFO, BL_HASH).
 */
import { FrameDecoder, type RawFrame } from '../protocol/decoder.js';
import { ProtocolEncoder } from '../protocol/encoder.js';
import { MessageType, type Identify } from '../protocol/messages.js';
import { ProbeNackError, ProbeRequestTimeoutError } from '../probe/errors.js';
import type { ProbeTransport } from '../transports/transport.js';
import { messageTypeName } from '../protocol/messages.js';

interface Waiter {
  seq: number;
  type: number;
  /** Resolves on this response type instead of ACK. */
  responseType: number | null;
  resolve: (frame: RawFrame) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class BootloaderClient {
  private readonly encoder = new ProtocolEncoder();
  private readonly decoder = new FrameDecoder({ parse: true });
  private waiter: Waiter | null = null;
  private closed = false;

  constructor(
    readonly transport: ProbeTransport,
    private readonly timeoutMs = 3000,
  ) {
    transport.on('data', (chunk) => {
      for (const frame of this.decoder.push(chunk)) this.onFrame(frame);
    });
    transport.on('close', (err) => this.fail(err ?? new Error('the probe link closed')));
    transport.on('error', () => undefined);
  }

  private onFrame(frame: RawFrame): void {
    const w = this.waiter;
    if (!w) return;
    const m = frame.message;
    if (m && (m.type === MessageType.ACK || m.type === MessageType.NACK) && m.body.requestSeq === w.seq) {
      this.waiter = null;
      clearTimeout(w.timer);
      if (m.type === MessageType.NACK) w.reject(new ProbeNackError(messageTypeName(w.type), w.seq, m.body.code, m.body.reason));
      else w.resolve(frame);
    } else if (w.responseType !== null && frame.header.type === w.responseType) {
      this.waiter = null;
      clearTimeout(w.timer);
      w.resolve(frame);
    }
  }

  private fail(err: Error): void {
    const w = this.waiter;
    this.waiter = null;
    if (w) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /** Sends a bootloader request; resolves with the ACK or the response frame. */
  request(type: number, payload: Buffer, responseType: number | null = null, timeoutMs = this.timeoutMs): Promise<RawFrame> {
    if (this.closed) return Promise.reject(new Error('bootloader client closed'));
    if (this.waiter) return Promise.reject(new Error('one bootloader request at a time'));
    const { seq, bytes } = this.encoder.encodeRaw(type, payload);
    return new Promise<RawFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new ProbeRequestTimeoutError(messageTypeName(type), seq, timeoutMs));
      }, timeoutMs);
      this.waiter = { seq, type, responseType, resolve, reject, timer };
      this.transport.write(bytes).catch((err: Error) => this.fail(err));
    });
  }

  async identify(): Promise<Identify> {
    const { seq, bytes } = this.encoder.encode({ type: MessageType.IDENTIFY_REQUEST, body: { hostMinVersion: 1, hostMaxVersion: 1 } });
    const frame = await new Promise<RawFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new ProbeRequestTimeoutError('IDENTIFY_REQUEST', seq, this.timeoutMs));
      }, this.timeoutMs);
      this.waiter = { seq, type: MessageType.IDENTIFY_REQUEST, responseType: MessageType.IDENTIFY, resolve, reject, timer };
      this.transport.write(bytes).catch((err: Error) => this.fail(err));
    });
    if (frame.message?.type !== MessageType.IDENTIFY) throw new Error('the probe did not answer IDENTIFY_REQUEST with IDENTIFY');
    return frame.message.body;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fail(new Error('bootloader client closed'));
    await this.transport.close();
  }
}
