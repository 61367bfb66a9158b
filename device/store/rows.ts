/** Database rows → the exam model's records. One place that knows the column names. */
import type { ClipRecord, EditableFindingValues, ExamRecord, FindingRecord, ReviewRecord, ZoneFindingValues } from '../exam/records.js';
import { lateralityOf } from '../exam/protocols.js';

export interface ExamRow {
  id: string;
  state: ExamRecord['state'];
  patient_pseudonym: string;
  patient_id: string;
  patient_name: string;
  operator: string;
  protocol: string;
  started_at: string;
  finished_at: string | null;
  study_uid: string;
  series_uid: string;
  current_zone: string | null;
  sr_series_uid: string | null;
  sr_sop_uid: string | null;
}

export function examFromRow(r: ExamRow): ExamRecord {
  return {
    id: r.id,
    state: r.state,
    patient: { id: r.patient_id, name: r.patient_name, pseudonym: r.patient_pseudonym },
    operator: r.operator,
    protocol: r.protocol,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    studyUid: r.study_uid,
    seriesUid: r.series_uid,
    currentZone: r.current_zone,
    srSeriesUid: r.sr_series_uid,
    srSopUid: r.sr_sop_uid,
  };
}

export interface ClipRow {
  id: string;
  exam_id: string;
  zone: string;
  sop_uid: string;
  instance_number: number;
  kind: ClipRecord['kind'];
  frames: number;
  frame_rate_hz: number;
  rows: number;
  cols: number;
  mm_per_pixel: number;
  top_depth_mm: number;
  probe_model: string;
  probe_serial: string;
  preset: string;
  depth_mm: number;
  gain_db: number;
  captured_at: string;
  dicom_sha256: string;
  dicom_bytes: number;
  dicom_md5: string;
  state: ClipRecord['state'];
}

export function clipFromRow(r: ClipRow): ClipRecord {
  return {
    id: r.id,
    examId: r.exam_id,
    zone: r.zone,
    laterality: lateralityOf(r.zone),
    sopUid: r.sop_uid,
    instanceNumber: r.instance_number,
    kind: r.kind,
    frames: r.frames,
    frameRateHz: r.frame_rate_hz,
    rows: r.rows,
    cols: r.cols,
    mmPerPixel: r.mm_per_pixel,
    topDepthMm: r.top_depth_mm,
    probe: { model: r.probe_model, serial: r.probe_serial },
    preset: r.preset,
    depthMm: r.depth_mm,
    gainDb: r.gain_db,
    capturedAt: r.captured_at,
    dicomSha256: r.dicom_sha256,
    dicomBytes: r.dicom_bytes,
    dicomMd5: r.dicom_md5,
    state: r.state,
  };
}

export interface FindingRow {
  id: string;
  exam_id: string;
  clip_id: string;
  zone: string;
  model_name: string;
  model_version: string;
  vals: string;
  confidence: number;
  key_frame: number;
  created_at: string;
  edit_vals: string | null;
  edited_by: string | null;
  edited_at: string | null;
}

export function findingFromRow(r: FindingRow): FindingRecord {
  return {
    id: r.id,
    examId: r.exam_id,
    clipId: r.clip_id,
    zone: r.zone,
    model: { name: r.model_name, version: r.model_version },
    values: JSON.parse(r.vals) as ZoneFindingValues,
    confidence: r.confidence,
    keyFrame: r.key_frame,
    createdAt: r.created_at,
    edit: r.edit_vals ? { values: JSON.parse(r.edit_vals) as EditableFindingValues, operator: r.edited_by ?? '', at: r.edited_at ?? '' } : null,
  };
}

export interface ReviewRow {
  sop_uid: string;
  destination: string;
  reviewer: string;
  report_text: string;
  content_at: string | null;
  found_at: string;
}

export function reviewFromRow(r: ReviewRow): ReviewRecord {
  return { sopUid: r.sop_uid, destination: r.destination, reviewer: r.reviewer, text: r.report_text, contentAt: r.content_at, foundAt: r.found_at };
}
