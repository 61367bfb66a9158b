/**
 * The database around an update: a copy taken before the switch (`VACUUM INTO`, consistent even
 * while the store thread writes), and its restoration after a rollback when the new release left
 * the database at a schema the previous one cannot open.
 *
 * Restoring never happens while the store is open: a rollback only *asks* for it
 * (`restore-pending.json` in the data directory) and the next start applies it before the
 * store opens (`applyPendingRestore`). The database the rolled-back release left is moved aside
 * into `backups/`, never deleted; clip files (blobs) and the outbox rows in the restored copy are
 * untouched by the restore.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fsyncDir, writeFileAtomic } from '../fs/atomic-file.js';
import { DB_FILE } from '../store/database.js';

export const RESTORE_MARKER = 'restore-pending.json';

export interface PendingRestore {
  backup: string;
  /** Why (the rollback's reason), for the log. */
  reason: string;
  requestedAt: string;
}

export interface RestoreOutcome {
  restored: boolean;
  detail: string;
}

/** The schema version (`PRAGMA user_version`) of a database file, or null when it does not exist. */
export function schemaVersionOf(file: string): number | null {
  if (!fs.existsSync(file)) return null;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

/**
 * Copies the database to `DATA/backups/pre-update-<version>-v<schema>-<stamp>.db` and returns the
 * copy's path; null when there is no database yet (nothing to protect).
 */
export function backupDatabaseForUpdate(dataDir: string, forVersion: string): string | null {
  const file = path.join(dataDir, DB_FILE);
  if (!fs.existsSync(file)) return null;
  const db = new Database(file, { timeout: 10_000 });
  try {
    const schema = db.pragma('user_version', { simple: true }) as number;
    const dir = path.join(dataDir, 'backups');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const out = path.join(dir, `pre-update-${forVersion.replace(/[^0-9A-Za-z.-]/g, '_')}-v${schema}-${stamp}.db`);
    db.exec(`VACUUM INTO '${out.replaceAll("'", "''")}'`);
    const fd = fs.openSync(out, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fsyncDir(dir);
    return out;
  } finally {
    db.close();
  }
}

/** Called by a rollback: the restore itself waits for the next start, before the store opens. */
export function requestRestore(dataDir: string, backup: string, reason: string): void {
  const marker: PendingRestore = { backup, reason, requestedAt: new Date().toISOString() };
  writeFileAtomic(path.join(dataDir, RESTORE_MARKER), JSON.stringify(marker, null, 2) + '\n');
}

/**
 * Applies a pending restore (the store must not be open). The backup replaces the database only
 * when the database is at a newer schema than the backup — the one case the previous release
 * cannot open; otherwise the database stays as it is (exams taken during the trial are kept).
 * Crash-safe: every step can be repeated; the marker is removed last.
 */
export function applyPendingRestore(dataDir: string): RestoreOutcome | null {
  const markerFile = path.join(dataDir, RESTORE_MARKER);
  let marker: PendingRestore;
  try {
    marker = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as PendingRestore;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${markerFile} is unreadable (${(err as Error).message}); restore ${path.join(dataDir, DB_FILE)} by hand from backups/ and remove it`);
  }
  const dbFile = path.join(dataDir, DB_FILE);
  if (!fs.existsSync(marker.backup)) {
    fs.rmSync(markerFile, { force: true });
    return { restored: false, detail: `the database backup ${marker.backup} is gone; the database was left as it is` };
  }
  const backupSchema = schemaVersionOf(marker.backup);
  const currentSchema = schemaVersionOf(dbFile);
  if (currentSchema !== null && backupSchema !== null && currentSchema <= backupSchema) {
    fs.rmSync(markerFile, { force: true });
    return { restored: false, detail: `the database is at schema v${currentSchema}, which this release reads (backup v${backupSchema}); kept as it is` };
  }
  const tmp = `${dbFile}.restore-tmp`;
  fs.copyFileSync(marker.backup, tmp);
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  const aside = path.join(dataDir, 'backups', `rolled-back-v${currentSchema ?? 'none'}-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
  fs.mkdirSync(path.dirname(aside), { recursive: true });
  // The newer database with its WAL and shared memory moves aside as a whole (its WAL may hold
  // committed transactions); nothing is deleted.
  for (const suffix of ['', '-wal', '-shm']) {
    if (fs.existsSync(dbFile + suffix)) fs.renameSync(dbFile + suffix, aside + suffix);
  }
  fs.renameSync(tmp, dbFile);
  fsyncDir(dataDir);
  fs.rmSync(markerFile, { force: true });
  return { restored: true, detail: `database schema v${currentSchema ?? '?'} replaced by the pre-update backup (v${backupSchema}) ${marker.backup}; the newer database is kept as ${aside} (${marker.reason})` };
}
