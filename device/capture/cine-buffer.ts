/**
 * The cine buffer: the last few seconds of display frames, as ultrasound devices keep them, so
 * "capture" can store what the operator just saw (retrospective) or the next seconds
 * (prospective). Frames are copied into slots that are allocated once and reused, because the
 * display path's buffers are not ours to keep and a fresh allocation per frame would churn
 * the heap at the frame rate.
 *
 * Memory is bounded: at most `capacityFrames` slots of one frame each, and never more than
 * `maxBytes` in total (the capacity shrinks for large frames). With the defaults (6 s at a
 * 20 Hz probe, ×1.25 headroom, 640×480 8-bit frames) that is 152 × 307 kB ≈ 47 MB.
 */
export interface FrameFindings {
  model: { name: string; version: string };
  values: import('../exam/records.js').ZoneFindingValues;
  confidence: number;
}

/**
 * The findings engine's result for a frame (models/findings/types.ts), attached when it arrives
 * from the infer stage, a few milliseconds after the frame itself (`attachAnalysis`).
 */
export interface FrameAnalysis {
  model: { name: string; version: string };
  frame: import('../../models/findings/types.js').FrameFindings;
}

/** What the buffer takes from each display image. */
export interface CineInput {
  seq: number;
  /** When the acquire stage had the frame complete (epoch ms): the frame's time. */
  timeMs: number;
  width: number;
  height: number;
  mmPerPixel: number;
  topDepthMm: number;
  probeId: string;
  pixels: Uint8Array;
  findings?: FrameFindings;
  analysis?: FrameAnalysis;
}

/** A frame in the buffer. `pixels` is the slot's memory: copy it before the next push. */
export interface CineFrame extends Omit<CineInput, 'pixels'> {
  pixels: Uint8Array;
}

interface Slot {
  frame: CineFrame | null;
  memory: Uint8Array;
}

export interface CineBufferOptions {
  /** Seconds of history to keep. */
  seconds: number;
  /** The highest frame rate frames can arrive at (the probe's). */
  maxFrameRateHz: number;
  /** Hard cap on pixel memory. */
  maxBytes: number;
}

export class CineBuffer {
  readonly capacityFrames: number;
  private readonly slots: Slot[];
  private head = 0; // next slot to write
  private count = 0;
  private limit: number;
  private frameBytes = 0;
  private readonly waiters = new Set<() => void>();
  framesPushed = 0;

  constructor(private readonly opts: CineBufferOptions) {
    this.capacityFrames = Math.ceil(opts.seconds * opts.maxFrameRateHz * 1.25) + 2;
    this.slots = Array.from({ length: this.capacityFrames }, () => ({ frame: null, memory: new Uint8Array(0) }));
    this.limit = this.capacityFrames;
  }

  push(input: CineInput): void {
    const bytes = input.pixels.byteLength;
    if (bytes !== this.frameBytes) {
      // A new frame size (display size changed): keep within maxBytes by keeping fewer frames.
      this.frameBytes = bytes;
      this.limit = Math.max(1, Math.min(this.capacityFrames, Math.floor(this.opts.maxBytes / Math.max(1, bytes))));
      while (this.count > this.limit) this.dropOldest();
    }
    if (this.count === this.limit) this.dropOldest();
    const slot = this.slots[this.head]!;
    if (slot.memory.byteLength < bytes) slot.memory = new Uint8Array(bytes);
    const pixels = slot.memory.subarray(0, bytes);
    pixels.set(input.pixels);
    slot.frame = { ...input, pixels };
    this.head = (this.head + 1) % this.capacityFrames;
    this.count++;
    this.framesPushed++;
    for (const w of [...this.waiters]) w();
  }

  private dropOldest(): void {
    const oldest = (this.head - this.count + this.capacityFrames) % this.capacityFrames;
    this.slots[oldest]!.frame = null;
    this.count--;
  }

  /** Frames held now. */
  get size(): number {
    return this.count;
  }

  /** Attaches the infer stage's findings to the buffered frame `seq`; false when it is no longer (or not) here. */
  attachAnalysis(seq: number, analysis: FrameAnalysis): boolean {
    for (let k = 1; k <= this.count; k++) {
      const f = this.slots[(this.head - k + this.capacityFrames) % this.capacityFrames]!.frame;
      if (!f) continue;
      if (f.seq === seq) {
        f.analysis = analysis;
        return true;
      }
      if (f.seq < seq) return false;
    }
    return false;
  }

  /** Frames oldest first. */
  frames(): CineFrame[] {
    const out: CineFrame[] = [];
    for (let i = 0; i < this.count; i++) {
      const f = this.slots[(this.head - this.count + i + this.capacityFrames) % this.capacityFrames]!.frame;
      if (f) out.push(f);
    }
    return out;
  }

  newest(): CineFrame | null {
    return this.count ? this.slots[(this.head - 1 + this.capacityFrames) % this.capacityFrames]!.frame : null;
  }

  /** Bytes of pixel memory held now. */
  memoryBytes(): number {
    return this.slots.reduce((n, s) => n + s.memory.byteLength, 0);
  }

  /** Resolves on the next push, or after `timeoutMs` (false). */
  nextFrame(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (v: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(onFrame);
        resolve(v);
      };
      const onFrame = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(onFrame);
    });
  }
}
