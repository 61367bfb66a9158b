/**
 * A FIFO of received bytes kept as a list of the chunks the transport delivered, so that a
 * multi-MB frame arriving in 64 KiB chunks is never re-concatenated per chunk (which would be
 * quadratic). Bytes are copied once, when a frame that spans chunks is taken out; a frame that
 * lies inside one chunk comes out as a zero-copy view.
 *
 * Positions in every method are relative to the first unread byte.
 */
import { crc32c } from './crc32c.js';

export class ByteQueue {
  #chunks: Buffer[] = [];
  /** Index of the first live chunk; consumed chunks before it are dropped in batches. */
  #head = 0;
  /** Read offset inside the first live chunk. */
  #offset = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Drops the first `n` bytes (n <= length). */
  discard(n: number): void {
    let left = Math.min(n, this.#length);
    this.#length -= left;
    while (left > 0) {
      const chunk = this.#chunks[this.#head]!;
      const avail = chunk.length - this.#offset;
      if (left < avail) {
        this.#offset += left;
        return;
      }
      left -= avail;
      this.#chunks[this.#head] = EMPTY; // let the chunk be collected now
      this.#head++;
      this.#offset = 0;
    }
    // Compact the chunk list once the dead prefix dominates: amortised O(1) per chunk.
    if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
    if (this.#length === 0) {
      this.#chunks.length = 0;
      this.#head = 0;
      this.#offset = 0;
    }
  }

  /**
   * Position of the first occurrence of `pattern` at or after `from`, also across chunk
   * boundaries; -1 if none is complete in the queue.
   */
  indexOf(pattern: Uint8Array, from = 0): number {
    let base = 0; // queue position of the current chunk's first live byte
    for (let i = this.#head; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i]!;
      const start = i === this.#head ? this.#offset : 0;
      const live = chunk.length - start;
      if (from < base + live) {
        const local = start + Math.max(0, from - base);
        const hit = chunk.indexOf(pattern, local);
        if (hit >= 0) return base + hit - start;
        // A match may begin in this chunk's last bytes and continue into the next ones.
        for (let p = Math.max(local, chunk.length - pattern.length + 1); p < chunk.length; p++) {
          if (this.#matchesFrom(i, p, pattern)) return base + p - start;
        }
      }
      base += live;
    }
    return -1;
  }

  #matchesFrom(chunkIndex: number, at: number, pattern: Uint8Array): boolean {
    let i = chunkIndex;
    let p = at;
    for (let k = 0; k < pattern.length; k++) {
      let chunk = this.#chunks[i];
      while (chunk !== undefined && p >= chunk.length) {
        i++;
        p = 0;
        chunk = this.#chunks[i];
      }
      if (chunk === undefined || chunk[p] !== pattern[k]) return false;
      p++;
    }
    return true;
  }

  /**
   * Bytes [start, end) as one Buffer: a view when they lie in one chunk, else a single copy
   * into `scratch` (if given and large enough) or a new Buffer of exactly end - start bytes.
   * Callers check `end - start` against the protocol maximum before calling.
   */
  slice(start: number, end: number, scratch?: Buffer): Buffer {
    const size = end - start;
    let base = 0;
    let i = this.#head;
    for (; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i]!;
      const s = i === this.#head ? this.#offset : 0;
      const live = chunk.length - s;
      if (start < base + live) {
        const local = s + start - base;
        if (local + size <= chunk.length) return chunk.subarray(local, local + size);
        break;
      }
      base += live;
    }
    const out = scratch && scratch.length >= size ? scratch.subarray(0, size) : Buffer.allocUnsafe(size);
    let written = 0;
    this.#forEachSegment(start, end, (chunk, s, e) => {
      chunk.copy(out, written, s, e);
      written += e - s;
    });
    return out;
  }

  /** CRC-32C of bytes [start, end), computed over the chunks in place. */
  crc32c(start: number, end: number): number {
    let crc = 0;
    this.#forEachSegment(start, end, (chunk, s, e) => {
      crc = crc32c(chunk, crc, s, e);
    });
    return crc;
  }

  #forEachSegment(start: number, end: number, visit: (chunk: Buffer, s: number, e: number) => void): void {
    let base = 0;
    for (let i = this.#head; i < this.#chunks.length && base < end; i++) {
      const chunk = this.#chunks[i]!;
      const s0 = i === this.#head ? this.#offset : 0;
      const live = chunk.length - s0;
      const from = Math.max(start, base);
      const to = Math.min(end, base + live);
      if (from < to) visit(chunk, s0 + from - base, s0 + to - base);
      base += live;
    }
  }
}

const EMPTY = Buffer.alloc(0);
