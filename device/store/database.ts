/**
 * Opens the store's SQLite database with the settings the "never lost" promise needs:
 * WAL (readers never block the writer, a crash never leaves a half-written page), synchronous
 * FULL (a committed capture survives power loss, not only a process crash), foreign keys on,
 * and a busy timeout so the store thread, the sync thread and `pleura export` can share it.
 */
import path from 'node:path';
import Database, { type Db } from 'better-sqlite3';
import { migrate, type MigrationStep } from './migrate.js';

export const DB_FILE = 'pleura.db';

export interface OpenedDatabase {
  db: Db;
  migrations: MigrationStep[];
}

export function openDatabase(dataDir: string): OpenedDatabase {
  const db = new Database(path.join(dataDir, DB_FILE), { timeout: 10_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Give the WAL's disk back after each checkpoint instead of keeping its high-water mark.
    db.pragma('journal_size_limit = 4194304');
    const migrations = migrate(db, path.join(dataDir, 'backups'));
    return { db, migrations };
  } catch (err) {
    db.close();
    throw err;
  }
}
