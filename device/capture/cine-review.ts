/**
 * Cine review over the local HTTP API (docs/api.md, "Review"): the kiosk freezes the live image
 * and steps through the cine buffer's last seconds frame by frame, measuring with each frame's
 * calibration.
 *
 * - `GET /api/cine`: what the buffer holds now, oldest first (seq, time, the B-line count of
 *   the frame's findings when the infer stage attached them), whether the image is frozen and
 *   the frame rate the frames arrived at.
 * - `GET /api/cine/frame?seq=N`: one frame in the kiosk's WebSocket frame format
 *   (ui-kiosk/web/protocol.ts), so the page decodes it with the code it already has.
 *
 * While the image is live the buffer keeps rolling, so a frame listed a moment ago may be gone
 * (404 that says to freeze); frozen, the acquire stage sends nothing and the frames stay.
 */
import { BinaryResponse, KioskHttpError, type KioskRequest, type KioskRoute } from '../../ui-kiosk/server/kiosk-server.js';
import { encodedFrameBytes, encodeFrame } from '../../ui-kiosk/web/protocol.js';
import type { CineBuffer, CineFrame } from './cine-buffer.js';

export interface CineFrameSummary {
  seq: number;
  /** When the acquire stage had the frame complete (epoch ms). */
  timeMs: number;
  /** B-lines the findings engine counted in this frame; null when it has not (yet) analysed it. */
  bLines: number | null;
}

export interface CineListing {
  frozen: boolean;
  /** Estimated from the frames' times; null with fewer than two frames. */
  frameRateHz: number | null;
  /** Oldest first. */
  frames: CineFrameSummary[];
}

export interface CineReviewOptions {
  /** Whether the operator has frozen the image (the device's current settings). */
  frozen: () => boolean;
}

/** The seq field of the frame format is a u32. */
const MAX_SEQ = 0xffffffff;

/** What the cine buffer holds now, for the review strip. */
export function cineListing(cine: CineBuffer, frozen: boolean): CineListing {
  const frames = cine.frames();
  return {
    frozen,
    frameRateHz: estimateFrameRateHz(frames),
    frames: frames.map((f) => ({ seq: f.seq, timeMs: f.timeMs, bLines: f.analysis?.frame.bLines.count ?? null })),
  };
}

/** Frames per second over the span of the frames' times; null with < 2 frames or no span. */
export function estimateFrameRateHz(frames: ReadonlyArray<Pick<CineFrame, 'timeMs'>>): number | null {
  if (frames.length < 2) return null;
  const spanMs = frames[frames.length - 1]!.timeMs - frames[0]!.timeMs;
  if (!(spanMs > 0)) return null;
  return Math.round(((frames.length - 1) * 1000 * 100) / spanMs) / 100;
}

/**
 * Frame `seq` in the kiosk frame format: latencyMs 0, sentAtMs = the frame's time. The pixels
 * are copied into the answer at once, so the buffer may reuse its slot afterwards.
 */
export function encodeCineFrame(cine: CineBuffer, seq: number): Uint8Array {
  const frame = cine.frames().find((f) => f.seq === seq);
  if (!frame) {
    throw new KioskHttpError(404, `frame ${seq} is no longer in the cine buffer (it keeps the last few seconds; freeze the image to keep them)`);
  }
  const out = new Uint8Array(encodedFrameBytes(frame.width, frame.height));
  return encodeFrame(
    { seq: frame.seq, width: frame.width, height: frame.height, pixels: frame.pixels, mmPerPixel: frame.mmPerPixel, topDepthMm: frame.topDepthMm, latencyMs: 0 },
    frame.timeMs,
    out,
  );
}

function parseSeq(req: KioskRequest): number {
  const raw = req.query.get('seq') ?? '';
  const seq = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(seq) || seq > MAX_SEQ) throw new KioskHttpError(400, 'give the frame as ?seq=N, a seq from /api/cine');
  return seq;
}

export function cineGetRoutes(cine: CineBuffer, opts: CineReviewOptions): Record<string, KioskRoute> {
  return {
    '/api/cine': () => cineListing(cine, opts.frozen()),
    '/api/cine/frame': (req: KioskRequest) => new BinaryResponse('application/octet-stream', encodeCineFrame(cine, parseSeq(req))),
  };
}
