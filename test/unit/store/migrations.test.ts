/**
 * Migrations: a database at every earlier schema version, holding data, migrates to the current
 * one with its data intact and ends with exactly the schema a fresh database has; each step
 * leaves a backup that opens at the version it was taken from.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import Database, { type Db } from 'better-sqlite3';
import { migrate, schemaVersion } from '../../../device/store/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../device/store/migrations.js';
import { SchemaTooNewError } from '../../../device/store/errors.js';
import { Store } from '../../../device/store/store.js';
import { tempDir } from './fixtures.js';

function schemaOf(db: Db): string[] {
  return (db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as Array<{ type: string; name: string; sql: string | null }>).map(
    (r) => `${r.type} ${r.name}: ${(r.sql ?? '').replace(/\s+/g, ' ')}`,
  );
}

/** Columns per table, as SQLite reports them (ALTER TABLE keeps the original CREATE text otherwise). */
function columnsOf(db: Db): Record<string, string[]> {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, (db.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string; type: string; notnull: number; dflt_value: unknown }>).map((c) => `${c.name} ${c.type} ${c.notnull} ${String(c.dflt_value)}`)]));
}

/** Rows a database at `version` can hold, as a device of that version would have written them. */
function seed(db: Db, version: number): void {
  if (version >= 1) {
    db.prepare(
      `INSERT INTO exam (id, state, patient_pseudonym, patient_id, patient_name, operator, protocol, started_at, study_uid, series_uid, current_zone)
       VALUES ('E20250101-AAAAAA', 'open', 'PLP-1', 'MRN1', 'Doe^Jane', 'op', 'lus-12', '2025-01-01T10:00:00.000Z', '2.25.1', '2.25.2', 'R1')`,
    ).run();
    db.prepare(`INSERT INTO zone (exam_id, label, laterality, first_selected_at) VALUES ('E20250101-AAAAAA', 'R1', 'R', '2025-01-01T10:00:01.000Z')`).run();
    db.prepare(
      `INSERT INTO clip (id, exam_id, zone, sop_uid, instance_number, kind, frames, frame_rate_hz, rows, cols, mm_per_pixel, top_depth_mm,
         probe_model, probe_serial, preset, depth_mm, gain_db, captured_at, dicom_sha256, dicom_bytes)
       VALUES ('CAAAAAAAAAAAA', 'E20250101-AAAAAA', 'R1', '2.25.3', 1, 'retrospective', 10, 20, 48, 64, 0.5, 0, 'm', 's', 'lung', 120, 0,
               '2025-01-01T10:00:02.000Z', '${'a'.repeat(64)}', 1234)`,
    ).run();
    db.prepare(`INSERT INTO audit (at, actor, action, exam_id) VALUES ('2025-01-01T10:00:00.000Z', 'op', 'exam.start', 'E20250101-AAAAAA')`).run();
  }
  if (version >= 2) {
    db.prepare(
      `INSERT INTO finding (id, exam_id, clip_id, zone, model_name, model_version, vals, confidence, key_frame, created_at)
       VALUES ('FAAAAAAAAAAAA', 'E20250101-AAAAAA', 'CAAAAAAAAAAAA', 'R1', 'lus', '1', '{"bLineCount":3}', 0.9, 1, '2025-01-01T10:00:03.000Z')`,
    ).run();
  }
}

function atVersion(file: string, version: number): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db, path.join(path.dirname(file), 'backups'), MIGRATIONS.slice(0, version));
  seed(db, version);
  return db;
}

test('a fresh database is at the current version with backups only for real data', (t) => {
  const dir = tempDir(t);
  const db = new Database(path.join(dir, 'pleura.db'));
  const steps = migrate(db, path.join(dir, 'backups'));
  t.is(schemaVersion(db), SCHEMA_VERSION);
  t.deepEqual(steps.map((s) => s.to), MIGRATIONS.map((m) => m.version));
  t.is(steps[0]!.backup, null, 'nothing to back up before the first migration');
  t.true(steps.slice(1).every((s) => s.backup && fs.existsSync(s.backup)));
  t.deepEqual(migrate(db, path.join(dir, 'backups')), [], 'a second run does nothing');
  db.close();
});

for (let from = 1; from < SCHEMA_VERSION; from++) {
  test(`migrating from version ${from} keeps the data and ends with the fresh schema`, (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, 'pleura.db');
    const old = atVersion(file, from);
    const backupsBefore = fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')).length : 0;
    const steps = migrate(old, path.join(dir, 'backups'));
    t.deepEqual(steps.map((s) => [s.from, s.to]), MIGRATIONS.filter((m) => m.version > from).map((m) => [m.version - 1, m.version]));
    t.is(schemaVersion(old), SCHEMA_VERSION);

    // Each step's backup is the database as it was before that step.
    for (const s of steps) {
      t.truthy(s.backup);
      const b = new Database(s.backup!, { readonly: true });
      t.is(schemaVersion(b), s.from);
      t.is(b.prepare(`SELECT COUNT(*) FROM clip`).pluck().get(), 1);
      b.close();
    }
    t.is(fs.readdirSync(path.join(dir, 'backups')).length, backupsBefore + steps.length);

    // The data survived, with defaults for new columns.
    const clip = old.prepare(`SELECT * FROM clip`).get() as { dicom_md5: string; state: string; dicom_bytes: number };
    t.is(clip.dicom_bytes, 1234);
    t.is(clip.state, 'ok');
    t.is(old.prepare(`SELECT patient_name FROM exam`).pluck().get(), 'Doe^Jane');
    t.is(old.prepare(`SELECT COUNT(*) FROM audit`).pluck().get(), 1);
    if (from >= 2) {
      // Findings from before edits existed: the AI values as they were, no edit.
      const f = old.prepare(`SELECT vals, edit_vals, edited_by, edited_at FROM finding`).get() as Record<string, unknown>;
      t.deepEqual(f, { vals: '{"bLineCount":3}', edit_vals: null, edited_by: null, edited_at: null });
    }

    // Same tables, columns and indexes as a database created at the current version.
    const fresh = new Database(path.join(dir, 'fresh.db'));
    migrate(fresh, path.join(dir, 'fresh-backups'));
    t.deepEqual(columnsOf(old), columnsOf(fresh));
    t.deepEqual(
      schemaOf(old).filter((l) => l.startsWith('index')),
      schemaOf(fresh).filter((l) => l.startsWith('index')),
    );
    t.is((old.pragma('foreign_key_check') as unknown[]).length, 0);
    t.is(old.pragma('integrity_check', { simple: true }), 'ok');
    fresh.close();
    old.close();
  });
}

test('a database from a newer Pleura is refused, not damaged', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'pleura.db');
  const db = new Database(file);
  migrate(db, path.join(dir, 'backups'));
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  const err = t.throws(() => Store.open({ dataDir: dir, budget: { reserveBytes: 0, maxDataBytes: 0 } }), { instanceOf: SchemaTooNewError });
  t.regex(err!.message, /newer than this Pleura knows/);
  const again = new Database(file);
  t.is(schemaVersion(again), SCHEMA_VERSION + 1);
  again.close();
});

test('the store opens a database of every earlier version through Store.open', (t) => {
  for (let from = 1; from < SCHEMA_VERSION; from++) {
    const dir = tempDir(t);
    atVersion(path.join(dir, 'pleura.db'), from).close();
    const store = Store.open({ dataDir: dir, budget: { reserveBytes: 0, maxDataBytes: 0 } });
    t.is(store.migrations.length, SCHEMA_VERSION - from);
    t.is(store.getExam('E20250101-AAAAAA').clips.length, 1);
    store.close();
  }
});
