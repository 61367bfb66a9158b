/**
 * The kiosk's side of the exam HTTP API (docs/api.md "The exam workflow"): typed calls, and the
 * shapes of the answers as far as the page uses them. The page cannot load device code (only
 * dist/ui-kiosk/web is served): the device's types come in as type-only imports, erased when
 * compiled; the answers' shapes are declared here with the few fields the page reads.
 */
import type { CaptureKind, ExamState, ExamSummary, ExamSyncState, ZoneFindingValues } from '../../../device/exam/records.js';
import { deviceFetch } from '../device-api.js';

export type { ExamState, ExamSyncState };

export interface ExamView {
  id: string;
  state: ExamState | string;
  patient: { id: string; name: string; pseudonym?: string };
  operator: string;
  protocol: string;
  startedAt: string;
  finishedAt: string | null;
  currentZone: string | null;
}

export interface ClipView {
  id: string;
  zone: string;
  frames?: number;
  capturedAt: string;
  state?: string;
}

/** AI values stored with a clip (decision support). */
export type StoredFindingValues = ZoneFindingValues;

/** What the operator may correct: B-line count 0…30, zone score 0…3 (whole numbers). */
export interface EditedFindingValues {
  bLineCount?: number;
  zoneScore?: number;
}

export interface FindingView {
  id: string;
  clipId: string;
  zone: string;
  values: StoredFindingValues;
  confidence: number;
  /** The clip frame the AI's finding was taken from (its key image). */
  keyFrame?: number;
  /** The operator's correction, kept next to the AI values; absent or null when not edited. */
  edit?: { values: EditedFindingValues; operator: string; at: string } | null;
}

export interface ExamDetailView extends ExamView {
  clips: ClipView[];
  findings: FindingView[];
  sync?: { state: ExamSyncState | string; objects: number; verified: number; lastError: string | null };
  /** A remote reviewer's report on the study was found at a destination. */
  reviewed?: boolean;
}

/**
 * A row of GET /api/exams (newest first): the device's summary of an exam, its states widened
 * to any string (a device newer than the page may send one the page does not know yet).
 */
export type ExamListItem = Omit<ExamSummary, 'state' | 'syncState'> & { state: ExamState | string; syncState: ExamSyncState | string };

/** `retrospective`: the last seconds from the cine buffer; `prospective`: the next seconds. */
export type CaptureMode = CaptureKind;

export interface StartExamRequest {
  patient: { id: string; name: string };
  operator: string;
  protocol: string;
}

async function call<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const text = await (await deviceFetch(route, init)).text();
  try {
    return (text ? JSON.parse(text) : null) as T;
  } catch {
    return null as T;
  }
}

export const examApi = {
  list: () => call<ExamListItem[]>('GET', '/api/exams'),
  current: () => call<ExamView | null>('GET', '/api/exam/current'),
  get: (id: string) => call<ExamDetailView>('GET', `/api/exam?id=${encodeURIComponent(id)}`),
  start: (req: StartExamRequest) => call<ExamView>('POST', '/api/exam/start', req),
  zone: (examId: string, zone: string) => call<ExamView>('POST', '/api/exam/zone', { examId, zone }),
  /** Without `seconds` the device uses its `capture.defaultSeconds`. */
  capture: (examId: string, mode: CaptureMode = 'retrospective', seconds?: number) =>
    call<ClipView>('POST', '/api/exam/capture', seconds === undefined ? { examId, mode } : { examId, mode, seconds }),
  finish: (examId: string) => call<ExamDetailView>('POST', '/api/exam/finish', { examId }),
  editFinding: (examId: string, findingId: string, values: EditedFindingValues, operator: string) =>
    call<ExamDetailView>('POST', '/api/exam/finding/edit', { examId, findingId, values, operator }),
};
