/**
 * Where reviewed frames come from (docs/api.md "Review"): the device's cine buffer while the
 * image is frozen (GET /api/cine, /api/cine/frame?seq=), or a stored clip
 * (GET /api/exam/clip?id=, /api/exam/clip/frame?id=&index=). Frames come in the live
 * WebSocket's binary format, so they carry the same calibration (mmPerPixel, topDepthMm).
 */
import { deviceFetch } from '../device-api.js';
import { decodeFrame, type DecodedKioskFrame } from '../protocol.js';

export interface ReviewSource {
  readonly kind: 'cine' | 'clip';
  /** Frames, oldest first. */
  readonly count: number;
  readonly frameRateHz: number | null;
  /** The AI's B-line count for a frame, when the live analysis saw it (cine only). */
  bLines(index: number): number | null;
  load(index: number): Promise<DecodedKioskFrame>;
}

/** What the page found wrong with what it got (the device's own refusals are DeviceApiErrors). */
export class ReviewError extends Error {
  override readonly name = 'ReviewError';
}

/** Frames kept in the page: stepping back and forth needs no new request; memory stays bounded (~10 MB at 640×480). */
const CACHED_FRAMES = 32;

async function fetchJson<T>(url: string): Promise<T> {
  return (await (await deviceFetch(url)).json()) as T;
}

async function fetchFrame(url: string): Promise<DecodedKioskFrame> {
  const bytes = new Uint8Array(await (await deviceFetch(url)).arrayBuffer());
  try {
    return decodeFrame(bytes);
  } catch (err) {
    throw new ReviewError(`the device sent an unreadable frame: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A small most-recently-used cache in front of a frame loader. */
class FrameCache {
  private readonly frames = new Map<number, Promise<DecodedKioskFrame>>();

  constructor(private readonly loader: (index: number) => Promise<DecodedKioskFrame>) {}

  get(index: number): Promise<DecodedKioskFrame> {
    let frame = this.frames.get(index);
    if (frame) {
      this.frames.delete(index); // re-insert: most recent last
    } else {
      frame = this.loader(index);
      frame.catch(() => this.frames.delete(index));
    }
    this.frames.set(index, frame);
    while (this.frames.size > CACHED_FRAMES) this.frames.delete(this.frames.keys().next().value as number);
    return frame;
  }
}

interface CineList {
  frozen: boolean;
  frameRateHz: number | null;
  frames: Array<{ seq: number; timeMs: number; bLines: number | null }>;
}

/** The frames the cine buffer holds now; meant for a frozen image, when they no longer change. */
export async function openCine(): Promise<ReviewSource> {
  const list = await fetchJson<CineList>('/api/cine');
  if (!Array.isArray(list.frames) || list.frames.length === 0) throw new ReviewError('the cine buffer is empty: scan first, then freeze');
  const frames = list.frames;
  const cache = new FrameCache((i) => fetchFrame(`/api/cine/frame?seq=${frames[i]!.seq}`));
  return {
    kind: 'cine',
    count: frames.length,
    frameRateHz: list.frameRateHz,
    bLines: (i) => frames[i]?.bLines ?? null,
    load: (i) => cache.get(i),
  };
}

interface ClipInfo {
  id: string;
  zone: string;
  frames: number;
  frameRateHz: number | null;
  state?: string;
}

/** One frame of a stored clip (e.g. a zone's key image in the summary). */
export function loadClipFrame(clipId: string, index: number): Promise<DecodedKioskFrame> {
  return fetchFrame(`/api/exam/clip/frame?id=${encodeURIComponent(clipId)}&index=${index}`);
}

/** A stored clip, as saved in the exam (its DICOM file, checked by the device). */
export async function openClip(clipId: string): Promise<ReviewSource & { zone: string }> {
  const info = await fetchJson<ClipInfo>(`/api/exam/clip?id=${encodeURIComponent(clipId)}`);
  if (!(info.frames > 0)) throw new ReviewError(`clip ${clipId} has no frames`);
  const cache = new FrameCache((i) => loadClipFrame(clipId, i));
  return {
    kind: 'clip',
    zone: info.zone,
    count: info.frames,
    frameRateHz: info.frameRateHz,
    bLines: () => null,
    load: (i) => cache.get(i),
  };
}
