/**
 * The store's schema, as a list of migrations applied in order. `PRAGMA user_version` holds the
 * number of migrations applied. A migration is never edited once released: a change to the
 * schema is a new entry at the end (test/unit/store/migrations.test.ts migrates a database from
 * every earlier version and compares it with a fresh one).
 */
import type { Db } from 'better-sqlite3';

export interface Migration {
  /** The user_version after this migration ran (1, 2, 3, …). */
  version: number;
  name: string;
  up(db: Db): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'exams, zones, clips and the audit log',
    up(db) {
      db.exec(`
        CREATE TABLE exam (
          id TEXT PRIMARY KEY,
          state TEXT NOT NULL CHECK (state IN ('open', 'finishing', 'finished')),
          -- The pseudonym is what leaves the device; the real identity stays in these two columns.
          patient_pseudonym TEXT NOT NULL,
          patient_id TEXT NOT NULL,
          patient_name TEXT NOT NULL,
          operator TEXT NOT NULL,
          protocol TEXT NOT NULL,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          study_uid TEXT NOT NULL UNIQUE,
          series_uid TEXT NOT NULL UNIQUE,
          current_zone TEXT
        );
        CREATE TABLE zone (
          exam_id TEXT NOT NULL REFERENCES exam(id) ON DELETE CASCADE,
          label TEXT NOT NULL,
          laterality TEXT NOT NULL CHECK (laterality IN ('R', 'L')),
          first_selected_at TEXT NOT NULL,
          PRIMARY KEY (exam_id, label)
        );
        CREATE TABLE clip (
          id TEXT PRIMARY KEY,
          exam_id TEXT NOT NULL REFERENCES exam(id) ON DELETE CASCADE,
          zone TEXT NOT NULL,
          sop_uid TEXT NOT NULL UNIQUE,
          instance_number INTEGER NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('retrospective', 'prospective')),
          frames INTEGER NOT NULL CHECK (frames > 0),
          frame_rate_hz REAL NOT NULL,
          rows INTEGER NOT NULL,
          cols INTEGER NOT NULL,
          mm_per_pixel REAL NOT NULL,
          top_depth_mm REAL NOT NULL,
          probe_model TEXT NOT NULL,
          probe_serial TEXT NOT NULL,
          preset TEXT NOT NULL,
          depth_mm REAL NOT NULL,
          gain_db REAL NOT NULL,
          captured_at TEXT NOT NULL,
          dicom_sha256 TEXT NOT NULL,
          dicom_bytes INTEGER NOT NULL,
          FOREIGN KEY (exam_id, zone) REFERENCES zone(exam_id, label)
        );
        CREATE INDEX clip_exam ON clip(exam_id);
        CREATE TABLE audit (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at TEXT NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          exam_id TEXT,
          detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX audit_exam ON audit(exam_id);
      `);
    },
  },
  {
    version: 2,
    name: 'findings, the derived-object outbox and per-destination delivery',
    up(db) {
      db.exec(`
        ALTER TABLE clip ADD COLUMN dicom_md5 TEXT NOT NULL DEFAULT '';
        ALTER TABLE clip ADD COLUMN state TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'damaged'));
        ALTER TABLE exam ADD COLUMN sr_series_uid TEXT;
        ALTER TABLE exam ADD COLUMN sr_sop_uid TEXT;
        CREATE TABLE finding (
          id TEXT PRIMARY KEY,
          exam_id TEXT NOT NULL REFERENCES exam(id) ON DELETE CASCADE,
          clip_id TEXT NOT NULL REFERENCES clip(id) ON DELETE CASCADE,
          zone TEXT NOT NULL,
          model_name TEXT NOT NULL,
          model_version TEXT NOT NULL,
          vals TEXT NOT NULL,
          confidence REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
          key_frame INTEGER NOT NULL CHECK (key_frame >= 1),
          created_at TEXT NOT NULL
        );
        CREATE INDEX finding_exam ON finding(exam_id);
        -- One row per object to send. The bytes are an immutable content-addressed file, so a
        -- retry sends exactly what the first attempt sent (same SOP Instance UID, same MD5).
        CREATE TABLE outbox (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          exam_id TEXT NOT NULL REFERENCES exam(id) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('clip', 'sr')),
          study_uid TEXT NOT NULL,
          series_uid TEXT NOT NULL,
          sop_uid TEXT NOT NULL UNIQUE,
          sop_class_uid TEXT NOT NULL,
          blob_sha256 TEXT NOT NULL,
          bytes INTEGER NOT NULL,
          md5 TEXT NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE INDEX outbox_exam ON outbox(exam_id);
        CREATE TABLE delivery (
          outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
          destination TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'verified')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          stored_at TEXT,
          verified_at TEXT,
          PRIMARY KEY (outbox_id, destination)
        );
        CREATE INDEX delivery_due ON delivery(destination, state, next_attempt_at);
      `);
    },
  },
  {
    version: 3,
    name: 'the remote reviewer’s report',
    up(db) {
      db.exec(`
        CREATE TABLE review (
          exam_id TEXT NOT NULL REFERENCES exam(id) ON DELETE CASCADE,
          sop_uid TEXT NOT NULL,
          destination TEXT NOT NULL,
          reviewer TEXT NOT NULL DEFAULT '',
          report_text TEXT NOT NULL,
          content_at TEXT,
          found_at TEXT NOT NULL,
          PRIMARY KEY (exam_id, sop_uid)
        );
        ALTER TABLE exam ADD COLUMN review_checked_at TEXT;
      `);
    },
  },
  {
    version: 4,
    name: 'the operator’s edit of a finding, kept next to the AI values',
    up(db) {
      // NULL until the operator corrects the finding; the AI's `vals` are never rewritten.
      db.exec(`
        ALTER TABLE finding ADD COLUMN edit_vals TEXT;
        ALTER TABLE finding ADD COLUMN edited_by TEXT;
        ALTER TABLE finding ADD COLUMN edited_at TEXT;
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
