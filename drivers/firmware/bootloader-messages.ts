/**
 * Bootloader messages of protocol v1 (docs/probe-protocol.md, "Bootloader"): codes, payload
 * types and their codecs. They travel as raw frames (ProtocolEncoder.encodeRaw) beside the
 * ordinary messages; ACK and NACK are the ordinary ones.
 */
import { PayloadReader, PayloadWriter, strBytes } from '../protocol/wire.js';

export const BootloaderType = {
  BL_ENTER: 0x80,
  BL_INFO_REQUEST: 0x81,
  BL_INFO: 0x82,
  BL_ERASE: 0x83,
  BL_WRITE: 0x84,
  BL_HASH_REQUEST: 0x85,
  BL_HASH: 0x86,
  BL_ACTIVATE: 0x87,
  BL_RESET: 0x88,
  BL_CONFIRM: 0x89,
} as const;

export const Slot = { GOLDEN: 0, PRIMARY: 1, SECONDARY: 2 } as const;
export type SlotId = (typeof Slot)[keyof typeof Slot];

export const SLOT_STATES = ['empty', 'valid', 'written', 'pending', 'testing', 'rejected'] as const;
export type SlotState = (typeof SLOT_STATES)[number];

export interface SlotInfo {
  slot: SlotId;
  state: SlotState;
  imageBytes: number;
  sha256: Buffer;
  version: string;
}

export interface BootloaderInfo {
  bootloaderVersion: number;
  runningSlot: SlotId;
  maxChunkBytes: number;
  slots: SlotInfo[];
}

export function encodeInfo(info: BootloaderInfo): Buffer {
  const size = 8 + info.slots.reduce((n, s) => n + 8 + 32 + strBytes(s.version), 0);
  const w = new PayloadWriter(Buffer.alloc(size), 0);
  w.u16(info.bootloaderVersion);
  w.u8(info.runningSlot);
  w.u8(info.slots.length);
  w.u32(info.maxChunkBytes);
  for (const s of info.slots) {
    w.u8(s.slot);
    w.u8(SLOT_STATES.indexOf(s.state));
    w.u16(0);
    w.u32(s.imageBytes);
    w.raw(s.sha256);
    w.str(s.version);
  }
  return w.buf;
}

export function parseInfo(payload: Buffer): BootloaderInfo {
  const r = new PayloadReader(payload);
  const bootloaderVersion = r.u16();
  const runningSlot = r.u8() as SlotId;
  const count = r.u8();
  const maxChunkBytes = r.u32();
  const slots: SlotInfo[] = [];
  for (let i = 0; i < count; i++) {
    const slot = r.u8() as SlotId;
    const state = SLOT_STATES[r.u8()] ?? 'rejected';
    r.skip(2);
    const imageBytes = r.u32();
    r.need(32, 'slot sha256');
    const sha256 = Buffer.from(payload.subarray(r.pos, r.pos + 32));
    r.skip(32);
    slots.push({ slot, state, imageBytes, sha256, version: r.str('slot version') });
  }
  r.end();
  return { bootloaderVersion, runningSlot, maxChunkBytes, slots };
}

export function encodeSlot(slot: SlotId): Buffer {
  return Buffer.of(slot);
}

export interface WriteChunk {
  slot: SlotId;
  offset: number;
  crc32c: number;
  data: Buffer;
}

export function encodeWrite(c: WriteChunk): Buffer {
  const out = Buffer.alloc(12 + c.data.length);
  out.writeUInt8(c.slot, 0);
  out.writeUInt32LE(c.offset, 4);
  out.writeUInt32LE(c.crc32c >>> 0, 8);
  c.data.copy(out, 12);
  return out;
}

export function parseWrite(payload: Buffer): WriteChunk {
  if (payload.length < 12) throw new RangeError(`BL_WRITE payload of ${payload.length} bytes is shorter than its 12-byte header`);
  return { slot: payload.readUInt8(0) as SlotId, offset: payload.readUInt32LE(4), crc32c: payload.readUInt32LE(8), data: payload.subarray(12) };
}

export function encodeHashRequest(slot: SlotId, length: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt8(slot, 0);
  out.writeUInt32LE(length, 4);
  return out;
}

export function parseHashRequest(payload: Buffer): { slot: SlotId; length: number } {
  if (payload.length !== 8) throw new RangeError(`BL_HASH_REQUEST payload must be 8 bytes, got ${payload.length}`);
  return { slot: payload.readUInt8(0) as SlotId, length: payload.readUInt32LE(4) };
}

export function encodeHash(slot: SlotId, length: number, sha256: Buffer): Buffer {
  return Buffer.concat([encodeHashRequest(slot, length), sha256]);
}

export function parseHash(payload: Buffer): { slot: SlotId; length: number; sha256: Buffer } {
  if (payload.length !== 40) throw new RangeError(`BL_HASH payload must be 40 bytes, got ${payload.length}`);
  return { slot: payload.readUInt8(0) as SlotId, length: payload.readUInt32LE(4), sha256: Buffer.from(payload.subarray(8, 40)) };
}
