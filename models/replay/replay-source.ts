/**
 * A recorded clip or still as a stream of grey frames. Sources read lazily: a 2000-frame clip is
 * decoded frame by frame, never held whole (except DICOM, whose pixel data dcmjs reads at once).
 */
import type { GrayImage } from '../findings/preprocess.js';

export type ReplayKind = 'video' | 'image' | 'dicom';

export interface ReplayInfo {
  kind: ReplayKind;
  /** Container/codec in words (e.g. "h264 in mov,mp4,m4a,3gp,3g2,mj2", "DICOM US Multi-frame, Explicit VR Little Endian"). */
  format: string;
  width: number;
  height: number;
  /** Frames per second; null for a still. */
  fps: number | null;
  /** Frame count if the file says (it may lie: truncated files). */
  frameCount: number | null;
  /** Calibration, when the file carries one (DICOM US regions). */
  mmPerPixel: number | null;
  /** Depth (mm) of image row 0, when calibrated. */
  topDepthMm: number | null;
}

export interface ReplayFrame {
  /** 0-based frame index in the file. */
  index: number;
  timeMs: number;
  image: GrayImage;
}

export interface ReplaySource {
  readonly path: string;
  readonly info: ReplayInfo;
  /** The frames in order; iterate once. Errors (a truncated stream) are thrown as ReplayError. */
  frames(): AsyncIterable<ReplayFrame>;
  /** Stops decoding (a child process is killed); safe to call twice. */
  close(): void;
}

/** A file that cannot be replayed; the message says what is wrong and what to do. */
export class ReplayError extends Error {
  override name = 'ReplayError';
}
