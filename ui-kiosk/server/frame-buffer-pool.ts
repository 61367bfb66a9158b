/**
 * Reuses encoded-frame buffers so the 30 fps send path does not allocate per frame.
 * A buffer is shared by every client a frame goes to; each ws.send holds one reference and
 * releases it in its completion callback, so a buffer is never rewritten while a socket still
 * has it queued. A buffer whose callback never comes back is simply left to the GC.
 */
export interface PooledFrameBuffer {
  readonly bytes: Buffer;
  /** Outstanding users; starts at 1 for the publisher. */
  refs: number;
}

export class FrameBufferPool {
  private free: PooledFrameBuffer[] = [];

  /** @param maxFree buffers kept for reuse (default 4: enough for one in flight per client plus the next frame). */
  constructor(private readonly maxFree = 4) {}

  acquire(byteLength: number): PooledFrameBuffer {
    // A depth change alters the frame size; buffers of the old size are useless from then on.
    if (this.free.length > 0 && this.free[0]!.bytes.length !== byteLength) this.free = [];
    const reused = this.free.pop();
    if (reused) {
      reused.refs = 1;
      return reused;
    }
    return { bytes: Buffer.allocUnsafe(byteLength), refs: 1 };
  }

  release(buffer: PooledFrameBuffer): void {
    buffer.refs--;
    if (buffer.refs === 0 && this.free.length < this.maxFree) this.free.push(buffer);
  }

  get freeCount(): number {
    return this.free.length;
  }
}
