/**
 * A bandwidth limit for uploads: a token bucket refilled at `bytesPerSecond`, holding at most
 * one second's worth. Uploads take tokens per chunk, so a clinic's shared uplink is never
 * saturated by a device catching up after a day offline. 0 = unlimited.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = bytesPerSecond;
    this.last = now();
  }

  get unlimited(): boolean {
    return this.bytesPerSecond <= 0;
  }

  /** Waits until `bytes` may be sent; returns false (taking nothing) once `signal` is aborted. */
  async take(bytes: number, signal?: AbortSignal): Promise<boolean> {
    if (this.unlimited) return !signal?.aborted;
    for (;;) {
      if (signal?.aborted) return false;
      const t = this.now();
      this.tokens = Math.min(this.bytesPerSecond, this.tokens + ((t - this.last) / 1000) * this.bytesPerSecond);
      this.last = t;
      if (this.tokens >= bytes || (this.tokens >= this.bytesPerSecond && bytes > this.bytesPerSecond)) {
        this.tokens -= bytes;
        return true;
      }
      const waitMs = ((Math.min(bytes, this.bytesPerSecond) - this.tokens) / this.bytesPerSecond) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(1, Math.ceil(waitMs))));
    }
  }
}

/**
 * A request body that trickles `parts` out in chunks, paced by the bucket. Abort `signal` when
 * the request is over: a failed request's body must stop taking the bandwidth of the next one.
 */
export function pacedBody(parts: Uint8Array[], bucket: TokenBucket, signal?: AbortSignal, maxChunkBytes = 64 * 1024): ReadableStream<Uint8Array> {
  // Small chunks under a low limit, so the pace is smooth rather than a burst per second.
  const chunkBytes = bucket.unlimited ? maxChunkBytes : Math.max(1024, Math.min(maxChunkBytes, Math.floor(bucket.bytesPerSecond / 8)));
  let part = 0;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (part < parts.length && offset >= parts[part]!.byteLength) {
        part++;
        offset = 0;
      }
      if (part >= parts.length) {
        controller.close();
        return;
      }
      const p = parts[part]!;
      const chunk = p.subarray(offset, Math.min(p.byteLength, offset + chunkBytes));
      offset += chunk.byteLength;
      if (!(await bucket.take(chunk.byteLength, signal))) {
        controller.close();
        return;
      }
      controller.enqueue(chunk);
    },
  });
}
