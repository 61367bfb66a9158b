/**
 * The simulated probe's bootloader: answers the bootloader messages over the probe link, backed
 * by SimFlash. The simulated probe hands it every frame of the bootloader range; a reset is
 * carried out by the probe (it closes the link and boots again).
 */
import type { RawFrame } from '../protocol/decoder.js';
import { NackCode } from '../protocol/messages.js';
import { crc32c } from '../protocol/crc32c.js';
import { BootloaderType as T, encodeHash, encodeInfo, parseHashRequest, parseWrite, type SlotId } from './bootloader-messages.js';
import { MAX_CHUNK, type SimFlash } from './sim-flash.js';

export interface BootloaderReplies {
  ack(requestSeq: number, requestType: number): void;
  nack(requestSeq: number, requestType: number, code: number, reason: string): void;
  raw(type: number, payload: Buffer): void;
  /** The probe resets once the ACK is on its way. */
  reset(): void;
}

export const BOOTLOADER_VERSION = 1;

export class SimBootloader {
  active = false;

  constructor(private readonly flash: SimFlash) {}

  handle(frame: RawFrame, out: BootloaderReplies): void {
    const { type, seq } = frame.header;
    const p = frame.payload;
    try {
      if (type === T.BL_ENTER) {
        this.active = true;
        return out.ack(seq, type);
      }
      // The running firmware confirms itself after the reset that swapped it in: no BL_ENTER.
      if (type === T.BL_CONFIRM) {
        this.flash.confirm();
        return out.ack(seq, type);
      }
      if (!this.active) return out.nack(seq, type, NackCode.BUSY, 'send BL_ENTER first: the probe is not in its bootloader');
      switch (type) {
        case T.BL_INFO_REQUEST:
          return out.raw(T.BL_INFO, encodeInfo({ bootloaderVersion: BOOTLOADER_VERSION, runningSlot: this.flash.runningSlot, maxChunkBytes: MAX_CHUNK, slots: this.flash.info() }));
        case T.BL_ERASE:
          return this.result(out, seq, type, this.flash.erase(p.readUInt8(0) as SlotId), NackCode.OUT_OF_RANGE);
        case T.BL_WRITE: {
          const c = parseWrite(p);
          if (c.data.length > MAX_CHUNK) return out.nack(seq, type, NackCode.OUT_OF_RANGE, `chunk of ${c.data.length} bytes exceeds ${MAX_CHUNK}`);
          if (crc32c(c.data) !== c.crc32c) return out.nack(seq, type, NackCode.BAD_PAYLOAD, `chunk at ${c.offset}: CRC-32C mismatch, not written`);
          return this.result(out, seq, type, this.flash.write(c.slot, c.offset, c.data), NackCode.OUT_OF_RANGE);
        }
        case T.BL_HASH_REQUEST: {
          const r = parseHashRequest(p);
          return out.raw(T.BL_HASH, encodeHash(r.slot, r.length, this.flash.hash(r.slot, r.length)));
        }
        case T.BL_ACTIVATE:
          return this.result(out, seq, type, this.flash.activate(p.readUInt8(0) as SlotId), NackCode.IMAGE_REJECTED);
        case T.BL_RESET:
          out.ack(seq, type);
          this.active = false;
          return out.reset();
        default:
          return out.nack(seq, type, NackCode.UNKNOWN_TYPE, `bootloader message 0x${type.toString(16)} is not supported`);
      }
    } catch (err) {
      out.nack(seq, type, NackCode.BAD_PAYLOAD, (err as Error).message.slice(0, 200));
    }
  }

  private result(out: BootloaderReplies, seq: number, type: number, refusal: string | null, code: number): void {
    if (refusal) out.nack(seq, type, code, refusal.slice(0, 250));
    else out.ack(seq, type);
  }
}
