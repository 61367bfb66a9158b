/**
 * Clip review over the local HTTP API (docs/api.md, "Review"): the kiosk opens a captured clip
 * and steps through it frame by frame, measuring with the clip's calibration.
 *
 * - `GET /api/exam/clip?id=C…`: the clip's geometry and calibration (from its record).
 * - `GET /api/exam/clip/frame?id=C…&index=i`: frame i (0-based) of the clip's stored DICOM file,
 *   in the kiosk's WebSocket frame format (ui-kiosk/web/protocol.ts).
 *
 * The pixels come from the stored file, never from the cine buffer, and only after the file's
 * SHA-256 matched the one recorded at capture: a missing or altered file is a 409 that says the
 * clip is damaged. The device never shows pixels it cannot vouch for.
 *
 * Where the work happens: the record comes from the store thread; the file is read with
 * fs.promises (off the main thread), but hashing and DICOM parsing (dcmjs) run on the main
 * thread. That is once per opened clip (a clip is ~60 frames of 640×480, ≈ 18 MB: tens of
 * milliseconds), which is acceptable beside the display path; stepping through frames then
 * only copies one frame out of memory.
 *
 * Memory: only the most recently opened clip is kept decoded, as one array of
 * frames × rows × cols bytes (≈ 18 MB for 60 frames of 640×480; a clip is never longer than
 * the cine buffer, so never more than `capture.maxCineMb`). Opening another clip drops it.
 * While a clip is being decoded, the file and dcmjs's copy of its Pixel Data are held too
 * (≈ 3× the clip for a moment).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { DicomSource } from '../../models/replay/dicom-source.js';
import { BinaryResponse, KioskHttpError, type KioskRequest, type KioskRoute } from '../../ui-kiosk/server/kiosk-server.js';
import { encodedFrameBytes, encodeFrame } from '../../ui-kiosk/web/protocol.js';
import { CLIP_ID_PATTERN } from '../store/ids.js';
import type { ClipRecord } from './records.js';

/** What the review page needs to lay out and measure a clip. */
export type ClipReviewInfo = Pick<ClipRecord, 'id' | 'examId' | 'zone' | 'frames' | 'frameRateHz' | 'rows' | 'cols' | 'mmPerPixel' | 'topDepthMm' | 'state'>;

export interface ClipReviewOptions {
  /** The clip's record (ExamService.clip: the store thread's); a NotFoundError (404) when unknown. */
  clip: (clipId: string) => Promise<ClipRecord>;
  /** The path of a stored file by its content address (BlobStore.pathOf). */
  dicomPath: (sha256: string) => string;
}

interface DecodedClip {
  frames: number;
  rows: number;
  cols: number;
  /** frames × rows × cols bytes, frame after frame. */
  pixels: Uint8Array;
}

export class ClipReview {
  /** The most recently opened clip (or its decoding, still under way). */
  private cached: { id: string; sha256: string; decoded: Promise<DecodedClip> } | null = null;

  constructor(private readonly opts: ClipReviewOptions) {}

  async info(clipId: string): Promise<ClipReviewInfo> {
    const c = await this.opts.clip(clipId);
    return {
      id: c.id,
      examId: c.examId,
      zone: c.zone,
      frames: c.frames,
      frameRateHz: c.frameRateHz,
      rows: c.rows,
      cols: c.cols,
      mmPerPixel: c.mmPerPixel,
      topDepthMm: c.topDepthMm,
      state: c.state,
    };
  }

  /**
   * Frame `index` of the clip in the kiosk frame format: seq = index, latencyMs 0, sentAtMs =
   * the frame's time from the clip's first frame (index × 1000 / frameRateHz), calibration
   * from the clip's record.
   */
  async frame(clipId: string, index: number): Promise<Uint8Array> {
    const clip = await this.opts.clip(clipId);
    if (clip.state === 'damaged') throw damaged(clip.id, 'the start-up check found its file missing or of the wrong size');
    if (index >= clip.frames) throw new KioskHttpError(404, `clip ${clip.id} has no frame ${index}: its frames are 0…${clip.frames - 1}`);
    const decoded = await this.decoded(clip);
    const n = decoded.rows * decoded.cols;
    const out = new Uint8Array(encodedFrameBytes(decoded.cols, decoded.rows));
    return encodeFrame(
      {
        seq: index,
        width: decoded.cols,
        height: decoded.rows,
        pixels: decoded.pixels.subarray(index * n, (index + 1) * n),
        mmPerPixel: clip.mmPerPixel,
        topDepthMm: clip.topDepthMm,
        latencyMs: 0,
      },
      clip.frameRateHz > 0 ? (index * 1000) / clip.frameRateHz : 0,
      out,
    );
  }

  /** The clip decoded, from the cache when it is the one opened last (same id and file). */
  private decoded(clip: ClipRecord): Promise<DecodedClip> {
    const c = this.cached;
    if (c && c.id === clip.id && c.sha256 === clip.dicomSha256) return c.decoded;
    const entry = { id: clip.id, sha256: clip.dicomSha256, decoded: this.decode(clip) };
    this.cached = entry; // the previous clip's pixels are free once its requests have finished
    entry.decoded.catch(() => {
      // A failure is not kept: a restored file can be reviewed without restarting.
      if (this.cached === entry) this.cached = null;
    });
    return entry.decoded;
  }

  private async decode(clip: ClipRecord): Promise<DecodedClip> {
    let file: string;
    let bytes: Buffer;
    try {
      file = this.opts.dicomPath(clip.dicomSha256);
      bytes = await fs.promises.readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw damaged(clip.id, code === 'ENOENT' ? 'its file is missing' : `its file cannot be read: ${(err as Error).message}`);
    }
    // On the main thread, once per opened clip (see the top of this file).
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== clip.dicomSha256) {
      throw damaged(clip.id, `its file has changed since it was captured: SHA-256 ${actual.slice(0, 12)}…, recorded ${clip.dicomSha256.slice(0, 12)}…`);
    }
    let source: DicomSource;
    try {
      source = DicomSource.fromBytes(bytes, file);
    } catch (err) {
      throw new KioskHttpError(500, `clip ${clip.id}: its file matches its checksum but cannot be decoded: ${(err as Error).message}`);
    }
    const { width, height, frameCount } = source.info;
    if (width !== clip.cols || height !== clip.rows || frameCount !== clip.frames) {
      throw new KioskHttpError(500, `clip ${clip.id}: its file holds ${frameCount ?? '?'} frames of ${width}×${height}, its record says ${clip.frames} of ${clip.cols}×${clip.rows}`);
    }
    const n = width * height;
    // One array of our own, so what is kept is exactly the clip's pixels (not the file or dcmjs's buffers).
    const pixels = new Uint8Array(clip.frames * n);
    for (let k = 0; k < clip.frames; k++) pixels.set(source.frame(k).pixels, k * n);
    return { frames: clip.frames, rows: height, cols: width, pixels };
  }
}

function damaged(clipId: string, why: string): KioskHttpError {
  return new KioskHttpError(409, `clip ${clipId} is damaged on this device (${why}); it cannot be reviewed`);
}

function parseClipId(req: KioskRequest): string {
  const id = req.query.get('id') ?? '';
  if (!CLIP_ID_PATTERN.test(id)) throw new KioskHttpError(400, 'give the clip as ?id=C followed by 12 letters and digits (a clip id from /api/exam)');
  return id;
}

function parseIndex(req: KioskRequest): number {
  const raw = req.query.get('index') ?? '';
  if (!/^\d{1,6}$/.test(raw)) throw new KioskHttpError(400, 'give the frame as &index=i, 0 for the first frame');
  return Number(raw);
}

export function clipReviewRoutes(review: ClipReview): Record<string, KioskRoute> {
  return {
    '/api/exam/clip': (req: KioskRequest) => review.info(parseClipId(req)),
    '/api/exam/clip/frame': async (req: KioskRequest) => {
      const id = parseClipId(req);
      const index = parseIndex(req);
      return new BinaryResponse('application/octet-stream', await review.frame(id, index));
    },
  };
}
