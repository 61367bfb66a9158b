/**
 * Builds complete frames (header + payload) for one sender. The encoder owns the sender's
 * sequence counter, because a request's id on the wire is its `seq` (ACK/NACK echo it back).
 *
 * Each frame is one Buffer allocated once: the payload is written straight after the header
 * slot, its CRC computed in place, then the header written in front. At 2–3 MB RF frames and
 * 30 fps that is the only allocation per frame.
 *
 * @example
 *   const enc = new ProtocolEncoder();
 *   const { seq, bytes } = enc.encode({ type: MessageType.START, body: null });
 *   await transport.write(bytes); // later: match ACK.requestSeq === seq
 */
import { crc32c } from './crc32c.js';
import { BASE_VERSION, HEADER_BYTES, MAX_PAYLOAD_BYTES, writeHeader } from './header.js';
import type { ProbeMessage } from './messages.js';
import { payloadByteLength, writePayload } from './payloads.js';

export interface EncodeOptions {
  /** Sender clock in µs; defaults to the monotonic clock. */
  timestampUs?: bigint | number;
  /** Header flags, e.g. ACK_REQUESTED. Default 0. */
  flags?: number;
  /** Overrides the encoder's version for this frame (IDENTIFY_REQUEST always goes as version 1). */
  version?: number;
}

export interface EncodedFrame {
  seq: number;
  bytes: Buffer;
}

export interface ProtocolEncoderOptions {
  /** Version written into every frame until changed with `setVersion` (after negotiation). Default 1. */
  version?: number;
  /** First sequence number. Default 0. */
  initialSeq?: number;
  /** Clock for frames encoded without an explicit timestamp. Default: process.hrtime in µs. */
  clockUs?: () => bigint;
}

const monotonicUs = (): bigint => process.hrtime.bigint() / 1000n;

export class ProtocolEncoder {
  #seq: number;
  #version: number;
  readonly #clockUs: () => bigint;

  constructor(options: ProtocolEncoderOptions = {}) {
    this.#seq = (options.initialSeq ?? 0) >>> 0;
    this.#version = options.version ?? BASE_VERSION;
    this.#clockUs = options.clockUs ?? monotonicUs;
  }

  /** The seq the next frame will carry. */
  get nextSeq(): number {
    return this.#seq;
  }

  get version(): number {
    return this.#version;
  }

  /** Switches every later frame to the negotiated version. */
  setVersion(version: number): void {
    this.#version = version;
  }

  /** Encodes one message as a complete frame. Throws PayloadEncodeError for an invalid message. */
  encode(msg: ProbeMessage, opts: EncodeOptions = {}): EncodedFrame {
    const payloadLength = payloadByteLength(msg);
    const bytes = Buffer.allocUnsafe(HEADER_BYTES + payloadLength);
    writePayload(msg, bytes, HEADER_BYTES);
    const seq = this.#takeSeq();
    writeHeader(
      {
        version: opts.version ?? this.#version,
        type: msg.type,
        flags: opts.flags ?? 0,
        seq,
        timestampUs: this.#timestamp(opts.timestampUs),
        payloadLength,
        payloadCrc: crc32c(bytes, 0, HEADER_BYTES, bytes.length),
      },
      bytes,
      0,
    );
    return { seq, bytes };
  }

  /**
   * Frames an arbitrary payload under any type code: vendor-debug and bootloader messages, and
   * tests that need frames this host does not understand.
   */
  encodeRaw(type: number, payload: Uint8Array, opts: EncodeOptions = {}): EncodedFrame {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new RangeError(`payload of ${payload.length} bytes exceeds the protocol maximum of ${MAX_PAYLOAD_BYTES}`);
    }
    const bytes = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
    bytes.set(payload, HEADER_BYTES);
    const seq = this.#takeSeq();
    writeHeader(
      {
        version: opts.version ?? this.#version,
        type,
        flags: opts.flags ?? 0,
        seq,
        timestampUs: this.#timestamp(opts.timestampUs),
        payloadLength: payload.length,
        payloadCrc: crc32c(payload),
      },
      bytes,
      0,
    );
    return { seq, bytes };
  }

  #takeSeq(): number {
    const seq = this.#seq;
    this.#seq = (this.#seq + 1) >>> 0; // wraps at 2^32 as the spec says
    return seq;
  }

  #timestamp(t: bigint | number | undefined): bigint {
    if (t === undefined) return this.#clockUs();
    return typeof t === 'bigint' ? t : BigInt(Math.trunc(t));
  }
}
