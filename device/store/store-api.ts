/**
 * What the store thread offers the rest of the device app: the {@link Store} operations that
 * the workflow needs, each answered asynchronously across the thread boundary.
 */
import type { ClipRecord, EditableFindingValues, ExamDetail, ExamRecord, ExamSummary, FindingRecord } from '../exam/records.js';
import type { AuditEntry } from './audit-log.js';
import type { DiskBudget } from './disk-budget.js';
import type { MigrationStep } from './migrate.js';
import type { RecoveryReport } from './recovery.js';
import type { CommitClipInput, NewFinding, StartExamInput, StorageStatus } from './store.js';

export interface StoreApi {
  startExam(input: StartExamInput): ExamRecord;
  selectZone(examId: string, zone: string): ExamRecord;
  /** Throws what a capture of `bytes` into the exam would be refused with, before any waiting. */
  checkCapture(examId: string, bytes: number): void;
  commitClip(input: CommitClipInput): ClipRecord;
  discardClip(examId: string, clipId: string): void;
  addFinding(clipId: string, finding: NewFinding): FindingRecord;
  finishExam(examId: string): ExamDetail;
  editFinding(examId: string, findingId: string, values: EditableFindingValues, operator: string): ExamDetail;
  deleteExam(examId: string, actor: string): void;
  getExam(examId: string): ExamDetail;
  /** One clip's record (NotFoundError when there is none): for clip review. */
  clip(clipId: string): ClipRecord;
  currentExam(): ExamRecord | null;
  listExams(limit: number): ExamSummary[];
  storage(): StorageStatus;
  /** An audit entry that concerns no exam (maintenance actions: actor "technician"). */
  auditEvent(actor: string, action: string, detail: Record<string, unknown>): void;
  auditTrail(limit: number, actionPrefix: string): AuditEntry[];
}

export type StoreMethod = keyof StoreApi;

export interface StoreThreadOptions {
  dataDir: string;
  budget: DiskBudget;
  siteKeyFile: string;
  destinations: string[];
  typicalClipBytes: number;
}

export type StoreRequest = { type: 'call'; id: number; method: StoreMethod; args: unknown[] } | { type: 'close' };

export type StoreReply =
  | { type: 'ready'; recovery: RecoveryReport; migrations: MigrationStep[] }
  | { type: 'fatal'; error: { name: string; message: string } }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: { name: string; message: string } };
