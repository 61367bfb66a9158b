/**
 * The streaming frame decoder: implements "Receiving: what the decoder does with bad bytes" of
 * docs/probe-protocol.md. It never throws on input, never allocates from a length it has not
 * checked against the maximum, and holds at most header + maximum payload bytes between calls.
 *
 * Two faces over one engine:
 *  - `FrameDecoder`: plain `push(chunk) → RawFrame[]` and `end() → RawFrame[]`, for the CLI and
 *    for callers that are not streams. (It cannot be the Transform itself: `push` and `end`
 *    already mean something else on a Node stream.)
 *  - `ProtocolDecoder`: a Transform with bytes in and RawFrame objects out, in the style of a
 *    node-serialport parser.
 *
 * @example
 *   port.pipe(new ProtocolDecoder({ parse: true })).on('data', (f: RawFrame) => ...)
 *
 *   const d = new FrameDecoder();
 *   for (const chunk of chunks) for (const f of d.push(chunk)) handle(f);
 *   for (const f of d.end()) handle(f);
 */
import { Transform, type TransformCallback } from 'node:stream';
import { ByteQueue } from './byte-queue.js';
import { type FrameHeader, HEADER_BYTES, MAGIC, MAX_PAYLOAD_BYTES, SUPPORTED_VERSIONS, parseHeader } from './header.js';
import { type ProbeMessage, MessageType, messageTypeName } from './messages.js';
import { type BadPayload, parsePayload } from './payloads.js';

/** One CRC-checked frame. `payload` may be a view into a transport chunk: treat it as read-only. */
export interface RawFrame {
  header: FrameHeader;
  payload: Buffer;
  /** The parsed payload, when the decoder runs with `parse: true` and the type is known. */
  message?: ProbeMessage;
}

/** Counters for /api/status and `pleura decode --json`. All counts since construction. */
export interface DecoderStats {
  /** Frames passed on, by type name (unknown types as e.g. `VENDOR_0xe1`). */
  frames: Record<string, number>;
  bytesIn: number;
  /** Bytes that were not part of any CRC-valid frame. */
  bytesSkipped: number;
  /** Times a frame was found again after skipping bytes. */
  resyncs: number;
  headerErrors: number;
  /** Frames dropped for a bad payload CRC. */
  crcErrors: number;
  /** Valid headers claiming more than the maximum payload. */
  oversize: number;
  /** Intact frames of a protocol version this host does not speak, skipped whole. */
  unsupportedVersion: number;
  /** Frames of unknown type, passed on raw. */
  unknownType: number;
  /** Frames dropped by the payload parser (only counted with `parse: true`). */
  badPayload: number;
  /** Partial frames at the end of the stream. */
  truncated: number;
}

export interface FrameDecoderOptions {
  /** Versions passed on; intact frames of others are skipped whole. Default: SUPPORTED_VERSIONS. */
  versions?: readonly number[];
  /**
   * Largest payload accepted, at most MAX_PAYLOAD_BYTES (the default). A lower bound shrinks the
   * worst-case buffer, e.g. on a control-only link or in tests.
   */
  maxPayloadBytes?: number;
  /** Parse payloads: attach `message`, drop and count bad payloads. Default false. */
  parse?: boolean;
  /** Told about every frame dropped for a bad payload (with `parse: true`), e.g. to log it. */
  onBadPayload?: (bad: BadPayload, header: FrameHeader) => void;
}

const KNOWN_TYPES = new Set<number>(Object.values(MessageType));

export function emptyDecoderStats(): DecoderStats {
  return {
    frames: {},
    bytesIn: 0,
    bytesSkipped: 0,
    resyncs: 0,
    headerErrors: 0,
    crcErrors: 0,
    oversize: 0,
    unsupportedVersion: 0,
    unknownType: 0,
    badPayload: 0,
    truncated: 0,
  };
}

/** Adds `more` into `total`, e.g. to keep counters across the decoders of successive connections. */
export function addDecoderStats(total: DecoderStats, more: DecoderStats): DecoderStats {
  for (const [name, n] of Object.entries(more.frames)) total.frames[name] = (total.frames[name] ?? 0) + n;
  for (const key of Object.keys(total) as (keyof DecoderStats)[]) {
    if (key !== 'frames') total[key] += more[key];
  }
  return total;
}

export class FrameDecoder {
  readonly #queue = new ByteQueue();
  readonly #stats = emptyDecoderStats();
  readonly #versions: ReadonlySet<number>;
  readonly #maxPayloadBytes: number;
  readonly #parse: boolean;
  readonly #onBadPayload: ((bad: BadPayload, header: FrameHeader) => void) | undefined;
  /** Header scratch for headers that straddle chunks; parsed immediately, never retained. */
  readonly #scratch = Buffer.allocUnsafe(HEADER_BYTES);
  /** A checked header at queue position 0 whose payload has not fully arrived. */
  #pending: FrameHeader | null = null;
  /** Bytes were skipped since the last good frame: the next good frame is a resync. */
  #skipping = false;

  constructor(options: FrameDecoderOptions = {}) {
    this.#versions = new Set(options.versions ?? SUPPORTED_VERSIONS);
    this.#maxPayloadBytes = Math.min(options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES);
    this.#parse = options.parse ?? false;
    this.#onBadPayload = options.onBadPayload;
  }

  /** A snapshot of the counters. */
  get stats(): DecoderStats {
    return { ...this.#stats, frames: { ...this.#stats.frames } };
  }

  /** Bytes held while waiting for the rest of a frame: always < HEADER_BYTES + maxPayloadBytes after push(). */
  get bufferedBytes(): number {
    return this.#queue.length;
  }

  /** Feeds received bytes; returns the frames they completed, in order. */
  push(chunk: Uint8Array): RawFrame[] {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#stats.bytesIn += buf.length;
    this.#queue.append(buf);
    return this.#drain(false);
  }

  /** End of stream: a partial frame counts as truncated and its bytes are rescanned. */
  end(): RawFrame[] {
    return this.#drain(true);
  }

  #drain(final: boolean): RawFrame[] {
    const out: RawFrame[] = [];
    const q = this.#queue;
    const s = this.#stats;
    for (;;) {
      const h = this.#pending;
      if (h !== null) {
        const total = HEADER_BYTES + h.payloadLength;
        if (q.length < total) {
          if (!final) break;
          s.truncated++;
          this.#pending = null;
          this.#skip(1); // rescan the partial frame's bytes for intact frames
          continue;
        }
        this.#pending = null;
        if (q.crc32c(HEADER_BYTES, total) !== h.payloadCrc) {
          // Restart one byte after the magic, not after the claimed length: if this frame was
          // truncated, the frames that follow it are inside that length.
          s.crcErrors++;
          this.#skip(1);
          continue;
        }
        if (this.#skipping) {
          s.resyncs++;
          this.#skipping = false;
        }
        if (!this.#versions.has(h.version)) {
          s.unsupportedVersion++;
          q.discard(total);
          continue;
        }
        const payload = q.slice(HEADER_BYTES, total);
        q.discard(total);
        this.#emit(h, payload, out);
        continue;
      }

      const at = q.indexOf(MAGIC);
      if (at < 0) {
        // Keep a tail that may be the start of a magic split across chunks.
        const keep = final ? 0 : Math.min(q.length, MAGIC.length - 1);
        if (q.length > keep) this.#skip(q.length - keep);
        if (final) this.#skipping = false; // the stream is over; a later push() starts afresh
        break;
      }
      if (at > 0) this.#skip(at);
      if (q.length < HEADER_BYTES) {
        if (!final) break;
        s.truncated++;
        this.#skip(1);
        continue;
      }
      const parsed = parseHeader(q.slice(0, HEADER_BYTES, this.#scratch));
      if (!parsed.ok) {
        s.headerErrors++;
        this.#skip(1);
        continue;
      }
      if (parsed.header.payloadLength > this.#maxPayloadBytes) {
        s.oversize++; // nothing is allocated or awaited for it
        this.#skip(1);
        continue;
      }
      this.#pending = parsed.header;
    }
    return out;
  }

  #skip(n: number): void {
    this.#stats.bytesSkipped += n;
    this.#queue.discard(n);
    this.#skipping = true;
  }

  #emit(header: FrameHeader, payload: Buffer, out: RawFrame[]): void {
    const s = this.#stats;
    const frame: RawFrame = { header, payload };
    if (this.#parse) {
      const r = parsePayload(header.type, payload);
      if (r.ok) frame.message = r.message;
      else if (r.error.kind === 'badPayload') {
        s.badPayload++;
        this.#onBadPayload?.(r.error, header);
        return;
      } else s.unknownType++;
    } else if (!KNOWN_TYPES.has(header.type)) s.unknownType++;
    const name = messageTypeName(header.type);
    s.frames[name] = (s.frames[name] ?? 0) + 1;
    out.push(frame);
  }
}

export interface ProtocolDecoderOptions extends FrameDecoderOptions {
  /** Decoded frames buffered on the readable side before back-pressure. Default 4 (RF frames are MBs). */
  highWaterMarkFrames?: number;
}

/** Transform stream: bytes in, `RawFrame` objects out. Never errors on bad input. */
export class ProtocolDecoder extends Transform {
  readonly #decoder: FrameDecoder;

  constructor(options: ProtocolDecoderOptions = {}) {
    super({ readableObjectMode: true, readableHighWaterMark: options.highWaterMarkFrames ?? 4 });
    this.#decoder = new FrameDecoder(options);
  }

  get stats(): DecoderStats {
    return this.#decoder.stats;
  }

  get bufferedBytes(): number {
    return this.#decoder.bufferedBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (const frame of this.#decoder.push(chunk)) this.push(frame);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    for (const frame of this.#decoder.end()) this.push(frame);
    callback();
  }
}

/** What `pleura decode FILE --json` prints: the decoder's counters over a whole stream. */
export type StreamSummary = DecoderStats;

/**
 * Decodes a whole recording and returns the counters; frames are discarded as they come, so
 * memory stays bounded by one frame. Payloads are parsed, so `badPayload` is counted.
 */
export async function summarizeStream(
  bytes: Uint8Array | AsyncIterable<Uint8Array>,
  options: Omit<FrameDecoderOptions, 'parse'> = {},
): Promise<StreamSummary> {
  const decoder = new FrameDecoder({ ...options, parse: true });
  if (bytes instanceof Uint8Array) decoder.push(bytes);
  else for await (const chunk of bytes) decoder.push(chunk);
  decoder.end();
  return decoder.stats;
}
