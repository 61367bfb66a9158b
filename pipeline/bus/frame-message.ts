/**
 * The message format on the pipeline bus (docs/pipeline.md): `[topic, header, payload]`.
 * The header is a small JSON object; the payload holds the frame's typed arrays back to back,
 * each described in `header.arrays` (name, dtype, shape, byte offset). Every stage appends its
 * own entry to `header.trace`, so each frame carries its own latency record.
 */
import type { ImageGeometry, TransducerGeometry, TransmitSequence } from '../../drivers/protocol/messages.js';
import type { FrameFindings } from '../../models/findings/types.js';

export type FrameKind = 'rf' | 'iq' | 'bmode' | 'image' | 'findings';
export type Dtype = 'int16' | 'uint8' | 'float32';

export interface ArrayDescriptor {
  name: string;
  dtype: Dtype;
  shape: number[];
  byteOffset: number;
}

/** One stage's passage: when the frame arrived and when the stage handed it on (epoch ms, sub-ms). */
export interface StageStamp {
  stage: string;
  inMs: number;
  outMs: number;
}

/** Acquisition parameters an RF frame needs to be beamformed (from the probe's FRAME_RF). */
export interface RfAcquisition {
  soundSpeedMps: number;
  samplingRateHz: number;
  centerFrequencyHz: number;
  t0S: number;
  gainDb: number;
  transmits: TransmitSequence;
  transducer: TransducerGeometry;
}

/** Display geometry of a scan-converted image. */
export interface DisplayGeometry {
  mmPerPixel: number;
  /** Lateral position of column 0 and depth of row 0, in mm (0, 0 = centre of the probe face). */
  xOriginMm: number;
  zOriginMm: number;
  /** Depth of the top edge of row 0 below the skin at the probe centre (negative for a convex sector). */
  topDepthMm: number;
}

export interface FrameHeader {
  seq: number;
  probeId: string;
  kind: FrameKind;
  frameIndex: number;
  /** Probe clock at acquisition, µs (as a number: 2^53 µs is 285 years). */
  deviceTimestampUs: number;
  /** When the acquire stage had the complete frame off the probe link (epoch ms). */
  frameCompleteMs: number;
  arrays: ArrayDescriptor[];
  rf?: RfAcquisition;
  imageGeometry?: ImageGeometry;
  display?: DisplayGeometry;
  depthM?: number;
  dynamicRangeDb?: number;
  /** For `findings` messages (infer stage): the findings of the display frame with this seq; no arrays. */
  findings?: FrameFindings;
  /** For `findings` messages: the size of the display image the findings' pixel positions refer to. */
  imageSize?: { width: number; height: number };
  trace: StageStamp[];
}

export type BusMessage = [topic: Buffer, header: Buffer, payload: Buffer];

const BYTES: Record<Dtype, number> = { int16: 2, uint8: 1, float32: 4 };

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export type TypedArrayOf<D extends Dtype> = D extends 'int16' ? Int16Array : D extends 'uint8' ? Uint8Array : Float32Array;

export interface NamedArray {
  name: string;
  data: Int16Array | Uint8Array | Float32Array;
  shape: number[];
}

function dtypeOf(a: NamedArray['data']): Dtype {
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint8Array) return 'uint8';
  return 'float32';
}

/**
 * Packs arrays into one freshly allocated payload. The payload is never reused after it is
 * sent: zeromq.js hands large buffers to libzmq without copying.
 */
export function encodeFrame(topic: string, header: Omit<FrameHeader, 'arrays'>, arrays: NamedArray[]): BusMessage {
  const descriptors: ArrayDescriptor[] = [];
  let offset = 0;
  for (const a of arrays) {
    const count = a.shape.reduce((p, n) => p * n, 1);
    if (count !== a.data.length) throw new Error(`array ${a.name}: shape ${a.shape.join('×')} does not match length ${a.data.length}`);
    offset = align(offset, 4);
    descriptors.push({ name: a.name, dtype: dtypeOf(a.data), shape: a.shape, byteOffset: offset });
    offset += a.data.byteLength;
  }
  const payload = Buffer.allocUnsafe(offset);
  arrays.forEach((a, i) => {
    const src = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);
    src.copy(payload, descriptors[i]!.byteOffset);
  });
  const full: FrameHeader = { ...header, arrays: descriptors };
  return [Buffer.from(topic), Buffer.from(JSON.stringify(full)), payload];
}

export class BadBusMessage extends Error {
  override name = 'BadBusMessage';
}

export interface DecodedFrame {
  topic: string;
  header: FrameHeader;
  payload: Buffer;
}

export function decodeFrame(parts: Buffer[]): DecodedFrame {
  if (parts.length !== 3) throw new BadBusMessage(`expected 3 message parts, got ${parts.length}`);
  const [topic, headerBytes, payload] = parts as [Buffer, Buffer, Buffer];
  let header: FrameHeader;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as FrameHeader;
  } catch (err) {
    throw new BadBusMessage(`frame header is not JSON: ${(err as Error).message}`);
  }
  if (typeof header.seq !== 'number' || !Array.isArray(header.arrays) || !Array.isArray(header.trace)) {
    throw new BadBusMessage('frame header lacks seq, arrays or trace');
  }
  for (const a of header.arrays) {
    const bytes = a.shape.reduce((p, n) => p * n, 1) * (BYTES[a.dtype] ?? NaN);
    if (!Number.isFinite(bytes) || a.byteOffset < 0 || a.byteOffset + bytes > payload.length) {
      throw new BadBusMessage(`array ${a.name} (${a.dtype} ${a.shape.join('×')} at ${a.byteOffset}) exceeds the ${payload.length}-byte payload`);
    }
  }
  return { topic: topic.toString('utf8'), header, payload };
}

/** A typed view of one array of a decoded frame (copied when the payload is misaligned). */
export function arrayOf<D extends Dtype>(frame: DecodedFrame, name: string, dtype: D): TypedArrayOf<D> {
  const d = frame.header.arrays.find((a) => a.name === name);
  if (!d) throw new BadBusMessage(`frame ${frame.header.seq} has no array "${name}"`);
  if (d.dtype !== dtype) throw new BadBusMessage(`array ${name} is ${d.dtype}, expected ${dtype}`);
  const count = d.shape.reduce((p, n) => p * n, 1);
  const start = frame.payload.byteOffset + d.byteOffset;
  const bytes = count * BYTES[dtype];
  const aligned = start % BYTES[dtype] === 0;
  const buf = aligned ? frame.payload.buffer : frame.payload.buffer.slice(start, start + bytes);
  const off = aligned ? start : 0;
  switch (dtype) {
    case 'int16':
      return new Int16Array(buf, off, count) as TypedArrayOf<D>;
    case 'uint8':
      return new Uint8Array(buf, off, count) as TypedArrayOf<D>;
    default:
      return new Float32Array(buf, off, count) as TypedArrayOf<D>;
  }
}

export function stamp(header: FrameHeader, stage: string, inMs: number): void {
  header.trace.push({ stage, inMs, outMs: nowMs() });
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
