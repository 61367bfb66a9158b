/**
 * The audit log: who did what to which exam, when. Append-only; written in the same
 * transaction as the change it records, so the log and the data never disagree.
 */
import type { Db } from 'better-sqlite3';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  examId: string | null;
  detail: Record<string, unknown>;
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  add(actor: string, action: string, examId: string | null, detail: Record<string, unknown> = {}): void {
    this.db
      .prepare(`INSERT INTO audit (at, actor, action, exam_id, detail) VALUES (?, ?, ?, ?, ?)`)
      .run(new Date().toISOString(), actor, action, examId, JSON.stringify(detail));
  }

  forExam(examId: string): AuditEntry[] {
    const rows = this.db.prepare(`SELECT * FROM audit WHERE exam_id = ? ORDER BY id`).all(examId) as AuditRow[];
    return rows.map(toEntry);
  }

  /** The latest entries whose action starts with `prefix` (e.g. "maintenance."), newest first. */
  recent(limit: number, prefix = ''): AuditEntry[] {
    const rows = this.db.prepare(`SELECT * FROM audit WHERE action LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?`).all(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit) as AuditRow[];
    return rows.map(toEntry);
  }
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  exam_id: string | null;
  detail: string;
}

function toEntry(r: AuditRow): AuditEntry {
  return { id: r.id, at: r.at, actor: r.actor, action: r.action, examId: r.exam_id, detail: JSON.parse(r.detail) as Record<string, unknown> };
}
