/**
 * Brings a database up to {@link SCHEMA_VERSION}, one migration per transaction, with a full
 * copy of the database taken before each one (`VACUUM INTO`), so a migration that goes wrong
 * in the field can be undone by hand from `backups/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from 'better-sqlite3';
import { SchemaTooNewError } from './errors.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';

export interface MigrationStep {
  from: number;
  to: number;
  name: string;
  /** The copy of the database taken before this step; null for a brand-new, empty database. */
  backup: string | null;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, backupDir: string, migrations: readonly Migration[] = MIGRATIONS): MigrationStep[] {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const steps: MigrationStep[] = [];
  for (const m of migrations) {
    const before = schemaVersion(db);
    if (before > Math.max(latest, SCHEMA_VERSION)) {
      throw new SchemaTooNewError(
        `the database is at schema version ${before}, newer than this Pleura knows (${latest}); ` +
          'install the newer Pleura again or restore a backup from the data directory',
      );
    }
    if (m.version <= before) continue;
    const backup = before > 0 ? backupTo(db, backupDir, before) : null;
    // IMMEDIATE: a second process (e.g. `pleura export` while the device runs) waits here and
    // then sees the new version instead of migrating twice.
    const applied = db
      .transaction(() => {
        if (schemaVersion(db) >= m.version) return false;
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
        return true;
      })
      .immediate();
    if (applied) steps.push({ from: before, to: m.version, name: m.name, backup });
    else if (backup) fs.rmSync(backup, { force: true });
  }
  return steps;
}

function backupTo(db: Db, backupDir: string, version: number): string {
  fs.mkdirSync(backupDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(backupDir, `pleura-v${version}-${stamp}.db`);
  db.exec(`VACUUM INTO '${file.replaceAll("'", "''")}'`);
  return file;
}
