/**
 * Technician mode: what the maintenance page can do once unlocked — device info and versions,
 * the element check, recent logs, installing an update from a file or a USB stick, flashing probe
 * firmware with progress. Every action (and every refused or failed one) goes into the audit log
 * with actor "technician"; every refusal is also logged with the sentence the page shows.
 *
 * The probe is shared with imaging: the element check and a firmware flash borrow it (the
 * acquire stage lets go, and gets it back afterwards), and both are refused while an exam is open.
 */
import fs from 'node:fs';
import type { Configure } from '../../drivers/protocol/messages.js';
import type { TransportSpec } from '../../drivers/transports/transport.js';
import { FirmwareRefused, flashFirmware } from '../../drivers/firmware/flasher.js';
import { parseFirmwareImage } from '../../drivers/firmware/firmware-image.js';
import type { Logger } from '../log.js';
import { UpdateRefused } from '../update/errors.js';
import type { UpdateService } from '../update/update-service.js';
import { elementCheck, type ElementCheck } from './element-check.js';
import { BUNDLE_EXTENSIONS, FIRMWARE_EXTENSIONS, findMediaFiles, type MediaFile } from './media-files.js';
import { testAcquisition } from './probe-diagnostics.js';
import type { RecentLog } from './recent-log.js';
import type { TechnicianAuth } from './technician-session.js';

export const ACTOR = 'technician';

export interface DeviceInfo {
  serial: string | null;
  site: string | null;
  software: { version: string; release: { current: string | null; trial: string | null; bad: string[] } | null };
  models: Array<{ name: string; version: string }>;
  probe: { state: string; model: string | null; serial: string | null; firmwareVersion: string | null };
  uptimeS: number;
}

export interface ProbeAccess {
  transport(): TransportSpec;
  /** Imaging's current settings (depth, rate, transmits) for the test acquisition. */
  settings(): Omit<Configure, 'mode'>;
  /** Makes imaging let go of the probe; the returned function gives it back. */
  borrow(): Promise<() => Promise<void>>;
}

export interface MaintenanceDeps {
  auth: TechnicianAuth;
  updates: UpdateService;
  audit(action: string, detail: Record<string, unknown>): Promise<void>;
  /** The latest maintenance entries of the audit log, newest first. */
  auditTrail(limit: number): Promise<Array<{ at: string; actor: string; action: string; detail: Record<string, unknown> }>>;
  deviceInfo(): DeviceInfo;
  examInProgress(): Promise<string | null>;
  logs: RecentLog;
  log: Logger;
  mediaDirs: readonly string[];
  probe: ProbeAccess | null;
  /** Keys of the trust document with scope `firmware`. */
  firmwareKeys(): Array<{ keyId: string; publicKey: string }>;
  firmwareJournal: string;
  weakElementFraction: number;
  /** After a successful install (e.g. restart the service into the new release). */
  afterInstall?(version: string): void;
}

export interface FirmwareProgress {
  state: 'idle' | 'running' | 'done' | 'failed';
  file: string | null;
  writtenBytes: number;
  totalBytes: number;
  from: string | null;
  to: string | null;
  message: string | null;
}

/** A refusal the page shows as it is (HTTP 409); `code` for the audit log. */
export class MaintenanceRefused extends Error {
  override name = 'MaintenanceRefused';
  readonly status = 409;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class MaintenanceService {
  private firmware: FirmwareProgress = { state: 'idle', file: null, writtenBytes: 0, totalBytes: 0, from: null, to: null, message: null };
  private probeBusy = false;

  constructor(readonly deps: MaintenanceDeps) {}

  get auth(): TechnicianAuth {
    return this.deps.auth;
  }

  info(): DeviceInfo {
    return this.deps.deviceInfo();
  }

  logs(lines: number): string[] {
    return this.deps.logs.tail(Math.min(Math.max(1, lines), 500));
  }

  media(): { bundles: MediaFile[]; firmware: MediaFile[] } {
    return { bundles: findMediaFiles(this.deps.mediaDirs, BUNDLE_EXTENSIONS), firmware: findMediaFiles(this.deps.mediaDirs, FIRMWARE_EXTENSIONS) };
  }

  async installUpdate(file: string): Promise<{ version: string; previous: string | null; databaseBackup: string | null }> {
    try {
      const r = await this.deps.updates.install(file);
      this.deps.log.info(`maintenance: installed ${r.version} from ${file} (was ${r.previous ?? 'nothing'}); it runs on trial after the restart`);
      this.deps.afterInstall?.(r.version);
      return r;
    } catch (err) {
      if (err instanceof UpdateRefused) throw this.refused(err.code, err.message);
      throw err;
    }
  }

  async diagnostics(): Promise<ElementCheck & { probe: { model: string; serial: string; firmwareVersion: string } }> {
    const probe = await this.takeProbe('element check');
    try {
      const acq = await testAcquisition(probe.access.transport(), probe.access.settings());
      const check = elementCheck(acq.frame, { weakFraction: this.deps.weakElementFraction });
      this.deps.log.info(`maintenance: element check of ${acq.probe.model} ${acq.probe.serial}: ${check.elementCount} elements, median RMS ${check.medianRms.toFixed(1)}, dead [${check.dead.join(', ')}], weak [${check.weak.join(', ')}]`);
      return { ...check, probe: acq.probe };
    } finally {
      await probe.release();
    }
  }

  firmwareProgress(): FirmwareProgress {
    return { ...this.firmware };
  }

  /**
   * Checks the image and starts flashing in the background (progress: firmwareProgress()).
   * `onDone` is called with the outcome, for the audit log.
   */
  async startFirmwareFlash(file: string, onDone: (p: FirmwareProgress) => void): Promise<FirmwareProgress> {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw this.refused('no-file', `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the USB stick is mounted and the name is right`);
    }
    let version: string;
    try {
      version = parseFirmwareImage(bytes).version;
    } catch (err) {
      throw this.refused('not-firmware', `${file} is not a probe firmware image: ${(err as Error).message}`);
    }
    const probe = await this.takeProbe('firmware update');
    this.firmware = { state: 'running', file, writtenBytes: 0, totalBytes: bytes.length, from: null, to: version, message: null };
    void (async () => {
      let outcome: Partial<FirmwareProgress>;
      try {
        const r = await flashFirmware(bytes, {
          transport: probe.access.transport(),
          journalFile: this.deps.firmwareJournal,
          trustedKeys: this.deps.firmwareKeys(),
          log: (l) => this.deps.log.info(`probe firmware: ${l}`),
          onProgress: (done, total) => Object.assign(this.firmware, { writtenBytes: done, totalBytes: total }),
        });
        outcome = { state: 'done', from: r.from, to: r.to, writtenBytes: bytes.length, message: `probe firmware ${r.from} → ${r.to}${r.resumedAt !== null ? ` (resumed at byte ${r.resumedAt})` : ''}` };
        this.deps.log.info(`maintenance: ${outcome.message}`);
      } catch (err) {
        const refused = err instanceof FirmwareRefused;
        outcome = { state: 'failed', message: `${refused ? 'refused' : 'failed'}: ${(err as Error).message}${refused ? '' : '; the probe keeps its previous firmware — try again (the flash resumes)'}` };
        this.deps.log.warn(`maintenance: probe firmware ${outcome.message}`);
      }
      // Done only once imaging has the probe back (the page then shows the probe's new version).
      await probe.release().catch((err: Error) => this.deps.log.error(`maintenance: imaging did not take the probe back: ${err.message}`));
      Object.assign(this.firmware, outcome);
      onDone(this.firmwareProgress());
    })();
    return this.firmwareProgress();
  }

  private async takeProbe(what: string): Promise<{ access: ProbeAccess; release: () => Promise<void> }> {
    const access = this.deps.probe;
    if (!access) throw this.refused('no-probe', `the ${what} needs the probe, and this device runs without one`);
    if (this.probeBusy) throw this.refused('probe-busy', `the probe is busy with another maintenance task; wait until it finishes`);
    const exam = await this.deps.examInProgress();
    if (exam) throw this.refused('busy', `${exam}; the ${what} stops imaging — finish or close the exam first`);
    this.probeBusy = true;
    let giveBack: () => Promise<void>;
    try {
      giveBack = await access.borrow();
    } catch (err) {
      this.probeBusy = false;
      throw err;
    }
    return {
      access,
      release: async () => {
        try {
          await giveBack();
        } finally {
          this.probeBusy = false;
        }
      },
    };
  }

  private refused(code: string, message: string): MaintenanceRefused {
    this.deps.log.warn(`maintenance: refused (${code}): ${message}`);
    return new MaintenanceRefused(code, message);
  }
}
