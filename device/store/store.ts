/**
 * The local store: exams, zones, clips, findings, the outbox and the audit log in SQLite, image
 * data as content-addressed files. Synchronous on purpose: it runs in the store thread
 * (store-thread.ts) off the display path, and in `pleura export`. Every operation either
 * completes or leaves what was stored before untouched; a capture is acknowledged only after
 * its file and its row are both durable.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from 'better-sqlite3';
import type {
  CaptureKind,
  ClipRecord,
  EditableFindingValues,
  ExamDetail,
  ExamRecord,
  ExamSummary,
  FindingRecord,
  PatientIdentity,
  ProbeInfo,
  ZoneFindingValues,
  ZoneRecord,
} from '../exam/records.js';
import { MAX_B_LINES } from '../exam/records.js';
import { PROTOCOLS, lateralityOf } from '../exam/protocols.js';
import { assertNoIdentity } from '../dicom/deidentify.js';
import { buildFindingsReport, COMPREHENSIVE_SR_SOP_CLASS } from '../dicom/findings-sr.js';
import { writePart10 } from '../dicom/part10.js';
import { deviceObserverSeed, loadOrCreateSiteKey, pseudonymize } from '../dicom/pseudonym.js';
import { newUid, uidFromName } from '../dicom/uid.js';
import { clipDataset, US_MULTIFRAME_SOP_CLASS } from '../dicom/us-multiframe.js';
import { AuditLog } from './audit-log.js';
import { BlobStore, isNoSpace, mb } from './blob-store.js';
import { DB_FILE, openDatabase } from './database.js';
import { diskState, ensureRoom, type DiskBudget, type DiskState } from './disk-budget.js';
import { DiskBudgetError, ExamStateError, InvalidInputError, NotFoundError } from './errors.js';
import { newClipId, newExamId, newFindingId } from './ids.js';
import type { MigrationStep } from './migrate.js';
import { Outbox } from './outbox.js';
import { clipFromRow, examFromRow, findingFromRow, reviewFromRow, type ClipRow, type ExamRow, type FindingRow, type ReviewRow } from './rows.js';

export interface StoreOptions {
  dataDir: string;
  budget: DiskBudget;
  /** The site key file (pseudonyms); default `<dataDir>/keys/site.key`. */
  siteKeyFile?: string;
  /** Names of the configured sync destinations: an exam is synced when verified at all of them. */
  destinations?: readonly string[];
  /** Size of a typical clip, for the low-disk indicator. */
  typicalClipBytes?: number;
  now?: () => Date;
}

export interface StartExamInput {
  patient: PatientIdentity;
  operator: string;
  protocol: string;
}

/** A captured clip as the capture code hands it over. */
export interface CommitClipInput {
  examId: string;
  kind: CaptureKind;
  frames: number;
  rows: number;
  cols: number;
  frameRateHz: number;
  mmPerPixel: number;
  topDepthMm: number;
  probe: ProbeInfo;
  preset: string;
  depthMm: number;
  gainDb: number;
  /** frames × rows × cols bytes. */
  pixels: Uint8Array;
  findings?: NewFinding[];
}

export interface NewFinding {
  model: { name: string; version: string };
  values: ZoneFindingValues;
  confidence: number;
  keyFrame: number;
}

export interface ExportedObject {
  /** File name inside the export folder. */
  name: string;
  kind: 'clip' | 'sr';
  sopUid: string;
  bytes: Buffer;
}

export interface StorageStatus extends DiskState {
  dataDir: string;
  exams: number;
  unsyncedExams: number;
  /** Objects waiting to be verified at some destination (or at all, with none configured). */
  pendingObjects: number;
}

export class Store {
  readonly blobs: BlobStore;
  readonly outbox: Outbox;
  readonly audit: AuditLog;
  readonly migrations: MigrationStep[];
  private readonly siteKey: Buffer;
  private readonly now: () => Date;
  destinations: readonly string[];
  typicalClipBytes: number;

  private constructor(
    readonly db: Db,
    readonly dataDir: string,
    readonly budget: DiskBudget,
    opts: StoreOptions,
    migrations: MigrationStep[],
  ) {
    this.blobs = new BlobStore(dataDir);
    this.outbox = new Outbox(db);
    this.audit = new AuditLog(db);
    this.migrations = migrations;
    this.siteKey = loadOrCreateSiteKey(opts.siteKeyFile || path.join(dataDir, 'keys', 'site.key'));
    this.now = opts.now ?? (() => new Date());
    this.destinations = opts.destinations ?? [];
    this.typicalClipBytes = opts.typicalClipBytes ?? 20e6;
  }

  static open(opts: StoreOptions): Store {
    fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const { db, migrations } = openDatabase(opts.dataDir);
    try {
      return new Store(db, opts.dataDir, opts.budget, opts, migrations);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private iso(): string {
    return this.now().toISOString();
  }

  // ---- exams

  startExam(input: StartExamInput): ExamRecord {
    const protocol = PROTOCOLS[input.protocol];
    if (!protocol) throw new InvalidInputError(`unknown protocol "${input.protocol}"; use one of ${Object.keys(PROTOCOLS).join(', ')}`);
    const open = this.currentExam();
    if (open) throw new ExamStateError(`exam ${open.id} is still open; finish it before starting another`);
    ensureRoom(this.dataDir, this.typicalClipBytes, this.usedBytes(), this.budget, 'a new exam');
    const now = this.now();
    const id = newExamId(now);
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO exam (id, state, patient_pseudonym, patient_id, patient_name, operator, protocol, started_at, study_uid, series_uid)
             VALUES (?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(id, pseudonymize(input.patient.id, this.siteKey), input.patient.id, input.patient.name, input.operator, protocol.id, now.toISOString(), newUid(), newUid());
        this.audit.add(input.operator, 'exam.start', id, { protocol: protocol.id });
      })
      .immediate();
    return this.exam(id);
  }

  selectZone(examId: string, zone: string): ExamRecord {
    const exam = this.exam(examId);
    this.requireOpen(exam, 'choose a zone');
    const protocol = PROTOCOLS[exam.protocol];
    if (protocol && !protocol.zones.includes(zone)) {
      throw new InvalidInputError(`zone "${zone}" is not part of protocol ${exam.protocol}; use one of ${protocol.zones.join(', ')}`);
    }
    this.db
      .transaction(() => {
        this.db
          .prepare(`INSERT OR IGNORE INTO zone (exam_id, label, laterality, first_selected_at) VALUES (?, ?, ?, ?)`)
          .run(examId, zone, lateralityOf(zone), this.iso());
        this.db.prepare(`UPDATE exam SET current_zone = ? WHERE id = ?`).run(zone, examId);
        this.audit.add(exam.operator, 'exam.zone', examId, { zone });
      })
      .immediate();
    return this.exam(examId);
  }

  /**
   * Stores a captured clip in the exam's current zone: checks the disk budget, builds the DICOM
   * object (UIDs made here, once), writes it durably, then commits the row. Returns only when
   * the clip would survive a power cut.
   */
  commitClip(input: CommitClipInput): ClipRecord {
    const exam = this.exam(input.examId);
    this.requireOpen(exam, 'capture');
    const zone = exam.currentZone;
    if (!zone) throw new ExamStateError(`exam ${exam.id} has no zone chosen; choose the zone before capturing`);
    const need = input.pixels.byteLength + 64 * 1024;
    ensureRoom(this.dataDir, need, this.usedBytes(), this.budget, `a ${input.frames}-frame clip`);

    const capturedAt = this.iso();
    const instanceNumber =
      ((this.db.prepare(`SELECT MAX(instance_number) FROM clip WHERE exam_id = ?`).pluck().get(exam.id) as number | null) ?? 0) + 1;
    const clip = {
      sopUid: newUid(),
      instanceNumber,
      zone,
      laterality: lateralityOf(zone),
      capturedAt,
      frames: input.frames,
      rows: input.rows,
      cols: input.cols,
      frameRateHz: input.frameRateHz,
      mmPerPixel: input.mmPerPixel,
      topDepthMm: input.topDepthMm,
      probe: input.probe,
      preset: input.preset,
      depthMm: input.depthMm,
    };
    const dataset = clipDataset({ patient: { pseudonym: exam.patient.pseudonym }, exam, clip, pixels: input.pixels });
    assertNoIdentity(dataset, exam.patient);
    const bytes = writePart10(dataset);
    const md5 = createHash('md5').update(bytes).digest('hex');
    const blob = this.blobs.put(bytes);
    const id = newClipId();
    try {
      this.db
        .transaction(() => {
          this.db
            .prepare(
              `INSERT INTO clip (id, exam_id, zone, sop_uid, instance_number, kind, frames, frame_rate_hz, rows, cols, mm_per_pixel,
                 top_depth_mm, probe_model, probe_serial, preset, depth_mm, gain_db, captured_at, dicom_sha256, dicom_bytes, dicom_md5)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              id, exam.id, zone, clip.sopUid, instanceNumber, input.kind, input.frames, input.frameRateHz, input.rows, input.cols,
              input.mmPerPixel, input.topDepthMm, input.probe.model, input.probe.serial, input.preset, input.depthMm, input.gainDb,
              capturedAt, blob.sha256, blob.bytes, md5,
            );
          for (const f of input.findings ?? []) this.insertFinding(exam.id, id, zone, input.frames, f);
          this.audit.add(exam.operator, 'clip.capture', exam.id, { clipId: id, zone, frames: input.frames, kind: input.kind, sha256: blob.sha256 });
        })
        .immediate();
    } catch (err) {
      this.blobs.remove(blob.sha256); // not referenced by any row: an orphan now, not later
      if (isNoSpace(err)) throw new DiskBudgetError(`the disk is full: the clip (${mb(bytes.byteLength)}) could not be recorded and was not stored; sync or delete synced exams`);
      throw err;
    }
    return this.clip(id);
  }

  /** Removes a clip during review, while the exam is open (nothing of it has left the device). */
  discardClip(examId: string, clipId: string): void {
    const exam = this.exam(examId);
    this.requireOpen(exam, 'discard a clip');
    const clip = this.clip(clipId);
    if (clip.examId !== examId) throw new NotFoundError(`clip ${clipId} is not part of exam ${examId}`);
    this.db
      .transaction(() => {
        this.db.prepare(`DELETE FROM clip WHERE id = ?`).run(clipId);
        this.audit.add(exam.operator, 'clip.discard', examId, { clipId, sopUid: clip.sopUid });
      })
      .immediate();
    this.removeUnreferencedBlob(clip.dicomSha256);
  }

  /** Findings for a stored clip (from the lung models, or tests); only while the exam is open. */
  addFinding(clipId: string, finding: NewFinding): FindingRecord {
    const clip = this.clip(clipId);
    this.requireOpen(this.exam(clip.examId), 'add findings');
    const id = this.db.transaction(() => this.insertFinding(clip.examId, clip.id, clip.zone, clip.frames, finding)).immediate();
    return findingFromRow(this.db.prepare(`SELECT * FROM finding WHERE id = ?`).get(id) as FindingRow);
  }

  private insertFinding(examId: string, clipId: string, zone: string, frames: number, f: NewFinding): string {
    if (!(f.confidence >= 0 && f.confidence <= 1)) throw new InvalidInputError(`finding confidence ${f.confidence} is outside 0…1`);
    if (!Number.isInteger(f.keyFrame) || f.keyFrame < 1 || f.keyFrame > frames) {
      throw new InvalidInputError(`finding key frame ${f.keyFrame} is outside the clip's frames 1…${frames}`);
    }
    const id = newFindingId();
    this.db
      .prepare(
        `INSERT INTO finding (id, exam_id, clip_id, zone, model_name, model_version, vals, confidence, key_frame, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, examId, clipId, zone, f.model.name, f.model.version, JSON.stringify(f.values), f.confidence, f.keyFrame, this.iso());
    return id;
  }

  /**
   * Finishes the exam: from here it is immutable and queued for sending. Two steps, so that a
   * crash in between is finished by the start-up pass with the same UIDs: mark `finishing`
   * (and fix the report's UIDs and time), then build the report and fill the outbox.
   */
  finishExam(examId: string): ExamDetail {
    const exam = this.exam(examId);
    if (exam.state === 'finished') return this.getExam(examId);
    if (exam.state === 'open') {
      const clips = this.db.prepare(`SELECT COUNT(*) FROM clip WHERE exam_id = ?`).pluck().get(examId) as number;
      if (clips === 0) throw new ExamStateError(`exam ${examId} has no clips; capture at least one clip, or delete the exam`);
      const hasFindings = (this.db.prepare(`SELECT COUNT(*) FROM finding WHERE exam_id = ?`).pluck().get(examId) as number) > 0;
      this.db
        .transaction(() => {
          this.db
            .prepare(`UPDATE exam SET state = 'finishing', finished_at = ?, sr_series_uid = ?, sr_sop_uid = ? WHERE id = ? AND state = 'open'`)
            .run(this.iso(), hasFindings ? newUid() : null, hasFindings ? newUid() : null, examId);
          this.audit.add(exam.operator, 'exam.finish', examId, { clips });
        })
        .immediate();
    }
    this.completeFinish(examId);
    return this.getExam(examId);
  }

  /** The second step of finishing; idempotent (the start-up pass calls it for `finishing` exams). */
  completeFinish(examId: string): void {
    const exam = this.exam(examId);
    if (exam.state !== 'finishing') return;
    const clips = this.clips(examId);
    const report = exam.srSopUid && exam.srSeriesUid && exam.finishedAt ? this.writeReport(exam, exam.srSopUid, clips) : null;
    const at = this.iso();
    this.db
      .transaction(() => {
        const add = this.db.prepare(
          `INSERT OR IGNORE INTO outbox (exam_id, kind, study_uid, series_uid, sop_uid, sop_class_uid, blob_sha256, bytes, md5, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const c of clips) {
          add.run(examId, 'clip', exam.studyUid, exam.seriesUid, c.sopUid, US_MULTIFRAME_SOP_CLASS, c.dicomSha256, c.dicomBytes, c.dicomMd5, at);
        }
        if (report && exam.srSopUid && exam.srSeriesUid) {
          add.run(examId, 'sr', exam.studyUid, exam.srSeriesUid, exam.srSopUid, COMPREHENSIVE_SR_SOP_CLASS, report.sha256, report.bytes, report.md5, at);
        }
        this.db.prepare(`UPDATE exam SET state = 'finished', current_zone = NULL WHERE id = ?`).run(examId);
        this.audit.add('device', 'exam.queued', examId, { objects: clips.length + (report ? 1 : 0) });
      })
      .immediate();
  }

  /** Builds the findings report from the stored data under `srSopUid` and stores its file. */
  private writeReport(exam: ExamRecord, srSopUid: string, clips: ClipRecord[]): { sha256: string; bytes: number; md5: string } {
    if (!exam.srSeriesUid || !exam.finishedAt) throw new ExamStateError(`exam ${exam.id} has no findings report series; finish it first`);
    const bytes = buildFindingsReport({
      patient: { pseudonym: exam.patient.pseudonym },
      exam: { ...exam, finishedAt: exam.finishedAt, srSeriesUid: exam.srSeriesUid, srSopUid },
      clips,
      findings: this.findings(exam.id),
      deviceObserverUid: uidFromName(deviceObserverSeed(this.siteKey), 'device observer'),
    });
    const blob = this.blobs.put(bytes);
    return { ...blob, md5: createHash('md5').update(bytes).digest('hex') };
  }

  /**
   * The operator's correction of a finding's B-line count and/or zone score, stored next to the
   * AI values (which are never rewritten); a later edit of the same value replaces the earlier
   * one, and every edit is in the audit log with both values. While the exam is open that is
   * all. Once it is finished, the findings report is made again under a new SOP Instance UID and
   * replaces the queued one — but only while no attempt to send that report has been made:
   * after that a destination may hold it, and a second, different report from the device would
   * be a silent contradiction, so the edit is refused (the reviewer corrects the report there).
   */
  editFinding(examId: string, findingId: string, values: EditableFindingValues, operator: string): ExamDetail {
    const checked = checkEdit(values);
    const exam = this.exam(examId);
    const row = this.db.prepare(`SELECT * FROM finding WHERE id = ?`).get(findingId) as FindingRow | undefined;
    if (!row || row.exam_id !== examId) throw new NotFoundError(`finding ${findingId} is not part of exam ${examId}`);
    const finding = findingFromRow(row);
    if (exam.state === 'finishing') throw new ExamStateError(`exam ${examId} is being finished; try the edit again in a moment`);
    const merged: EditableFindingValues = { ...finding.edit?.values, ...checked };
    const at = this.iso();
    const save = (): void => {
      this.db.prepare(`UPDATE finding SET edit_vals = ?, edited_by = ?, edited_at = ? WHERE id = ?`).run(JSON.stringify(merged), operator, at, findingId);
      this.audit.add(operator, 'finding.edit', examId, {
        findingId,
        zone: finding.zone,
        ai: pick(finding.values),
        before: finding.edit?.values ?? null,
        after: merged,
      });
    };
    if (exam.state === 'open') {
      this.db.transaction(save).immediate();
      return this.getExam(examId);
    }

    // Finished: the report must be made again with the edit in it.
    this.refuseIfReportSent(exam);
    const old = this.db.prepare(`SELECT id, blob_sha256 FROM outbox WHERE exam_id = ? AND kind = 'sr'`).get(examId) as { id: number; blob_sha256: string } | undefined;
    const srSopUid = newUid();
    const clips = this.clips(examId);
    // The report is built from the stored findings, so build it inside the transaction, after the edit is saved.
    let report: { sha256: string; bytes: number; md5: string } | null = null;
    try {
      this.db
        .transaction(() => {
          this.refuseIfReportSent(exam); // again, now that the sync thread cannot write in between
          save();
          report = this.writeReport(exam, srSopUid, clips);
          if (old) this.db.prepare(`DELETE FROM outbox WHERE id = ?`).run(old.id);
          this.db
            .prepare(
              `INSERT INTO outbox (exam_id, kind, study_uid, series_uid, sop_uid, sop_class_uid, blob_sha256, bytes, md5, created_at)
               VALUES (?, 'sr', ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(examId, exam.studyUid, exam.srSeriesUid, srSopUid, COMPREHENSIVE_SR_SOP_CLASS, report.sha256, report.bytes, report.md5, at);
          this.db.prepare(`UPDATE exam SET sr_sop_uid = ? WHERE id = ?`).run(srSopUid, examId);
          this.audit.add('device', 'exam.report-revised', examId, { previousSopUid: exam.srSopUid, sopUid: srSopUid });
        })
        .immediate();
    } catch (err) {
      const made = report as { sha256: string } | null;
      if (made) this.removeUnreferencedBlob(made.sha256);
      throw err;
    }
    if (old) this.removeUnreferencedBlob(old.blob_sha256);
    return this.getExam(examId);
  }

  private refuseIfReportSent(exam: ExamRecord): void {
    const sent = this.db
      .prepare(
        `SELECT d.destination FROM delivery d JOIN outbox o ON o.id = d.outbox_id
          WHERE o.exam_id = ? AND o.kind = 'sr' AND (d.state <> 'pending' OR d.attempts > 0) LIMIT 1`,
      )
      .pluck()
      .get(exam.id) as string | undefined;
    if (sent) {
      throw new ExamStateError(
        `the findings report of exam ${exam.id} has already been sent to ${sent}; it can no longer be edited on the device (correct the finding in the report there)`,
      );
    }
  }

  /**
   * Deletes an exam and its files. Refused unless nothing would be lost: the exam is verified
   * at every configured destination, or it is still open with no clips.
   */
  deleteExam(examId: string, actor: string): void {
    const exam = this.exam(examId);
    const clips = this.clips(examId);
    const emptyOpen = exam.state === 'open' && clips.length === 0;
    if (!emptyOpen && !this.outbox.examSynced(examId, this.destinations)) {
      throw new ExamStateError(`exam ${examId} is not synced to every destination yet; it cannot be deleted (nothing unsynced is ever deleted)`);
    }
    const blobs = this.db.prepare(`SELECT blob_sha256 FROM outbox WHERE exam_id = ?`).pluck().all(examId) as string[];
    this.db
      .transaction(() => {
        this.db.prepare(`DELETE FROM exam WHERE id = ?`).run(examId);
        this.audit.add(actor, 'exam.delete', examId, { clips: clips.length });
      })
      .immediate();
    for (const sha of new Set([...blobs, ...clips.map((c) => c.dicomSha256)])) this.removeUnreferencedBlob(sha);
  }

  private removeUnreferencedBlob(sha256: string): void {
    const refs =
      (this.db.prepare(`SELECT COUNT(*) FROM clip WHERE dicom_sha256 = ?`).pluck().get(sha256) as number) +
      (this.db.prepare(`SELECT COUNT(*) FROM outbox WHERE blob_sha256 = ?`).pluck().get(sha256) as number);
    if (refs === 0) this.blobs.remove(sha256);
  }

  // ---- reads

  exam(id: string): ExamRecord {
    const row = this.db.prepare(`SELECT * FROM exam WHERE id = ?`).get(id) as ExamRow | undefined;
    if (!row) throw new NotFoundError(`no exam ${id}`);
    return examFromRow(row);
  }

  currentExam(): ExamRecord | null {
    const row = this.db.prepare(`SELECT * FROM exam WHERE state = 'open' ORDER BY started_at DESC LIMIT 1`).get() as ExamRow | undefined;
    return row ? examFromRow(row) : null;
  }

  clip(id: string): ClipRecord {
    const row = this.db.prepare(`SELECT * FROM clip WHERE id = ?`).get(id) as ClipRow | undefined;
    if (!row) throw new NotFoundError(`no clip ${id}`);
    return clipFromRow(row);
  }

  clips(examId: string): ClipRecord[] {
    return (this.db.prepare(`SELECT * FROM clip WHERE exam_id = ? ORDER BY instance_number`).all(examId) as ClipRow[]).map(clipFromRow);
  }

  findings(examId: string): FindingRecord[] {
    return (this.db.prepare(`SELECT * FROM finding WHERE exam_id = ? ORDER BY created_at, id`).all(examId) as FindingRow[]).map(findingFromRow);
  }

  getExam(id: string): ExamDetail {
    const exam = this.exam(id);
    const zones = (this.db.prepare(`SELECT label, laterality FROM zone WHERE exam_id = ? ORDER BY first_selected_at`).all(id) as ZoneRecord[]).map(
      (z) => ({ label: z.label, laterality: z.laterality }),
    );
    const reviews = (this.db.prepare(`SELECT * FROM review WHERE exam_id = ? ORDER BY found_at`).all(id) as ReviewRow[]).map(reviewFromRow);
    return {
      ...exam,
      zones,
      clips: this.clips(id),
      findings: this.findings(id),
      sync: this.outbox.examSync(id, exam.state, this.destinations),
      reviews,
      reviewed: reviews.length > 0,
    };
  }

  listExams(limit = 200): ExamSummary[] {
    const rows = this.db.prepare(`SELECT * FROM exam ORDER BY started_at DESC LIMIT ?`).all(limit) as ExamRow[];
    return rows.map((r) => {
      const clips = this.db.prepare(`SELECT COUNT(*) FROM clip WHERE exam_id = ?`).pluck().get(r.id) as number;
      const reviewed = (this.db.prepare(`SELECT COUNT(*) FROM review WHERE exam_id = ?`).pluck().get(r.id) as number) > 0;
      return {
        id: r.id,
        state: r.state,
        patientPseudonym: r.patient_pseudonym,
        patientName: r.patient_name,
        operator: r.operator,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        clips,
        syncState: this.outbox.examSync(r.id, r.state, this.destinations).state,
        reviewed,
      };
    });
  }

  /** The exam's objects as they are (or will be) sent: intact clips, and the findings report if any. */
  exportObjects(examId: string): ExportedObject[] {
    this.exam(examId); // NotFoundError for an unknown id
    // A clip the start-up pass found damaged has no intact file to give; getExam lists it.
    const out: ExportedObject[] = this.clips(examId).filter((c) => c.state === 'ok').map((c) => ({
      name: `clip-${String(c.instanceNumber).padStart(3, '0')}-${c.zone}.dcm`,
      kind: 'clip' as const,
      sopUid: c.sopUid,
      bytes: this.blobs.read(c.dicomSha256),
    }));
    const sr = this.db.prepare(`SELECT sop_uid, blob_sha256 FROM outbox WHERE exam_id = ? AND kind = 'sr'`).get(examId) as
      | { sop_uid: string; blob_sha256: string }
      | undefined;
    // An open exam has no report yet: it is made, with its UIDs, when the exam is finished.
    if (sr) out.push({ name: 'findings-sr.dcm', kind: 'sr', sopUid: sr.sop_uid, bytes: this.blobs.read(sr.blob_sha256) });
    return out;
  }

  // ---- reviews (closing the loop)

  addReview(examId: string, review: { sopUid: string; destination: string; reviewer: string; text: string; contentAt: string | null }): boolean {
    const added = this.db
      .transaction(() => {
        const r = this.db
          .prepare(
            `INSERT OR IGNORE INTO review (exam_id, sop_uid, destination, reviewer, report_text, content_at, found_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(examId, review.sopUid, review.destination, review.reviewer, review.text, review.contentAt, this.iso());
        if (r.changes > 0) this.audit.add('sync', 'exam.reviewed', examId, { sopUid: review.sopUid, destination: review.destination });
        return r.changes > 0;
      })
      .immediate();
    return added;
  }

  // ---- disk

  usedBytes(): number {
    const blobs =
      ((this.db.prepare(`SELECT SUM(dicom_bytes) FROM clip`).pluck().get() as number | null) ?? 0) +
      ((this.db.prepare(`SELECT SUM(bytes) FROM outbox WHERE kind = 'sr'`).pluck().get() as number | null) ?? 0);
    let dbBytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        dbBytes += fs.statSync(path.join(this.dataDir, DB_FILE + suffix)).size;
      } catch {
        // absent
      }
    }
    return blobs + dbBytes;
  }

  storage(): StorageStatus {
    const exams = this.db.prepare(`SELECT id, state FROM exam`).all() as Array<{ id: string; state: string }>;
    const unsyncedExams = exams.filter((e) => e.state !== 'finished' || !this.outbox.examSynced(e.id, this.destinations)).length;
    let pendingObjects: number;
    if (this.destinations.length === 0) pendingObjects = this.outbox.counts().objects;
    else {
      pendingObjects = this.db
        .prepare(
          `SELECT COUNT(*) FROM outbox o WHERE (SELECT COUNT(*) FROM delivery d WHERE d.outbox_id = o.id AND d.state = 'verified') < ?`,
        )
        .pluck()
        .get(this.destinations.length) as number;
    }
    return {
      dataDir: this.dataDir,
      ...diskState(this.dataDir, this.usedBytes(), this.budget, this.typicalClipBytes),
      exams: exams.length,
      unsyncedExams,
      pendingObjects,
    };
  }

  private requireOpen(exam: ExamRecord, what: string): void {
    if (exam.state !== 'open') throw new ExamStateError(`exam ${exam.id} is ${exam.state}; cannot ${what} (start a new exam)`);
  }
}

function checkEdit(values: EditableFindingValues): EditableFindingValues {
  const out: EditableFindingValues = {};
  if (values.bLineCount !== undefined) {
    if (!Number.isInteger(values.bLineCount) || values.bLineCount < 0 || values.bLineCount > MAX_B_LINES) {
      throw new InvalidInputError(`B-line count ${values.bLineCount} is not a whole number from 0 to ${MAX_B_LINES}`);
    }
    out.bLineCount = values.bLineCount;
  }
  if (values.zoneScore !== undefined) {
    if (!Number.isInteger(values.zoneScore) || values.zoneScore < 0 || values.zoneScore > 3) {
      throw new InvalidInputError(`zone score ${values.zoneScore} is not a whole number from 0 to 3`);
    }
    out.zoneScore = values.zoneScore;
  }
  if (out.bLineCount === undefined && out.zoneScore === undefined) throw new InvalidInputError('give a corrected bLineCount and/or zoneScore');
  return out;
}

/** The editable part of the AI's values, for the audit log. */
function pick(v: ZoneFindingValues): EditableFindingValues {
  return { ...(v.bLineCount !== undefined ? { bLineCount: v.bLineCount } : {}), ...(v.zoneScore !== undefined ? { zoneScore: v.zoneScore } : {}) };
}
