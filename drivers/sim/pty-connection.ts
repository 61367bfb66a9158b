/**
 * The simulated probe's end of its pseudo-terminal (`pleura sim --pty`), as a HostConnection.
 *
 * Not node-serialport: on a pty its writes can stall for good once the kernel buffer is full —
 * the write meets EAGAIN and the 'writable' poll never fires, so 'drain' never comes and the
 * probe goes silent mid-stream (seen in the sim-pty test: no frame, STATUS or NACK after it,
 * while requests still arrived). Reads come from a tty.ReadStream (libuv's tty handle); writes
 * are queued and written with fs.write, one at a time off the main thread, and tried again 1 ms
 * later on EAGAIN: the pty empties as the host reads. 'drain' follows once the queue is below
 * the high-water mark again, as for a socket.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import tty from 'node:tty';
import type { HostConnection } from './simulated-probe.js';

/** Bytes queued before write() answers false (a few RF frames; the probe then drops frames). */
const HIGH_WATER_MARK = 512 * 1024;
const EAGAIN_RETRY_MS = 1;

export class PtyConnection extends EventEmitter implements HostConnection {
  private readonly input: tty.ReadStream;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  private needDrain = false;
  private closed = false;

  private constructor(private readonly fd: number) {
    super();
    this.input = new tty.ReadStream(fd);
    this.input.on('data', (chunk: Buffer | string) => this.emit('data', Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
    this.input.on('error', (err: Error) => this.emit('error', err));
  }

  static open(path: string): PtyConnection {
    return new PtyConnection(fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NOCTTY));
  }

  write(bytes: Buffer): boolean {
    if (this.closed) return false;
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    this.pump();
    const below = this.queuedBytes < HIGH_WATER_MARK;
    if (!below) this.needDrain = true;
    return below;
  }

  /** Bytes not yet handed to the pty. */
  get writableLength(): number {
    return this.queuedBytes;
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.input.destroy();
    // The ReadStream owns the fd; a write still in flight ends with EBADF, ignored.
    this.emit('close');
  }

  private pump(): void {
    if (this.writing || this.closed) return;
    const head = this.queue[0];
    if (!head) {
      if (this.needDrain) {
        this.needDrain = false;
        this.emit('drain');
      }
      return;
    }
    this.writing = true;
    fs.write(this.fd, head, 0, head.length, null, (err, written) => {
      this.writing = false;
      if (this.closed) return;
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          setTimeout(() => this.pump(), EAGAIN_RETRY_MS);
          return;
        }
        this.emit('error', err);
        this.destroy();
        return;
      }
      this.queuedBytes -= written;
      if (written === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(written);
      if (this.needDrain && this.queuedBytes < HIGH_WATER_MARK) {
        this.needDrain = false;
        this.emit('drain');
      }
      this.pump();
    });
  }
}
