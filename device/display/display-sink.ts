/**
 * The end of the display path, inside the device app: takes the newest display image from the
 * enhance stage and hands it to the kiosk. It measures the latency the user sees, from the
 * moment the acquire stage had the complete frame off the probe link to the moment the kiosk
 * handed it to a WebSocket, and keeps the per-stage times from each frame's own trace.
 */
import { arrayOf, nowMs, type DecodedFrame, type FrameHeader } from '../../pipeline/bus/frame-message.js';
import { FrameReceiver } from '../../pipeline/bus/frame-receiver.js';
import { RollingPercentiles } from '../../pipeline/stats/rolling-percentiles.js';
import { FrameRateMeter } from './frame-rate.js';

export interface DisplayImage {
  seq: number;
  width: number;
  height: number;
  pixels: Uint8Array;
  mmPerPixel: number;
  topDepthMm: number;
  /** Acquire's frame-complete → now, ms. */
  pipelineLatencyMs: number;
  header: FrameHeader;
}

export class DisplaySink {
  readonly receiver: FrameReceiver;
  readonly meter = new FrameRateMeter();
  /** Frame complete → WebSocket sent. */
  sentLatency = new RollingPercentiles(2048);
  /** Per-stage processing time, from the traces. */
  readonly stageMs = new Map<string, RollingPercentiles>();
  /** Time on the bus before each stage (previous stage out → this stage in), from the traces. */
  readonly transitMs = new Map<string, RollingPercentiles>();
  private statsCapacity = 2048;
  private readonly pending = new Map<number, number>();
  framesShown = 0;
  lastFrameAtMs = 0;
  private running = false;

  constructor(endpoints: string[], private readonly show: (image: DisplayImage) => void) {
    this.receiver = new FrameReceiver(endpoints, 'app');
  }

  start(): void {
    this.receiver.connect();
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    for await (const frame of this.receiver) {
      if (!this.running) break;
      this.accept(frame);
    }
  }

  private accept(frame: DecodedFrame): void {
    const h = frame.header;
    const shape = h.arrays.find((a) => a.name === 'pixels')?.shape;
    if (h.kind !== 'image' || !shape || shape.length !== 2 || !h.display) return;
    const t = nowMs();
    this.meter.tick(t);
    this.lastFrameAtMs = t;
    this.framesShown++;
    h.trace.forEach((s, i) => {
      this.sample(this.stageMs, s.stage, s.outMs - s.inMs);
      const previous = h.trace[i - 1];
      if (previous) this.sample(this.transitMs, s.stage, s.inMs - previous.outMs);
    });
    const last = h.trace[h.trace.length - 1];
    if (last) this.sample(this.transitMs, 'app', t - last.outMs);
    this.pending.set(h.seq, h.frameCompleteMs);
    if (this.pending.size > 64) this.pending.delete(this.pending.keys().next().value!);
    this.show({
      seq: h.seq,
      height: shape[0]!,
      width: shape[1]!,
      pixels: arrayOf(frame, 'pixels', 'uint8'),
      mmPerPixel: h.display.mmPerPixel,
      topDepthMm: h.display.topDepthMm,
      pipelineLatencyMs: t - h.frameCompleteMs,
      header: h,
    });
  }

  /** Starts the latency and stage-time statistics afresh (a benchmark's measured window). */
  resetStats(capacity = 2048): void {
    this.sentLatency = new RollingPercentiles(capacity);
    this.stageMs.clear();
    this.transitMs.clear();
    this.statsCapacity = capacity;
  }

  /** Called by the kiosk when a frame went out on a WebSocket. */
  frameSent(seq: number, sentAtMs: number): void {
    const complete = this.pending.get(seq);
    if (complete === undefined) return;
    this.pending.delete(seq);
    this.sentLatency.add(sentAtMs - complete);
  }

  private sample(into: Map<string, RollingPercentiles>, key: string, value: number): void {
    let p = into.get(key);
    if (!p) into.set(key, (p = new RollingPercentiles(this.statsCapacity)));
    p.add(value);
  }

  fps(): number {
    return this.meter.fps(nowMs());
  }

  stop(): void {
    this.running = false;
    this.receiver.close();
  }
}
