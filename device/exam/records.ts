/**
 * The exam model as the rest of the device sees it (the store maps rows to these). The real
 * patient identity appears only in {@link PatientIdentity}, which nothing that builds a DICOM
 * object accepts: those builders take a {@link PseudonymousPatient}.
 */
import type { Laterality } from './protocols.js';

export type ExamState = 'open' | 'finishing' | 'finished';
export type CaptureKind = 'retrospective' | 'prospective';

/** Who the exam is about, as entered at the device. Never leaves the device. */
export interface PatientIdentity {
  id: string;
  name: string;
}

/** What the outside world may know about the patient. */
export interface PseudonymousPatient {
  /** `PLP-` + 16 hex digits of HMAC-SHA256(site key, real ID). */
  pseudonym: string;
}

export interface ExamRecord {
  id: string;
  state: ExamState;
  patient: PatientIdentity & PseudonymousPatient;
  operator: string;
  protocol: string;
  startedAt: string;
  finishedAt: string | null;
  studyUid: string;
  seriesUid: string;
  currentZone: string | null;
  srSeriesUid: string | null;
  srSopUid: string | null;
}

export interface ZoneRecord {
  label: string;
  laterality: Laterality;
}

export interface ProbeInfo {
  model: string;
  serial: string;
}

export interface ClipRecord {
  id: string;
  examId: string;
  zone: string;
  laterality: Laterality;
  sopUid: string;
  instanceNumber: number;
  kind: CaptureKind;
  frames: number;
  frameRateHz: number;
  rows: number;
  cols: number;
  mmPerPixel: number;
  topDepthMm: number;
  probe: ProbeInfo;
  preset: string;
  depthMm: number;
  gainDb: number;
  capturedAt: string;
  dicomSha256: string;
  dicomBytes: number;
  dicomMd5: string;
  /** 'damaged' when the start-up pass found its file missing or the wrong size. */
  state: 'ok' | 'damaged';
}

/** Per-zone lung findings; every field is optional because a model may report only some. */
export interface ZoneFindingValues {
  bLineCount?: number;
  /** LUS aeration score 0 (normal) … 3 (consolidation). */
  zoneScore?: number;
  pleuralLineAbnormal?: boolean;
  consolidation?: boolean;
  effusion?: boolean;
  lungSliding?: boolean;
}

/** The values an operator may correct, and their ranges. */
export interface EditableFindingValues {
  /** Integer 0…{@link MAX_B_LINES}. */
  bLineCount?: number;
  /** Integer 0…3. */
  zoneScore?: number;
}

export const MAX_B_LINES = 30;

/** The operator's correction of a finding; the AI's values stay as they were, next to it. */
export interface FindingEdit {
  values: EditableFindingValues;
  operator: string;
  at: string;
}

export interface FindingRecord {
  id: string;
  examId: string;
  clipId: string;
  zone: string;
  model: { name: string; version: string };
  values: ZoneFindingValues;
  /** 0…1 */
  confidence: number;
  /** 1-based frame number in the clip that shows the finding best. */
  keyFrame: number;
  createdAt: string;
  /** null unless the operator corrected it. */
  edit: FindingEdit | null;
}

export type DeliveryState = 'pending' | 'stored' | 'verified';

export interface ObjectSync {
  sopUid: string;
  kind: 'clip' | 'sr';
  destination: string;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  verifiedAt: string | null;
}

/**
 * `local`: not finished; `waiting`: finished, no destination configured; `queued`: finished,
 * nothing tried yet; `sending`: partly delivered or failing (see `lastError`); `synced`.
 */
export type ExamSyncState = 'local' | 'waiting' | 'queued' | 'sending' | 'synced';

export interface ExamSync {
  state: ExamSyncState;
  objects: number;
  verified: number;
  lastError: string | null;
  perObject: ObjectSync[];
}

export interface ReviewRecord {
  sopUid: string;
  destination: string;
  reviewer: string;
  text: string;
  contentAt: string | null;
  foundAt: string;
}

export interface ExamDetail extends ExamRecord {
  zones: ZoneRecord[];
  clips: ClipRecord[];
  findings: FindingRecord[];
  sync: ExamSync;
  reviews: ReviewRecord[];
  reviewed: boolean;
}

export interface ExamSummary {
  id: string;
  state: ExamState;
  patientPseudonym: string;
  patientName: string;
  operator: string;
  startedAt: string;
  finishedAt: string | null;
  clips: number;
  syncState: ExamSyncState;
  reviewed: boolean;
}
