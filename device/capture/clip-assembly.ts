/**
 * Turns a stretch of the cine buffer into one clip: the frames of a time window that share the
 * newest frame's geometry (a depth change mid-window starts a new geometry; a clip has one),
 * copied into one contiguous buffer that can be handed to the store thread without a copy.
 */
import type { CineBuffer, CineFrame, FrameFindings } from './cine-buffer.js';
import { ClipAggregator } from '../../models/findings/clip-aggregator.js';

export class CaptureError extends Error {
  override name = 'CaptureError';
  readonly status: number = 409;
}

export interface ClipFrames {
  frames: number;
  rows: number;
  cols: number;
  frameRateHz: number;
  mmPerPixel: number;
  topDepthMm: number;
  probeId: string;
  firstTimeMs: number;
  lastTimeMs: number;
  /** frames × rows × cols bytes; owns its whole ArrayBuffer (transferable). */
  pixels: Uint8Array;
  /** The most confident finding in the window and the 1-based frame it came from. */
  bestFinding: (FrameFindings & { keyFrame: number }) | null;
}

function sameGeometry(a: CineFrame, b: CineFrame): boolean {
  return a.width === b.width && a.height === b.height && a.mmPerPixel === b.mmPerPixel && a.topDepthMm === b.topDepthMm;
}

/** Frames with time in [fromMs, toMs], trailing run of the newest one's geometry. */
export function selectWindow(all: CineFrame[], fromMs: number, toMs: number): CineFrame[] {
  const inWindow = all.filter((f) => f.timeMs >= fromMs && f.timeMs <= toMs);
  const last = inWindow[inWindow.length - 1];
  if (!last) return [];
  let start = inWindow.length - 1;
  while (start > 0 && sameGeometry(inWindow[start - 1]!, last)) start--;
  return inWindow.slice(start);
}

export function assembleClip(frames: CineFrame[], nominalFrameRateHz: number): ClipFrames {
  const first = frames[0];
  const last = frames[frames.length - 1];
  if (!first || !last) throw new CaptureError('no frames to capture: is the probe connected and streaming?');
  const frameBytes = first.width * first.height;
  const pixels = new Uint8Array(new ArrayBuffer(frames.length * frameBytes));
  let best: ClipFrames['bestFinding'] = null as ClipFrames['bestFinding'];
  frames.forEach((f, i) => {
    pixels.set(f.pixels.subarray(0, frameBytes), i * frameBytes);
    if (f.findings && (!best || f.findings.confidence > best.confidence)) best = { ...f.findings, keyFrame: i + 1 };
  });
  // The findings engine's frames, when the infer stage ran: the clip's finding is their
  // aggregate (robust maximum B-line count, flags over usable frames, the zone score).
  best ??= clipFinding(frames);
  const spanMs = last.timeMs - first.timeMs;
  const frameRateHz = frames.length > 1 && spanMs > 0 ? ((frames.length - 1) * 1000) / spanMs : nominalFrameRateHz;
  return {
    frames: frames.length,
    rows: first.height,
    cols: first.width,
    frameRateHz: Math.round(frameRateHz * 100) / 100,
    mmPerPixel: first.mmPerPixel,
    topDepthMm: first.topDepthMm,
    probeId: first.probeId,
    firstTimeMs: first.timeMs,
    lastTimeMs: last.timeMs,
    pixels,
    bestFinding: best,
  };
}

/** The last `seconds` before the newest frame (what the operator just saw, even when frozen). */
export function retrospective(cine: CineBuffer, seconds: number, nominalFrameRateHz: number): ClipFrames {
  const newest = cine.newest();
  if (!newest) throw new CaptureError('no frames to capture yet: is the probe connected and streaming?');
  return assembleClip(selectWindow(cine.frames(), newest.timeMs - seconds * 1000, newest.timeMs), nominalFrameRateHz);
}

/**
 * The next `seconds` from now. Waits for frames; if they stop (frozen, probe unplugged) it
 * stores what arrived, or fails when nothing did.
 */
export async function prospective(cine: CineBuffer, seconds: number, nominalFrameRateHz: number, nowMs: () => number): Promise<ClipFrames> {
  const from = nowMs();
  const to = from + seconds * 1000;
  const stallMs = 2000;
  while ((cine.newest()?.timeMs ?? 0) < to) {
    const arrived = await cine.nextFrame(stallMs);
    if (!arrived) break;
  }
  const frames = selectWindow(cine.frames(), from, to);
  if (frames.length === 0) throw new CaptureError(`no frames arrived in ${seconds} s: is the probe streaming and not frozen?`);
  return assembleClip(frames, nominalFrameRateHz);
}

/**
 * The clip's finding from the findings engine's frames (models/findings/clip-aggregator.ts):
 * null when no frame was analysed or none was usable. Confidence: the mean view quality. Key
 * frame: the one with the clip's B-line count (else the first usable analysed frame). Lung
 * sliding is recorded only when seen: "not seen" is not a finding (docs/models/evaluation.md).
 */
export function clipFinding(frames: CineFrame[]): ClipFrames['bestFinding'] {
  const analysed = frames.map((f, i) => ({ a: f.analysis, i })).filter((x): x is { a: NonNullable<CineFrame['analysis']>; i: number } => !!x.a);
  if (!analysed.length) return null;
  const aggregator = new ClipAggregator();
  for (const { a } of analysed) aggregator.add(a.frame);
  const clip = aggregator.result();
  if (!clip.usableFrames) return null;
  const keySeq = clip.bLines.frameSeq ?? analysed.find(({ a }) => a.frame.quality.usable)?.a.frame.seq ?? analysed[0]!.a.frame.seq;
  const keyIndex = frames.findIndex((f) => f.seq === keySeq);
  const values: FrameFindings['values'] = {
    bLineCount: clip.bLines.count,
    pleuralLineAbnormal: clip.pleura.irregular.present,
    consolidation: clip.consolidation.present,
    effusion: clip.effusion.present,
  };
  if (clip.score.score !== null) values.zoneScore = clip.score.score;
  if (clip.sliding.state === 'present') values.lungSliding = true;
  return { model: analysed[0]!.a.model, values, confidence: Math.min(1, Math.max(0, clip.quality.score)), keyFrame: (keyIndex < 0 ? 0 : keyIndex) + 1 };
}
