/**
 * The simulated probe's firmware flash, kept in a folder so that it survives the simulator being
 * killed (a pulled cable or a power cut): golden.bin, primary.bin, secondary.bin and flash.json.
 * The boot logic is MCUboot's swap-with-revert: an activated image is swapped into primary and
 * runs on test; if it is not confirmed before the next reset it is swapped back and rejected.
 * The swap is three renames journalled in flash.json; an interrupted swap is finished at boot
 * from which files exist, so a reset inside it cannot leave the probe without an image.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../device/fs/atomic-file.js';
import { SLOT_STATES, Slot, type SlotId, type SlotInfo, type SlotState } from './bootloader-messages.js';
import { checkFirmwareImage, parseFirmwareImage } from './firmware-image.js';

interface FlashState {
  primary: SlotState;
  secondary: SlotState;
  /** A swap between primary and secondary in progress ('swap-in' after activation, 'revert' back). */
  swap: 'swap-in' | 'revert' | null;
  /** Bytes written into secondary since its erase (for resuming writes). */
  secondaryWritten: number;
}

export const SLOT_CAPACITY = 2 << 20;
export const MAX_CHUNK = 16 << 10;

const FILES: Record<SlotId, string> = { [Slot.GOLDEN]: 'golden.bin', [Slot.PRIMARY]: 'primary.bin', [Slot.SECONDARY]: 'secondary.bin' };

export class SimFlash {
  private state: FlashState;
  runningSlot: SlotId = Slot.GOLDEN;

  constructor(
    readonly dir: string,
    readonly model: string,
    readonly trustedKeys: Array<{ keyId: string; publicKey: string }>,
    readonly log: (line: string) => void = () => undefined,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.state = this.load();
  }

  /** Installs the factory image (golden, and primary if empty). */
  provisionGolden(image: Buffer): void {
    const reason = checkFirmwareImage(parseFirmwareImage(image), this.trustedKeys, this.model);
    if (reason) throw new Error(`golden image refused: ${reason}`);
    writeFileAtomic(this.file(Slot.GOLDEN), image);
    if (!fs.existsSync(this.file(Slot.PRIMARY))) {
      writeFileAtomic(this.file(Slot.PRIMARY), image);
      this.state.primary = 'valid';
      this.save();
    }
  }

  private file(slot: SlotId): string {
    return path.join(this.dir, FILES[slot]);
  }

  private load(): FlashState {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, 'flash.json'), 'utf8')) as FlashState;
    } catch {
      return { primary: 'empty', secondary: 'empty', swap: null, secondaryWritten: 0 };
    }
  }

  private save(): void {
    writeFileAtomic(path.join(this.dir, 'flash.json'), JSON.stringify(this.state));
  }

  private read(slot: SlotId): Buffer | null {
    try {
      return fs.readFileSync(this.file(slot));
    } catch {
      return null;
    }
  }

  private imageIsGood(slot: SlotId): boolean {
    const bytes = this.read(slot);
    if (!bytes) return false;
    try {
      return checkFirmwareImage(parseFirmwareImage(bytes), this.trustedKeys, this.model) === null;
    } catch {
      return false;
    }
  }

  /** What the bootloader does at every reset. Returns the version that runs. */
  boot(): string {
    const interrupted = this.state.swap;
    if (interrupted) this.finishSwap();
    // An image on test that was not confirmed before this reset goes back — unless this boot is
    // the one that swapped it in (its swap had been interrupted by the power cut).
    if (interrupted !== 'swap-in' && this.state.primary === 'testing') {
      this.log('firmware on test was not confirmed before this reset: reverting');
      this.state.swap = 'revert';
      this.save();
      this.finishSwap();
    }
    if (this.state.secondary === 'pending') {
      this.state.swap = 'swap-in';
      this.save();
      this.finishSwap();
    }
    this.runningSlot = (this.state.primary === 'valid' || this.state.primary === 'testing') && this.imageIsGood(Slot.PRIMARY) ? Slot.PRIMARY : Slot.GOLDEN;
    if (this.runningSlot === Slot.GOLDEN) this.log('no valid primary image: booting the golden image');
    return this.runningVersion();
  }

  /** Three renames through scratch.bin; each resumes from whichever files exist. */
  private finishSwap(): void {
    const scratch = path.join(this.dir, 'scratch.bin');
    const primary = this.file(Slot.PRIMARY);
    const secondary = this.file(Slot.SECONDARY);
    if (!fs.existsSync(scratch) && fs.existsSync(primary) && fs.existsSync(secondary)) fs.renameSync(primary, scratch);
    if (fs.existsSync(scratch) && !fs.existsSync(primary) && fs.existsSync(secondary)) fs.renameSync(secondary, primary);
    if (fs.existsSync(scratch) && fs.existsSync(primary) && !fs.existsSync(secondary)) fs.renameSync(scratch, secondary);
    if (this.state.swap === 'swap-in') {
      this.state.primary = 'testing';
      this.state.secondary = 'valid';
    } else if (this.state.swap === 'revert') {
      this.state.primary = 'valid';
      this.state.secondary = 'rejected';
    }
    this.state.swap = null;
    this.state.secondaryWritten = 0;
    this.save();
  }

  runningVersion(): string {
    const bytes = this.read(this.runningSlot);
    return bytes ? parseFirmwareImage(bytes).version : 'none';
  }

  info(): SlotInfo[] {
    return ([Slot.GOLDEN, Slot.PRIMARY, Slot.SECONDARY] as SlotId[]).map((slot) => {
      const bytes = this.read(slot) ?? Buffer.alloc(0);
      const state: SlotState = slot === Slot.GOLDEN ? (bytes.length ? 'valid' : 'empty') : slot === Slot.PRIMARY ? this.state.primary : this.state.secondary;
      let version = '';
      try {
        version = bytes.length && state !== 'written' ? parseFirmwareImage(bytes).version : '';
      } catch {
        version = '';
      }
      return { slot, state, imageBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest(), version };
    });
  }

  erase(slot: SlotId): string | null {
    if (slot !== Slot.SECONDARY) return 'only the secondary slot can be erased';
    fs.rmSync(this.file(slot), { force: true });
    fs.writeFileSync(this.file(slot), Buffer.alloc(0));
    this.state.secondary = 'empty';
    this.state.secondaryWritten = 0;
    this.save();
    return null;
  }

  write(slot: SlotId, offset: number, data: Buffer): string | null {
    if (slot !== Slot.SECONDARY) return 'only the secondary slot can be written';
    if (offset + data.length > SLOT_CAPACITY) return `write of ${data.length} bytes at ${offset} goes past the ${SLOT_CAPACITY}-byte slot`;
    const fd = fs.openSync(this.file(slot), fs.existsSync(this.file(slot)) ? 'r+' : 'w');
    try {
      fs.writeSync(fd, data, 0, data.length, offset);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.state.secondary = 'written';
    this.state.secondaryWritten = Math.max(this.state.secondaryWritten, offset + data.length);
    this.save();
    return null;
  }

  hash(slot: SlotId, length: number): Buffer {
    const bytes = this.read(slot) ?? Buffer.alloc(0);
    return createHash('sha256').update(bytes.subarray(0, Math.min(length, bytes.length))).digest();
  }

  activate(slot: SlotId): string | null {
    if (slot !== Slot.SECONDARY) return 'only the secondary slot can be activated';
    const bytes = this.read(slot);
    if (!bytes) return 'the secondary slot is empty';
    let reason: string | null;
    try {
      reason = checkFirmwareImage(parseFirmwareImage(bytes), this.trustedKeys, this.model);
    } catch (err) {
      reason = (err as Error).message;
    }
    if (reason) {
      this.state.secondary = 'rejected';
      this.save();
      return reason;
    }
    this.state.secondary = 'pending';
    this.save();
    return null;
  }

  confirm(): void {
    if (this.state.primary === 'testing' && this.runningSlot === Slot.PRIMARY) {
      this.state.primary = 'valid';
      this.save();
    }
  }
}

export { SLOT_STATES };
