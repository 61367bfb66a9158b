/**
 * Wire protocol between the kiosk server and the kiosk page.
 * Browser-safe (no Node imports): the server imports this same module from dist/ui-kiosk/web/.
 *
 * Binary WebSocket message = one image frame: a fixed 44-byte little-endian header, then the
 * pixels (8-bit grayscale, row-major, width × height bytes).
 *
 * | offset | type    | field                                                         |
 * |-------:|---------|---------------------------------------------------------------|
 * |      0 | 4 × u8  | magic "PLKF" (Pleura Kiosk Frame)                             |
 * |      4 | u8      | version (1)                                                   |
 * |      5 | u8      | flags: bit 0 = fps field is valid                             |
 * |      6 | u16     | header length in bytes (44); pixels start here                |
 * |      8 | u32     | seq                                                           |
 * |     12 | u16     | width (px)                                                    |
 * |     14 | u16     | height (px)                                                   |
 * |     16 | f32     | mmPerPixel (isotropic)                                        |
 * |     20 | f32     | latencyMs (device: acquisition → frame complete)              |
 * |     24 | f64     | sentAtMs (epoch ms, performance.timeOrigin + performance.now())|
 * |     32 | f32     | fps (device pipeline rate; 0 when flag bit 0 is clear)        |
 * |     36 | u32     | pixel byte count (= width × height, checked on decode)        |
 * |     40 | f32     | topDepthMm: depth of row 0 below the skin at the probe centre |
 * |        |         | (negative for a convex sector, whose corners rise above it)   |
 *
 * Text WebSocket messages are JSON: server → page {@link KioskServerMessage} (status, findings
 * tagged with their frame's seq, errors), page → server {@link KioskControl}.
 */

/** One grayscale image as the device app hands it to the kiosk. */
export interface KioskFrame {
  seq: number;
  width: number;
  height: number;
  /** 8-bit grayscale, row-major, width × height bytes. */
  pixels: Uint8Array;
  mmPerPixel: number;
  latencyMs: number;
  fps?: number;
  /** Depth of row 0 below the skin at the centre of the probe, mm (default 0). */
  topDepthMm?: number;
}

/** A frame as decoded by the page; `pixels` is a view into the received message (no copy). */
export interface DecodedKioskFrame extends KioskFrame {
  sentAtMs: number;
}

/** Commands the page sends to the device (validated strictly by the server). */
export type KioskControl =
  | { type: 'freeze'; frozen: boolean }
  | { type: 'depth'; depthMm: number }
  | { type: 'gain'; gainDb: number }
  /** A scanning preset by name (device/config/scan-presets.ts): depth, gain and imaging together. */
  | { type: 'preset'; preset: string };

/** Why a view is not usable (models/findings/types.ts QualityReasonCode); the page words it from its catalogue. */
export type KioskQualityReason =
  | 'no-image'
  | 'pleura-not-visible'
  | 'pleura-too-short'
  | 'gain-too-high'
  | 'gain-too-low'
  | 'pleura-too-deep'
  | 'depth-too-shallow';

/** A box in image pixels, x1/y1 exclusive. */
export interface KioskBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Lung findings of one display frame (the infer stage's, via the device app): decision support,
 * never a diagnosis. Positions are in the pixels of the frame with this `seq` (`width`×`height`).
 * `zone` is the score so far over the frames since the last reset (depth or view change).
 */
export interface KioskFindings {
  seq: number;
  width: number;
  height: number;
  quality: { usable: boolean; score: number; reasons: KioskQualityReason[] };
  pleura: { present: boolean; yPx: number | null; extentPx: Array<[number, number]> };
  bLines: { count: number; positionsPx: number[]; confluent: boolean };
  aLines: boolean;
  sliding: 'present' | 'absent' | 'unknown';
  consolidation: KioskBox | null;
  effusion: KioskBox | null;
  zone: { score: 0 | 1 | 2 | 3 | null; frames: number; usableFrames: number } | null;
  model: { name: string; version: string | null };
}

/** JSON text messages from the server to the page. */
export type KioskServerMessage =
  | { type: 'status'; status: unknown }
  | { type: 'findings'; findings: KioskFindings }
  | { type: 'error'; message: string };

export const FRAME_MAGIC = 'PLKF';
export const FRAME_PROTOCOL_VERSION = 1;
export const FRAME_HEADER_BYTES = 44;
const FLAG_FPS_VALID = 0b1;
const MAX_DIMENSION_PX = 0xffff;

export class FrameFormatError extends Error {
  override readonly name = 'FrameFormatError';
}

/** Total message size for a frame of these dimensions. */
export function encodedFrameBytes(width: number, height: number): number {
  return FRAME_HEADER_BYTES + width * height;
}

/**
 * Writes header + pixels into `target` (which must hold {@link encodedFrameBytes}) and returns
 * the written view. Writing into a caller-owned buffer lets the server reuse pooled memory.
 */
export function encodeFrame(frame: KioskFrame, sentAtMs: number, target: Uint8Array): Uint8Array {
  const { width, height, pixels } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 ||
      width > MAX_DIMENSION_PX || height > MAX_DIMENSION_PX) {
    throw new FrameFormatError(`frame ${frame.seq}: width/height must be integers 1…65535, got ${width}×${height}`);
  }
  const pixelBytes = width * height;
  if (pixels.length !== pixelBytes) {
    throw new FrameFormatError(
      `frame ${frame.seq}: pixels has ${pixels.length} bytes, expected width × height = ${pixelBytes}`);
  }
  if (!(frame.mmPerPixel > 0) || !Number.isFinite(frame.mmPerPixel)) {
    throw new FrameFormatError(`frame ${frame.seq}: mmPerPixel must be a positive number, got ${frame.mmPerPixel}`);
  }
  const total = FRAME_HEADER_BYTES + pixelBytes;
  if (target.length < total) {
    throw new FrameFormatError(`frame ${frame.seq}: target buffer has ${target.length} bytes, need ${total}`);
  }
  const out = target.subarray(0, total);
  const view = new DataView(out.buffer, out.byteOffset, FRAME_HEADER_BYTES);
  for (let i = 0; i < 4; i++) view.setUint8(i, FRAME_MAGIC.charCodeAt(i));
  const fpsValid = typeof frame.fps === 'number' && Number.isFinite(frame.fps);
  view.setUint8(4, FRAME_PROTOCOL_VERSION);
  view.setUint8(5, fpsValid ? FLAG_FPS_VALID : 0);
  view.setUint16(6, FRAME_HEADER_BYTES, true);
  view.setUint32(8, frame.seq >>> 0, true);
  view.setUint16(12, width, true);
  view.setUint16(14, height, true);
  view.setFloat32(16, frame.mmPerPixel, true);
  view.setFloat32(20, frame.latencyMs, true);
  view.setFloat64(24, sentAtMs, true);
  view.setFloat32(32, fpsValid ? (frame.fps as number) : 0, true);
  view.setUint32(36, pixelBytes, true);
  view.setFloat32(40, frame.topDepthMm ?? 0, true);
  out.set(pixels, FRAME_HEADER_BYTES);
  return out;
}

/** Parses a binary frame message; throws {@link FrameFormatError} on anything malformed. */
export function decodeFrame(message: ArrayBuffer | Uint8Array): DecodedKioskFrame {
  const bytes = message instanceof Uint8Array ? message : new Uint8Array(message);
  if (bytes.length < FRAME_HEADER_BYTES) {
    throw new FrameFormatError(`frame message too short: ${bytes.length} bytes, header alone is ${FRAME_HEADER_BYTES}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
  if (magic !== FRAME_MAGIC) throw new FrameFormatError(`bad frame magic "${magic}", expected "${FRAME_MAGIC}"`);
  const version = view.getUint8(4);
  if (version !== FRAME_PROTOCOL_VERSION) {
    throw new FrameFormatError(`frame protocol version ${version} not supported (expected ${FRAME_PROTOCOL_VERSION}); reload the page`);
  }
  const flags = view.getUint8(5);
  const headerBytes = view.getUint16(6, true);
  if (headerBytes < FRAME_HEADER_BYTES) throw new FrameFormatError(`frame header length ${headerBytes} < ${FRAME_HEADER_BYTES}`);
  const width = view.getUint16(12, true);
  const height = view.getUint16(14, true);
  const pixelBytes = view.getUint32(36, true);
  if (pixelBytes !== width * height || bytes.length !== headerBytes + pixelBytes) {
    throw new FrameFormatError(
      `frame size mismatch: ${width}×${height} px, header says ${pixelBytes} pixel bytes, message has ${bytes.length - headerBytes}`);
  }
  const frame: DecodedKioskFrame = {
    seq: view.getUint32(8, true),
    width,
    height,
    mmPerPixel: view.getFloat32(16, true),
    latencyMs: view.getFloat32(20, true),
    sentAtMs: view.getFloat64(24, true),
    topDepthMm: view.getFloat32(40, true),
    pixels: bytes.subarray(headerBytes, headerBytes + pixelBytes),
  };
  if (flags & FLAG_FPS_VALID) frame.fps = view.getFloat32(32, true);
  return frame;
}

/** Epoch milliseconds with sub-millisecond resolution; same clock in Node and the browser. */
export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Probe states the device app reports. */
export type ProbeState = 'disconnected' | 'connecting' | 'identifying' | 'ready' | 'streaming' | 'incompatible';

/**
 * The status object the device app passes to publishStatus(). The page reads it tolerantly
 * (status.ts): any field may be missing.
 */
export interface KioskDeviceStatus {
  probe: {
    state: ProbeState;
    model?: string;
    serial?: string;
    temperatureC?: number;
    batteryPercent?: number;
  };
  pipeline: {
    fps: number;
    degraded: boolean;
    stages: Record<string, { state: string; restarts: number; framesIn: number; framesOut: number; dropped: number }>;
  };
  latencyMs: { p50: number; p99: number };
  settings: { depthMm: number; gainDb: number; frozen: boolean; preset?: string };
  /** The presets the kiosk can offer, in order. */
  presets?: Array<{ name: string; depthMm: number; gainDb: number }>;
}
