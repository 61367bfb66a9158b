/**
 * The guided exam beside the live image: "Start exam" when none is open; during an exam the
 * patient, the body map (tap a zone to choose it), the suggested next zone, the two captures
 * ("Save last N s": retrospective, from the cine buffer; "Record next N s": prospective) and
 * Finish. Finish opens the summary in review mode while the exam is still open (edit, then
 * "Finish and send", or back to scanning); only "Finish and send" finishes the exam, and the
 * summary then follows its sync. The device's exam API is the truth for the exam, its zone and
 * its clips (a reload resumes the open exam); the page adds the AI zone score shown in the
 * findings panel at the moment of each capture.
 *
 * Hidden when the server has no exam API (GET /api/exam/current is not answered).
 */
import { t } from '../i18n/messages.js';
import type { KioskFindings } from '../protocol.js';
import { BodyMap, type ZoneState } from './body-map.js';
import { examApi, type CaptureMode, type ExamDetailView, type ExamView, type StartExamRequest, type StoredFindingValues } from './exam-client.js';
import { ExamSummary, protocolName, type RecordedZone, type SummaryElements } from './exam-summary.js';
import { nextZone, protocolZones } from './lung-zones.js';
import { StartDialog, type StartDialogElements } from './start-dialog.js';

export interface ExamPanelElements {
  panel: HTMLElement;
  start: HTMLButtonElement;
  active: HTMLElement;
  patient: HTMLElement;
  map: SVGSVGElement;
  next: HTMLButtonElement;
  capture: HTMLButtonElement;
  captureNext: HTMLButtonElement;
  finish: HTMLButtonElement;
  message: HTMLElement;
  dialog: StartDialogElements;
  summary: SummaryElements;
}

/** How often the summary asks for the finished exam's sync state. */
const SYNC_POLL_MS = 3000;

export class ExamPanel {
  private exam: ExamDetailView | null = null;
  /** Per zone, the live AI findings and zone score at its latest capture. */
  private readonly scores = new Map<string, RecordedZone>();
  private live: RecordedZone = { score: null, findings: null };
  private busy = false;
  /** A prospective capture is recording. */
  private recording = false;
  /** The device's `capture.defaultSeconds` (from its status), for the button labels; null when unknown. */
  private captureSeconds: number | null = null;
  private readonly map: BodyMap;
  private readonly dialog: StartDialog;
  private readonly summary: ExamSummary;
  private syncTimer: number | undefined;

  constructor(private readonly el: ExamPanelElements) {
    this.map = new BodyMap(el.map, (zone) => void this.selectZone(zone));
    this.dialog = new StartDialog(el.dialog);
    this.summary = new ExamSummary(el.summary, () => this.stopSyncPoll(), () => void this.finishAndSend());
    el.start.addEventListener('click', () => this.dialog.open((req) => void this.start(req)));
    el.next.addEventListener('click', () => {
      const next = el.next.dataset['zone'];
      if (next) void this.selectZone(next);
    });
    el.capture.addEventListener('click', () => void this.capture('retrospective'));
    el.captureNext.addEventListener('click', () => void this.capture('prospective'));
    el.finish.addEventListener('click', () => void this.review());
  }

  /** The device's default capture length, from each status it sends; the buttons say it. */
  setCaptureSeconds(seconds: number | null): void {
    if (seconds === this.captureSeconds) return;
    this.captureSeconds = seconds;
    this.render();
  }

  /** Lets the summary open a zone's clip frame by frame (the review dialog lives beside the panel). */
  setClipReviewer(review: (clipId: string, zone: string) => void): void {
    this.summary.onReviewClip = review;
  }

  /** Looks for an open exam to resume; leaves the panel hidden when there is no exam API. */
  async init(): Promise<void> {
    let current: ExamView | null;
    try {
      current = await examApi.current();
    } catch (err) {
      console.warn('exam API not available; the exam panel stays hidden:', err instanceof Error ? err.message : err);
      return;
    }
    this.el.panel.hidden = false;
    if (current) await this.load(current.id);
    this.render();
  }

  /** The findings now on screen: their zone score is what a capture records. */
  noteFindings(f: KioskFindings): void {
    const findings: StoredFindingValues = { bLineCount: f.bLines.count, consolidation: f.consolidation !== null, effusion: f.effusion !== null };
    if (f.sliding !== 'unknown') findings.lungSliding = f.sliding === 'present';
    this.live = { score: f.zone?.score ?? null, findings };
  }

  private async start(req: StartExamRequest): Promise<void> {
    this.dialog.setBusy(true);
    try {
      const exam = await examApi.start(req);
      this.scores.clear();
      await this.load(exam.id);
      this.dialog.close();
      // The first zone of the protocol is where the operator starts.
      const first = protocolZones(exam.protocol)[0];
      if (first) await this.selectZone(first);
    } catch (err) {
      this.dialog.showError(err instanceof Error ? err.message : String(err));
      this.dialog.setBusy(false);
    }
    this.render();
  }

  private async selectZone(zone: string): Promise<void> {
    const exam = this.exam;
    if (!exam || this.busy) return;
    await this.run(async () => {
      const updated = await examApi.zone(exam.id, zone);
      exam.currentZone = updated.currentZone;
    });
  }

  /** Retrospective: the last seconds, what the operator just saw; prospective: the next seconds. */
  private async capture(mode: CaptureMode): Promise<void> {
    const exam = this.exam;
    const zone = exam?.currentZone;
    if (!exam || !zone || this.busy) return;
    // Retrospective: the score shown when the operator pressed Capture, not one that arrives while
    // saving. Prospective: the one shown when the recording ends.
    const seen = this.live;
    this.recording = mode === 'prospective';
    try {
      await this.run(async () => {
        await examApi.capture(exam.id, mode);
        this.scores.set(zone, mode === 'prospective' ? this.live : seen);
        this.recording = false;
        await this.load(exam.id);
        const next = nextZone(protocolZones(exam.protocol), this.captured());
        this.message(next ? t('exam.captured', { zone, next }) : t('exam.capturedAll', { zone }));
      }, mode === 'prospective' ? t('exam.recordingZone', { zone }) : t('exam.capturing', { zone }));
    } finally {
      this.recording = false;
      this.render();
    }
  }

  /** Finish: the summary in review mode; the exam stays open until "Finish and send". */
  private async review(): Promise<void> {
    const exam = this.exam;
    if (!exam || this.busy) return;
    await this.run(async () => {
      const detail = await examApi.get(exam.id);
      this.stopSyncPoll();
      this.summary.show(detail, this.scores, 'review');
    });
  }

  /** "Finish and send" in the review: POST /api/exam/finish, then the finished summary follows the sync. */
  private async finishAndSend(): Promise<void> {
    const exam = this.exam;
    if (!exam || this.busy) return;
    this.busy = true;
    this.summary.setBusy(true);
    this.summary.showMessage(t('exam.finishing'), 'progress');
    try {
      const finished = await examApi.finish(exam.id);
      this.exam = null;
      this.message('');
      this.summary.showMessage('');
      this.summary.show(finished, this.scores, 'finished');
      this.startSyncPoll(finished);
    } catch (err) {
      this.summary.showMessage(t('exam.summary.finishFailed', { reason: err instanceof Error ? err.message : String(err) }));
    } finally {
      this.busy = false;
      this.summary.setBusy(false);
      this.render();
    }
  }

  private startSyncPoll(exam: ExamDetailView): void {
    this.stopSyncPoll();
    this.syncTimer = window.setInterval(() => {
      if (!this.summary.open) return this.stopSyncPoll();
      examApi.get(exam.id).then((e) => this.summary.showSync(e), () => undefined);
    }, SYNC_POLL_MS);
  }

  private stopSyncPoll(): void {
    if (this.syncTimer !== undefined) window.clearInterval(this.syncTimer);
    this.syncTimer = undefined;
  }

  private async load(id: string): Promise<void> {
    const exam = await examApi.get(id);
    this.exam = exam.state === 'open' ? exam : null;
  }

  /** One request at a time; its refusal is shown as the device worded it. */
  private async run(work: () => Promise<void>, doing?: string): Promise<void> {
    this.busy = true;
    if (doing) this.message(doing);
    this.render();
    try {
      await work();
      if (doing && this.el.message.dataset['kind'] === 'progress') this.message('');
    } catch (err) {
      this.message(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      this.busy = false;
      this.render();
    }
  }

  private message(text: string, kind: 'progress' | 'info' | 'error' = text.endsWith('…') ? 'progress' : 'info'): void {
    this.el.message.textContent = text;
    this.el.message.dataset['kind'] = kind;
  }

  private captured(): Set<string> {
    return new Set(this.exam?.clips.map((c) => c.zone) ?? []);
  }

  private render(): void {
    const { el, exam } = this;
    el.start.hidden = exam !== null;
    el.active.hidden = exam === null;
    if (!exam) return;
    const zones = protocolZones(exam.protocol);
    const captured = this.captured();
    const states = new Map<string, ZoneState>();
    for (const z of zones) {
      const stored = exam.findings.filter((f) => f.zone === z).at(-1)?.values.zoneScore;
      const recorded = this.scores.get(z)?.score;
      states.set(z, { captured: captured.has(z), score: recorded ?? (typeof stored === 'number' ? stored : null) });
    }
    const next = nextZone(zones, captured);
    this.map.render({ protocol: exam.protocol, current: exam.currentZone, next, zones: states });
    el.patient.textContent = t('exam.patient', { id: exam.patient.id, protocol: protocolName(exam.protocol), done: captured.size, zones: zones.length });
    el.next.hidden = next === null || next === exam.currentZone;
    el.next.dataset['zone'] = next ?? '';
    el.next.textContent = next ? t('exam.next', { zone: next }) : '';
    const seconds = this.captureSeconds;
    el.capture.textContent = !exam.currentZone
      ? t('exam.chooseZone')
      : seconds === null ? t('exam.capture.anySeconds', { zone: exam.currentZone }) : t('exam.capture', { zone: exam.currentZone, seconds });
    el.capture.disabled = this.busy || !exam.currentZone;
    el.captureNext.textContent = this.recording
      ? t('exam.recording')
      : seconds === null ? t('exam.captureNext.anySeconds') : t('exam.captureNext', { seconds });
    el.captureNext.dataset['recording'] = String(this.recording);
    el.captureNext.disabled = this.busy || !exam.currentZone;
    el.finish.disabled = this.busy;
  }
}
