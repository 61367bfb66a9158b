/**
 * The 32-byte frame header (docs/probe-protocol.md, "Frame header"). Its layout is frozen for
 * every protocol version, which is what lets a receiver skip frames of versions it does not speak.
 */
import { crc32c } from './crc32c.js';

/** ASCII "PLRA". */
export const MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x50, 0x4c, 0x52, 0x41);
export const HEADER_BYTES = 32;
/** 16 MiB: the largest payload a receiver will buffer. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Protocol versions this host speaks, ascending. */
export const SUPPORTED_VERSIONS: readonly number[] = [1];
/** The version every probe must accept for IDENTIFY_REQUEST, before negotiation. */
export const BASE_VERSION = 1;

/** Header flag bit 0: the sender wants an ACK/NACK for this frame. */
export const ACK_REQUESTED = 0x0001;
export const HeaderFlag = { ACK_REQUESTED } as const;

const HEADER_CRC_OFFSET = 28;

export interface FrameHeader {
  version: number;
  type: number;
  flags: number;
  /** Per-sender sequence number; also the request id that ACK/NACK refer to. */
  seq: number;
  /** Sender's monotonic clock in µs (u64, hence bigint). */
  timestampUs: bigint;
  payloadLength: number;
  payloadCrc: number;
  headerCrc: number;
}

/** What an encoder supplies; the header CRC is computed. */
export type FrameHeaderFields = Omit<FrameHeader, 'headerCrc'>;

/**
 * Writes a header (magic, fields, header CRC) into `target` at `offset`. Throws RangeError for
 * fields that do not fit their wire width — that is a bug in the caller, not bad input.
 */
export function writeHeader(h: FrameHeaderFields, target: Buffer, offset = 0): void {
  checkUint('version', h.version, 0xff);
  checkUint('type', h.type, 0xff);
  checkUint('flags', h.flags, 0xffff);
  checkUint('seq', h.seq, 0xffffffff);
  checkUint('payloadLength', h.payloadLength, MAX_PAYLOAD_BYTES);
  checkUint('payloadCrc', h.payloadCrc, 0xffffffff);
  if (h.timestampUs < 0n || h.timestampUs > 0xffffffffffffffffn) {
    throw new RangeError(`frame header timestampUs ${h.timestampUs} does not fit a u64`);
  }
  target.set(MAGIC, offset);
  target.writeUInt8(h.version, offset + 4);
  target.writeUInt8(h.type, offset + 5);
  target.writeUInt16LE(h.flags, offset + 6);
  target.writeUInt32LE(h.seq, offset + 8);
  target.writeBigUInt64LE(h.timestampUs, offset + 12);
  target.writeUInt32LE(h.payloadLength, offset + 20);
  target.writeUInt32LE(h.payloadCrc, offset + 24);
  target.writeUInt32LE(crc32c(target, 0, offset, offset + HEADER_CRC_OFFSET), offset + HEADER_CRC_OFFSET);
}

/** Allocates and returns a 32-byte header. */
export function encodeHeader(h: FrameHeaderFields): Buffer {
  const b = Buffer.allocUnsafe(HEADER_BYTES);
  writeHeader(h, b);
  return b;
}

export type HeaderParseResult =
  | { ok: true; header: FrameHeader }
  | { ok: false; reason: 'short' | 'magic' | 'headerCrc' };

/**
 * Parses 32 bytes at `offset`. Checks the magic and the header CRC only: whether the version,
 * type and length are acceptable is the receiver's policy (see decoder.ts).
 */
export function parseHeader(bytes: Buffer, offset = 0): HeaderParseResult {
  if (bytes.length - offset < HEADER_BYTES) return { ok: false, reason: 'short' };
  if (!hasMagicAt(bytes, offset)) return { ok: false, reason: 'magic' };
  const headerCrc = bytes.readUInt32LE(offset + HEADER_CRC_OFFSET);
  if (crc32c(bytes, 0, offset, offset + HEADER_CRC_OFFSET) !== headerCrc) return { ok: false, reason: 'headerCrc' };
  return {
    ok: true,
    header: {
      version: bytes[offset + 4]!,
      type: bytes[offset + 5]!,
      flags: bytes.readUInt16LE(offset + 6),
      seq: bytes.readUInt32LE(offset + 8),
      timestampUs: bytes.readBigUInt64LE(offset + 12),
      payloadLength: bytes.readUInt32LE(offset + 20),
      payloadCrc: bytes.readUInt32LE(offset + 24),
      headerCrc,
    },
  };
}

export function hasMagicAt(bytes: Uint8Array, offset: number): boolean {
  return (
    bytes[offset] === MAGIC[0] &&
    bytes[offset + 1] === MAGIC[1] &&
    bytes[offset + 2] === MAGIC[2] &&
    bytes[offset + 3] === MAGIC[3]
  );
}

function checkUint(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`frame header ${field} ${value} is not an integer in 0..${max}`);
  }
}
