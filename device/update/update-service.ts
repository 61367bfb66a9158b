/**
 * The device's entry point for installing a software bundle, used by `pleura update install` and
 * the kiosk's maintenance page: it wires the installer (`installer.ts`) to what only the device
 * knows — whether an exam is open, where the database is, which trust document and hardware id
 * apply — and turns every refusal into one sentence that says what to do.
 *
 * @example
 * const updates = new UpdateService({ releaseRoot: '/opt/pleura', trustFile: '/etc/pleura/keys/trust.json',
 *   hardware: 'jetson-orin-nano', dataDir, examInProgress: async () => null });
 * const { version } = await updates.install('/media/usb/pleura-1.2.0.pleura');
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE } from '../store/database.js';
import { backupDatabaseForUpdate } from './database-backup.js';
import { UpdateRefused } from './errors.js';
import { installBundle, type InstallStep } from './installer.js';
import { ReleaseLayout, type UpdateState } from './release-layout.js';
import { checkSelfSigned, type TrustDocument } from './trust.js';

export interface UpdateServiceOptions {
  /** The release folder layout (ROOT/releases, ROOT/current); null on a development machine. */
  releaseRoot: string | null;
  /** The device's trust document (public keys only). */
  trustFile: string;
  /** This device's hardware id, as bundles list it. */
  hardware: string;
  /** The data directory whose database is backed up before the switch; null: none. */
  dataDir: string | null;
  /** Why the device cannot switch now ("exam X is open"), or null. */
  examInProgress: () => Promise<string | null>;
  /** How long the new release has to pass its self-test (default 120 s). */
  trialMs?: number;
  /** Test hook, passed to the installer. */
  afterStep?: (step: InstallStep) => void;
}

export interface InstallResult {
  version: string;
  previous: string | null;
  /** The database copy rollback restores; null when there was no database. */
  databaseBackup: string | null;
}

/** The hardware id of this machine when the configuration names none. */
export function defaultHardwareId(): string {
  return os.arch() === 'arm64' ? 'jetson-orin-nano' : 'x86_64-dev';
}

export class UpdateService {
  constructor(private readonly opts: UpdateServiceOptions) {}

  get layout(): ReleaseLayout | null {
    return this.opts.releaseRoot ? new ReleaseLayout(this.opts.releaseRoot) : null;
  }

  /** The installer's state (current, trial, bad versions, history), or null without a release root. */
  state(): UpdateState | null {
    return this.layout?.readState() ?? null;
  }

  /**
   * Verifies and installs `file` as a new release on trial. Refuses (UpdateRefused, nothing
   * written) while an exam is open, without a release root or trust document, or for any reason
   * the bundle's verification gives. The running app keeps running; the new release starts at
   * the next restart of the service.
   */
  async install(file: string): Promise<InstallResult> {
    const layout = this.layout;
    if (!layout) throw new UpdateRefused('no-release-root', 'this device runs outside an installed release folder (set maintenance.releaseRoot or PLEURA_RELEASE_ROOT); install it with the release package first');
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UpdateRefused('no-file', `${file} does not exist or is not a file; check the USB stick is mounted and the name is right`);
    const trust = this.loadTrust();
    // Asked before anything is read, and the answer is asked again by the installer after the
    // (possibly long) verification, right before it writes.
    let busy = await this.opts.examInProgress();
    if (busy) throw new UpdateRefused('busy', `${busy}; finish or close it first — the update was not installed`);
    const previous = layout.readState().current;
    let databaseBackup: string | null = null;
    const result = await installBundle(file, {
      layout,
      policy: { trust, hardware: this.opts.hardware },
      busy: () => busy,
      ...(this.opts.trialMs !== undefined ? { trialMs: this.opts.trialMs } : {}),
      ...(this.opts.afterStep ? { afterStep: this.opts.afterStep } : {}),
      backupDatabase: () => {
        databaseBackup = this.opts.dataDir ? backupDatabaseForUpdate(this.opts.dataDir, path.basename(file)) : null;
        return databaseBackup;
      },
    });
    busy = null;
    return { version: result.version, previous, databaseBackup };
  }

  private loadTrust(): TrustDocument {
    let trust: TrustDocument;
    try {
      trust = JSON.parse(fs.readFileSync(this.opts.trustFile, 'utf8')) as TrustDocument;
    } catch (err) {
      throw new UpdateRefused('no-trust', `the trust document ${this.opts.trustFile} cannot be read (${(err as Error).message}); the device must be provisioned with one before it accepts updates`);
    }
    try {
      checkSelfSigned(trust);
    } catch (err) {
      throw new UpdateRefused('no-trust', `the trust document ${this.opts.trustFile} is not valid: ${(err as Error).message}`);
    }
    return trust;
  }
}

/**
 * For `pleura update install` beside a running device: an exam is open when the database says so
 * (read-only; the device's store keeps writing meanwhile).
 */
export function examInProgressFromDatabase(dataDir: string | null): () => Promise<string | null> {
  return async () => {
    if (!dataDir) return null;
    const file = path.join(dataDir, DB_FILE);
    if (!fs.existsSync(file)) return null;
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
    try {
      const row = db.prepare(`SELECT id, operator, started_at FROM exam WHERE state = 'open' ORDER BY started_at DESC LIMIT 1`).get() as { id: string; operator: string; started_at: string } | undefined;
      return row ? `exam ${row.id} (started ${row.started_at} by ${row.operator}) is in progress` : null;
    } finally {
      db.close();
    }
  };
}
