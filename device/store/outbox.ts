/**
 * The outbox: the objects each finished exam must deliver, and their delivery to each
 * configured destination. Delivery states: `pending` (send it) → `stored` (the destination
 * acknowledged it) → `verified` (the destination was asked and holds exactly these bytes). Only
 * `verified` counts as synced. Times for the next attempt are persisted, so back-off survives a
 * restart; nothing here ever deletes an object that is not verified everywhere.
 */
import type { Db } from 'better-sqlite3';
import type { DeliveryState, ExamSync, ObjectSync } from '../exam/records.js';

export interface OutboxObject {
  outboxId: number;
  examId: string;
  kind: 'clip' | 'sr';
  studyUid: string;
  seriesUid: string;
  sopUid: string;
  sopClassUid: string;
  blobSha256: string;
  bytes: number;
  md5: string;
}

export interface DueDelivery extends OutboxObject {
  destination: string;
  state: Exclude<DeliveryState, 'verified'>;
  attempts: number;
}

interface DueRow {
  outbox_id: number;
  exam_id: string;
  kind: 'clip' | 'sr';
  study_uid: string;
  series_uid: string;
  sop_uid: string;
  sop_class_uid: string;
  blob_sha256: string;
  bytes: number;
  md5: string;
  destination: string;
  state: 'pending' | 'stored';
  attempts: number;
}

export class Outbox {
  constructor(private readonly db: Db) {}

  /** Makes sure every object has a delivery row for `destination`; returns how many were added. */
  ensureDeliveries(destination: string): number {
    return this.db
      .prepare(`INSERT OR IGNORE INTO delivery (outbox_id, destination, state) SELECT id, ?, 'pending' FROM outbox`)
      .run(destination).changes;
  }

  /** After a restart, everything unfinished is due at once: the outage may be over. */
  resume(destination: string, nowMs: number): void {
    this.db.prepare(`UPDATE delivery SET next_attempt_at = ? WHERE destination = ? AND state != 'verified' AND next_attempt_at > ?`).run(nowMs, destination, nowMs);
  }

  /** The oldest due delivery (clips before the report that references them). */
  nextDue(destination: string, nowMs: number): DueDelivery | null {
    const row = this.db
      .prepare(
        `SELECT d.outbox_id, o.exam_id, o.kind, o.study_uid, o.series_uid, o.sop_uid, o.sop_class_uid, o.blob_sha256, o.bytes, o.md5,
                d.destination, d.state, d.attempts
           FROM delivery d JOIN outbox o ON o.id = d.outbox_id
          WHERE d.destination = ? AND d.state != 'verified' AND d.next_attempt_at <= ?
          ORDER BY o.exam_id, o.kind = 'sr', o.id LIMIT 1`,
      )
      .get(destination, nowMs) as DueRow | undefined;
    if (!row) return null;
    return {
      outboxId: row.outbox_id,
      examId: row.exam_id,
      kind: row.kind,
      studyUid: row.study_uid,
      seriesUid: row.series_uid,
      sopUid: row.sop_uid,
      sopClassUid: row.sop_class_uid,
      blobSha256: row.blob_sha256,
      bytes: row.bytes,
      md5: row.md5,
      destination: row.destination,
      state: row.state,
      attempts: row.attempts,
    };
  }

  /** When the next not-yet-due delivery becomes due (epoch ms), or null if nothing waits. */
  nextWakeAt(destination: string): number | null {
    const v = this.db
      .prepare(`SELECT MIN(next_attempt_at) FROM delivery WHERE destination = ? AND state != 'verified'`)
      .pluck()
      .get(destination) as number | null;
    return v ?? null;
  }

  markStored(outboxId: number, destination: string, at: string): void {
    this.db
      .prepare(`UPDATE delivery SET state = 'stored', stored_at = ?, last_error = NULL WHERE outbox_id = ? AND destination = ? AND state = 'pending'`)
      .run(at, outboxId, destination);
  }

  /** Marks verified; returns true when this completed the exam for this destination. */
  markVerified(outboxId: number, destination: string, at: string): boolean {
    return this.db
      .transaction(() => {
        this.db
          .prepare(`UPDATE delivery SET state = 'verified', verified_at = ?, last_error = NULL WHERE outbox_id = ? AND destination = ?`)
          .run(at, outboxId, destination);
        const left = this.db
          .prepare(
            `SELECT COUNT(*) FROM delivery d JOIN outbox o ON o.id = d.outbox_id
              WHERE d.destination = ? AND d.state != 'verified' AND o.exam_id = (SELECT exam_id FROM outbox WHERE id = ?)`,
          )
          .pluck()
          .get(destination, outboxId) as number;
        return left === 0;
      })
      .immediate();
  }

  /**
   * Records a failed attempt. `back` says where the delivery goes: to `pending` when it must be
   * sent again (verification found nothing), or stays where it is (a send that failed).
   */
  markFailed(outboxId: number, destination: string, error: string, nextAttemptAtMs: number, back: 'pending' | 'same'): void {
    this.db
      .prepare(
        `UPDATE delivery SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
                state = CASE WHEN ? = 'pending' THEN 'pending' ELSE state END
          WHERE outbox_id = ? AND destination = ?`,
      )
      .run(error.slice(0, 500), nextAttemptAtMs, back, outboxId, destination);
  }

  examSync(examId: string, examState: string, destinations: readonly string[]): ExamSync {
    const objects = this.db.prepare(`SELECT id, sop_uid, kind FROM outbox WHERE exam_id = ? ORDER BY id`).all(examId) as Array<{
      id: number;
      sop_uid: string;
      kind: 'clip' | 'sr';
    }>;
    const rows = this.db
      .prepare(
        `SELECT o.sop_uid, o.kind, d.destination, d.state, d.attempts, d.last_error, d.verified_at
           FROM delivery d JOIN outbox o ON o.id = d.outbox_id WHERE o.exam_id = ? ORDER BY o.id`,
      )
      .all(examId) as Array<{ sop_uid: string; kind: 'clip' | 'sr'; destination: string; state: DeliveryState; attempts: number; last_error: string | null; verified_at: string | null }>;
    const perObject: ObjectSync[] = [];
    for (const dest of destinations) {
      for (const o of objects) {
        const r = rows.find((x) => x.sop_uid === o.sop_uid && x.destination === dest);
        perObject.push({
          sopUid: o.sop_uid,
          kind: o.kind,
          destination: dest,
          state: r?.state ?? 'pending',
          attempts: r?.attempts ?? 0,
          lastError: r?.last_error ?? null,
          verifiedAt: r?.verified_at ?? null,
        });
      }
    }
    const verified = perObject.filter((p) => p.state === 'verified').length;
    const lastError = perObject.find((p) => p.lastError)?.lastError ?? null;
    let state: ExamSync['state'];
    if (examState !== 'finished') state = 'local';
    else if (destinations.length === 0) state = 'waiting';
    else if (verified === perObject.length) state = 'synced';
    // Nothing tried yet (no object stored anywhere, no failed attempt): waiting its turn.
    else if (perObject.every((p) => p.state === 'pending' && p.attempts === 0)) state = 'queued';
    else state = 'sending';
    return { state, objects: objects.length, verified, lastError, perObject };
  }

  /** True when every object of the exam is verified at every destination (and there is one). */
  examSynced(examId: string, destinations: readonly string[]): boolean {
    if (destinations.length === 0) return false;
    const total = this.db.prepare(`SELECT COUNT(*) FROM outbox WHERE exam_id = ?`).pluck().get(examId) as number;
    for (const dest of destinations) {
      const ok = this.db
        .prepare(`SELECT COUNT(*) FROM delivery d JOIN outbox o ON o.id = d.outbox_id WHERE o.exam_id = ? AND d.destination = ? AND d.state = 'verified'`)
        .pluck()
        .get(examId, dest) as number;
      if (ok !== total) return false;
    }
    return true;
  }

  /** Exams fully verified at `destination` and not yet reviewed there: where to look for a report. */
  awaitingReview(destination: string): Array<{ examId: string; studyUid: string }> {
    return (
      this.db
        .prepare(
          `SELECT e.id AS examId, e.study_uid AS studyUid FROM exam e
            WHERE e.state = 'finished'
              AND NOT EXISTS (SELECT 1 FROM review r WHERE r.exam_id = e.id)
              AND EXISTS (SELECT 1 FROM outbox o WHERE o.exam_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM outbox o JOIN delivery d ON d.outbox_id = o.id
                               WHERE o.exam_id = e.id AND d.destination = ? AND d.state != 'verified')
              AND (SELECT COUNT(*) FROM delivery d JOIN outbox o ON o.id = d.outbox_id WHERE o.exam_id = e.id AND d.destination = ?)
                  = (SELECT COUNT(*) FROM outbox o WHERE o.exam_id = e.id)
            ORDER BY e.finished_at`,
        )
        .all(destination, destination) as Array<{ examId: string; studyUid: string }>
    );
  }

  /** SOP instances the device itself sent for an exam (a reviewer's report is anything else). */
  ownSopUids(examId: string): Set<string> {
    return new Set(this.db.prepare(`SELECT sop_uid FROM outbox WHERE exam_id = ?`).pluck().all(examId) as string[]);
  }

  counts(): { objects: number; unverified: number } {
    const objects = this.db.prepare(`SELECT COUNT(*) FROM outbox`).pluck().get() as number;
    const unverified = this.db.prepare(`SELECT COUNT(*) FROM delivery WHERE state != 'verified'`).pluck().get() as number;
    return { objects, unverified };
  }
}
