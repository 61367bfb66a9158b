/**
 * Flashes a signed firmware image onto a probe, resumably. Every step is journalled on the host
 * (temp → fsync → rename), so a pulled cable, a killed process or a power cut resumes where it
 * stopped: a write continues after the last chunk the probe acknowledged (once the probe's hash
 * of what it holds matches), an activated image is reset into, a reset probe is confirmed. The
 * probe itself never runs a half-written image (its bootloader swaps only a verified, activated
 * image and reverts one that was not confirmed), so every interruption leaves a working probe.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { writeFileAtomic } from '../../device/fs/atomic-file.js';
import { crc32c } from '../protocol/crc32c.js';
import { createTransport } from '../transports/open-transport.js';
import type { TransportSpec } from '../transports/transport.js';
import { BootloaderClient } from './bootloader-client.js';
import { BootloaderType as T, Slot, encodeHashRequest, encodeSlot, encodeWrite, parseHash, parseInfo, type BootloaderInfo } from './bootloader-messages.js';
import { checkFirmwareImage, parseFirmwareImage } from './firmware-image.js';

export type FlashStep = 'writing' | 'written' | 'activated' | 'reset';

interface Journal {
  imageSha256: string;
  version: string;
  step: FlashStep;
  writtenBytes: number;
}

export class FirmwareRefused extends Error {
  override name = 'FirmwareRefused';
}

export interface FlashOptions {
  transport: TransportSpec;
  journalFile: string;
  /** Keys trusted for firmware (the device's trust document, scope `firmware`). */
  trustedKeys: Array<{ keyId: string; publicKey: string }>;
  chunkBytes?: number;
  onProgress?: (writtenBytes: number, totalBytes: number) => void;
  log?: (line: string) => void;
  /** Test hook after each journalled step or chunk. */
  afterStep?: (step: FlashStep, writtenBytes: number) => void;
  reconnectTimeoutMs?: number;
}

export interface FlashResult {
  from: string;
  to: string;
  resumedAt: number | null;
}

export async function flashFirmware(imageBytes: Buffer, opts: FlashOptions): Promise<FlashResult> {
  const log = opts.log ?? (() => undefined);
  const image = parseFirmwareImage(imageBytes);
  const sha = createHash('sha256').update(imageBytes).digest('hex');
  let journal = readJournal(opts.journalFile);
  if (journal && journal.imageSha256 !== sha) {
    log(`journal of another image (${journal.version}) found; starting over`);
    journal = null;
  }
  const save = (j: Journal) => {
    journal = j;
    writeFileAtomic(opts.journalFile, JSON.stringify(j));
    opts.afterStep?.(j.step, j.writtenBytes);
  };

  let client = await connect(opts.transport);
  try {
    const id = await client.identify();
    const refusal = checkFirmwareImage(image, opts.trustedKeys, id.model);
    if (refusal) throw new FirmwareRefused(`${refusal}; nothing was written`);
    const from = id.firmwareVersion;
    let resumedAt: number | null = null;

    if (!journal || journal.step === 'writing' || journal.step === 'written') {
      await client.request(T.BL_ENTER, Buffer.alloc(0));
      const info = parseInfo((await client.request(T.BL_INFO_REQUEST, Buffer.alloc(0), T.BL_INFO)).payload);
      const start = await resumePoint(client, info, imageBytes, journal);
      if (start > 0) {
        resumedAt = start;
        log(`resuming the write at byte ${start} of ${imageBytes.length}`);
      } else {
        await client.request(T.BL_ERASE, encodeSlot(Slot.SECONDARY));
      }
      const chunk = Math.min(opts.chunkBytes ?? info.maxChunkBytes, info.maxChunkBytes);
      save({ imageSha256: sha, version: image.version, step: 'writing', writtenBytes: start });
      for (let offset = start; offset < imageBytes.length; offset += chunk) {
        const data = imageBytes.subarray(offset, Math.min(imageBytes.length, offset + chunk));
        await client.request(T.BL_WRITE, encodeWrite({ slot: Slot.SECONDARY, offset, crc32c: crc32c(data), data }));
        save({ imageSha256: sha, version: image.version, step: 'writing', writtenBytes: offset + data.length });
        opts.onProgress?.(offset + data.length, imageBytes.length);
      }
      const probeHash = parseHash((await client.request(T.BL_HASH_REQUEST, encodeHashRequest(Slot.SECONDARY, imageBytes.length), T.BL_HASH)).payload).sha256;
      if (!probeHash.equals(Buffer.from(sha, 'hex'))) throw new Error('the probe holds different bytes than were sent (read-back hash mismatch); flash again');
      save({ imageSha256: sha, version: image.version, step: 'written', writtenBytes: imageBytes.length });
      await client.request(T.BL_ACTIVATE, encodeSlot(Slot.SECONDARY), null, 10_000);
      save({ imageSha256: sha, version: image.version, step: 'activated', writtenBytes: imageBytes.length });
    }
    // A probe that was power-cycled after activation already runs the new image on test: confirm
    // it, never reset it again (an unconfirmed image is reverted at the next reset).
    if (journal!.step === 'activated' && (await client.identify()).firmwareVersion !== image.version) {
      await client.request(T.BL_RESET, Buffer.alloc(0)).catch(() => undefined);
      save({ imageSha256: sha, version: image.version, step: 'reset', writtenBytes: imageBytes.length });
      await client.close();
      client = await reconnect(opts.transport, opts.reconnectTimeoutMs ?? 15_000);
    }
    // After the reset: the new image runs on test and must be confirmed, or the probe reverts.
    const after = await client.identify();
    if (after.firmwareVersion !== image.version) {
      fs.rmSync(opts.journalFile, { force: true });
      throw new FirmwareRefused(`the probe did not start firmware ${image.version} and went back to ${after.firmwareVersion}; the image was rejected at boot`);
    }
    await client.request(T.BL_CONFIRM, Buffer.alloc(0));
    fs.rmSync(opts.journalFile, { force: true });
    log(`probe firmware ${from} → ${image.version}, confirmed`);
    return { from, to: image.version, resumedAt };
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function resumePoint(client: BootloaderClient, info: BootloaderInfo, image: Buffer, journal: Journal | null): Promise<number> {
  const secondary = info.slots.find((s) => s.slot === Slot.SECONDARY);
  if (!journal || !secondary || secondary.state !== 'written' || journal.writtenBytes <= 0) return 0;
  const n = Math.min(journal.writtenBytes, secondary.imageBytes);
  const probe = parseHash((await client.request(T.BL_HASH_REQUEST, encodeHashRequest(Slot.SECONDARY, n), T.BL_HASH)).payload).sha256;
  const local = createHash('sha256').update(image.subarray(0, n)).digest();
  return probe.equals(local) ? n : 0;
}

function readJournal(file: string): Journal | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Journal;
  } catch {
    return null;
  }
}

async function connect(spec: TransportSpec): Promise<BootloaderClient> {
  const transport = createTransport(spec);
  await transport.open();
  return new BootloaderClient(transport);
}

async function reconnect(spec: TransportSpec, timeoutMs: number): Promise<BootloaderClient> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | null = null;
  while (Date.now() < deadline) {
    try {
      const c = await connect(spec);
      await c.identify();
      return c;
    } catch (err) {
      last = err as Error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`the probe did not come back within ${timeoutMs} ms after its reset: ${last?.message ?? ''}`);
}
