/**
 * The end of the findings path, inside the device app: takes the infer stage's `findings`
 * messages (on a receiver of their own, so that findings never compete with display images for
 * a slot), keeps the zone score so far, and hands each frame's findings, in the kiosk's words,
 * to the kiosk tagged with the frame's seq. It measures the findings' age on arrival: frame
 * complete (acquire) → findings in the app.
 */
import { nowMs, type DecodedFrame } from '../../pipeline/bus/frame-message.js';
import { FrameReceiver } from '../../pipeline/bus/frame-receiver.js';
import type { ClipAggregatorApi } from '../../pipeline/infer/findings-engine-api.js';
import { RollingPercentiles } from '../../pipeline/stats/rolling-percentiles.js';
import type { FrameFindings, QualityReasonCode, RegionFinding } from '../../models/findings/types.js';
import type { KioskBox, KioskFindings } from '../../ui-kiosk/web/protocol.js';
import { FrameRateMeter } from './frame-rate.js';

/** The zone score is recomputed at most this often (the aggregator looks at every frame so far). */
const ZONE_REFRESH_MS = 250;
/** The zone score covers at most this many frames (the last 20–30 s): bounded memory and work on a long scan. */
export const ZONE_MAX_FRAMES = 600;

export interface FindingsSinkOptions {
  /** A fresh zone aggregator (models/findings/clip-aggregator.ts); null: no zone score. */
  newAggregator: (() => ClipAggregatorApi) | null;
  model: () => { name: string; version: string | null };
  /** Each frame's findings as the model gave them (e.g. into the cine buffer, for captures). */
  onFrameFindings?: (seq: number, findings: FrameFindings, model: { name: string; version: string | null }) => void;
}

export class FindingsSink {
  readonly receiver: FrameReceiver;
  readonly meter = new FrameRateMeter();
  /** Frame complete (acquire) → findings received here. */
  ageMs = new RollingPercentiles(2048);
  received = 0;
  lastSeq = -1;
  /** Frames since the zone started (the newest ZONE_MAX_FRAMES). */
  private zoneFrames: FrameFindings[] = [];
  private geometry = '';
  private zone: KioskFindings['zone'] = null;
  private zoneAtMs = 0;
  private running = false;

  constructor(endpoints: string[], private readonly opts: FindingsSinkOptions, private readonly publish: (findings: KioskFindings) => void) {
    this.receiver = new FrameReceiver(endpoints, 'app-findings');
  }

  start(): void {
    this.receiver.connect();
    this.running = true;
    void this.loop();
  }

  /** A new zone: the score starts again (depth, preset or view changed). */
  resetZone(): void {
    this.zoneFrames = [];
    this.zone = null;
    this.zoneAtMs = 0;
  }

  private async loop(): Promise<void> {
    for await (const message of this.receiver) {
      if (!this.running) break;
      this.accept(message);
    }
  }

  private accept(message: DecodedFrame): void {
    const h = message.header;
    if (h.kind !== 'findings' || !h.findings || !h.display || !h.imageSize) return;
    const t = nowMs();
    this.received++;
    this.lastSeq = h.seq;
    this.meter.tick(t);
    this.ageMs.add(t - h.frameCompleteMs);
    const key = `${h.display.mmPerPixel}/${h.display.topDepthMm}`;
    if (key !== this.geometry) {
      if (this.geometry) this.resetZone();
      this.geometry = key;
    }
    const newAggregator = this.opts.newAggregator;
    if (newAggregator) {
      this.zoneFrames.push(h.findings);
      if (this.zoneFrames.length > ZONE_MAX_FRAMES) this.zoneFrames.splice(0, this.zoneFrames.length - ZONE_MAX_FRAMES);
      if (t - this.zoneAtMs >= ZONE_REFRESH_MS) {
        const aggregator = newAggregator();
        for (const f of this.zoneFrames) aggregator.add(f);
        const clip = aggregator.result();
        this.zone = { score: clip.score.score, frames: clip.frames, usableFrames: clip.usableFrames };
        this.zoneAtMs = t;
      }
    }
    const model = this.opts.model();
    this.opts.onFrameFindings?.(h.seq, h.findings, model);
    this.publish(toKioskFindings(h.findings, h.imageSize, this.zone, model));
  }

  fps(): number {
    return this.meter.fps(nowMs());
  }

  stop(): void {
    this.running = false;
    this.receiver.close();
  }
}

const box = (r: RegionFinding): KioskBox | null => (r.present && r.boxPx ? { ...r.boxPx } : null);

/** The kiosk's view of one frame's findings: only what it draws, in image pixels. */
export function toKioskFindings(f: FrameFindings, size: { width: number; height: number }, zone: KioskFindings['zone'], model: KioskFindings['model']): KioskFindings {
  return {
    seq: f.seq,
    width: size.width,
    height: size.height,
    quality: { usable: f.quality.usable, score: round(f.quality.score, 2), reasons: f.quality.reasons.map((r) => r.code as QualityReasonCode) },
    pleura: { present: f.pleura.present, yPx: f.pleura.yPx, extentPx: f.pleura.extentPx.map(([a, b]) => [a, b] as [number, number]) },
    bLines: { count: f.bLines.present ? f.bLines.count : 0, positionsPx: f.bLines.present ? [...f.bLines.positionsPx] : [], confluent: f.bLines.confluent.present },
    aLines: f.aLines.present,
    sliding: f.sliding.state,
    consolidation: box(f.consolidation),
    effusion: box(f.effusion),
    zone,
    model,
  };
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
