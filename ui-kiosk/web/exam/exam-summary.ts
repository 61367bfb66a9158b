/**
 * The summary of an exam: per zone its status, the AI zone score and the AI findings stored with
 * its clips, the total LUS score (the sum of the scored zones; unscored zones listed as such),
 * that all of it is decision support and not a diagnosis, and the exam's sync state in words.
 * The operator may correct a zone's B-line count and score ("Edit"); the device keeps the AI
 * value next to the correction, and the summary shows both and counts the corrected score.
 *
 * Two modes: `review` while the exam is still open (the exam panel's Finish opens it: edit, then
 * "Finish and send", or "Back to scanning" with the exam left open), and `finished` after
 * POST /api/exam/finish (sync state polled by the panel, Print, Close). Edits made before
 * finishing go into the first findings report the device sends.
 */
import { t } from '../i18n/messages.js';
import { KeyImages } from './key-images.js';
import { personName } from './person-name.js';
import type { MessageKey } from '../i18n/en.js';
import { examApi, type EditedFindingValues, type ExamDetailView, type FindingView, type StoredFindingValues } from './exam-client.js';
import { EXAM_PROTOCOLS, protocolZones } from './lung-zones.js';

export interface SummaryElements {
  root: HTMLElement;
  patient: HTMLElement;
  rows: HTMLElement;
  total: HTMLElement;
  sync: HTMLElement;
  print: HTMLButtonElement;
  close: HTMLButtonElement;
  /** Review mode: back to scanning (the exam stays open), and finish and send. */
  back: HTMLButtonElement;
  finish: HTMLButtonElement;
  /** The heading, the review hint and a refusal of Finish. */
  title: HTMLElement;
  hint: HTMLElement;
  message: HTMLElement;
}

export type SummaryMode = 'review' | 'finished';

const SYNC_STATES: readonly string[] = ['local', 'waiting', 'queued', 'sending', 'synced'];

/** What the summary's sync line says: the raw state for tests, words for people. */
export function syncState(exam: Pick<ExamDetailView, 'state' | 'sync' | 'reviewed'>): { state: string; words: string } {
  if (exam.reviewed) return { state: 'reviewed', words: t('exam.sync.reviewed') };
  const sync = exam.sync;
  const state = sync?.state ?? (exam.state === 'open' ? 'local' : '');
  if (!state) return { state: '', words: '' };
  if (!SYNC_STATES.includes(state)) return { state, words: state };
  let words = t(`exam.sync.${state}` as MessageKey);
  if (state === 'sending' && sync) {
    if (sync.objects > 0) words += ` ${t('exam.sync.progress', { verified: sync.verified, objects: sync.objects })}`;
    if (sync.lastError) words += ` — ${t('exam.sync.retrying', { error: sync.lastError })}`;
  }
  return { state, words };
}

export interface ZoneSummary {
  zone: string;
  clips: number;
  /** The score counted in the total: the operator's when edited, else the AI's. */
  score: number | null;
  /** The AI's score (shown next to an edited one). */
  aiScore: number | null;
  findings: StoredFindingValues | null;
  /** The zone's clips that can be reviewed (not damaged), oldest first. */
  clipIds: string[];
  /** The zone's key image: the AI finding's key frame of its clip, else the middle of the newest clip. */
  keyImage: { clipId: string; index: number } | null;
  /** The stored finding an edit applies to (the zone's newest); null when the zone has none. */
  finding: FindingView | null;
  edit: EditedFindingValues | null;
}

/** What the page saw in the findings panel when a zone was captured (AI, decision support). */
export interface RecordedZone {
  score: number | null;
  findings: StoredFindingValues | null;
}

/**
 * Per zone: the score recorded at capture from the live panel, else the one stored with the
 * zone's newest clip; the findings stored with the clip, else those seen at capture.
 */
export function summarise(
  exam: ExamDetailView,
  recorded: ReadonlyMap<string, RecordedZone>,
): { zones: ZoneSummary[]; total: number; scored: number; edited: number } {
  const zones = protocolZones(exam.protocol).map((zone): ZoneSummary => {
    const clips = exam.clips.filter((c) => c.zone === zone);
    const finding = exam.findings.filter((f) => f.zone === zone).at(-1) ?? null;
    const stored = finding?.values ?? null;
    const live = recorded.get(zone);
    if (clips.length === 0) return { zone, clips: 0, score: null, aiScore: null, findings: null, clipIds: [], keyImage: null, finding: null, edit: null };
    const aiScore = live?.score ?? (typeof stored?.zoneScore === 'number' ? stored.zoneScore : null);
    const edit = finding?.edit?.values ?? null;
    const score = typeof edit?.zoneScore === 'number' ? edit.zoneScore : aiScore;
    const intact = clips.filter((c) => c.state !== 'damaged');
    const clipIds = intact.map((c) => c.id);
    const keyClip = intact.find((c) => c.id === finding?.clipId) ?? intact.at(-1);
    const keyImage = !keyClip ? null
      : keyClip.id === finding?.clipId && typeof finding.keyFrame === 'number' ? { clipId: keyClip.id, index: finding.keyFrame }
        : { clipId: keyClip.id, index: Math.floor(((keyClip.frames ?? 1) - 1) / 2) };
    return { zone, clips: clips.length, score, aiScore, findings: stored ?? live?.findings ?? null, clipIds, keyImage, finding, edit };
  });
  const scoredZones = zones.filter((z) => z.score !== null);
  return {
    zones,
    total: scoredZones.reduce((sum, z) => sum + (z.score ?? 0), 0),
    scored: scoredZones.length,
    edited: zones.filter((z) => typeof z.edit?.zoneScore === 'number').length,
  };
}

/** The protocol in words; an id the page does not know is shown as it is. */
export function protocolName(id: string): string {
  return EXAM_PROTOCOLS.some((p) => p.id === id) ? t(`exam.protocol.${id}` as MessageKey) : id;
}

function describe(f: StoredFindingValues | null, edit: EditedFindingValues | null): string {
  if (!f && typeof edit?.bLineCount !== 'number') return t('exam.summary.noFindings');
  const parts: string[] = [];
  if (typeof edit?.bLineCount === 'number') parts.push(t('exam.summary.bLinesEdited', { ai: f?.bLineCount ?? '—', edited: edit.bLineCount }));
  else if (typeof f?.bLineCount === 'number') parts.push(t('exam.summary.bLines', { count: f.bLineCount }));
  if (!f) return parts.join(' · ');
  if (f.pleuralLineAbnormal) parts.push(t('exam.summary.pleuraIrregular'));
  if (f.lungSliding === false) parts.push(t('exam.summary.noSliding'));
  if (f.consolidation) parts.push(t('findings.consolidation'));
  if (f.effusion) parts.push(t('findings.effusion'));
  return parts.length ? parts.join(' · ') : t('exam.summary.noFindings');
}

export class ExamSummary {
  private mode: SummaryMode = 'finished';
  /** Opens a stored clip for frame-by-frame review (set by the page). */
  onReviewClip: ((clipId: string, zone: string) => void) | undefined;
  private readonly keyImages = new KeyImages();

  /**
   * `onClose`: the finished summary was closed, or the review left with "Back to scanning";
   * `onFinish`: "Finish and send" in review mode.
   */
  constructor(private readonly el: SummaryElements, onClose: () => void, onFinish: () => void) {
    el.print.addEventListener('click', () => window.print());
    el.close.addEventListener('click', () => {
      this.hide();
      onClose();
    });
    el.back.addEventListener('click', () => {
      this.hide();
      onClose();
    });
    el.finish.addEventListener('click', () => onFinish());
  }

  get open(): boolean {
    return !this.el.root.hidden;
  }

  private hide(): void {
    this.el.root.hidden = true;
    document.body.classList.remove('has-summary');
  }

  /** While Finish and send is under way: no second press, no leaving. */
  setBusy(busy: boolean): void {
    this.el.finish.disabled = busy;
    this.el.back.disabled = busy;
  }

  /** A refusal (or progress) under the total; '' clears it. */
  showMessage(text: string, kind: 'progress' | 'error' = 'error'): void {
    this.el.message.textContent = text;
    this.el.message.dataset['kind'] = kind;
    this.el.message.hidden = text === '';
  }

  /** Shows the exam; `mode` switches between review (open exam) and finished, else it stays. */
  show(exam: ExamDetailView, recorded: ReadonlyMap<string, RecordedZone>, mode: SummaryMode = this.mode): void {
    const { el } = this;
    this.mode = mode;
    el.root.dataset['mode'] = mode;
    el.title.textContent = t(mode === 'review' ? 'exam.summary.reviewTitle' : 'exam.summary.title');
    el.hint.hidden = mode !== 'review';
    el.hint.textContent = mode === 'review' ? t('exam.summary.reviewHint') : '';
    el.back.hidden = mode !== 'review';
    el.finish.hidden = mode !== 'review';
    el.print.hidden = mode === 'review';
    el.close.hidden = mode === 'review';
    if (!this.open) this.showMessage('');
    const s = summarise(exam, recorded);
    el.patient.textContent = t('exam.summary.patient', { id: exam.patient.id, name: personName(exam.patient.name), operator: exam.operator, protocol: protocolName(exam.protocol) });
    el.rows.replaceChildren(
      ...s.zones.map((z) => {
        const tr = document.createElement('tr');
        tr.dataset['zone'] = z.zone;
        tr.dataset['testid'] = `summary-${z.zone}`;
        if (z.edit) tr.dataset['edited'] = 'true';
        const editedScore = typeof z.edit?.zoneScore === 'number';
        const cells = [
          z.zone,
          z.clips ? t('exam.summary.clips', { count: z.clips }) : t('exam.zone.notScanned'),
          z.clips === 0 ? '—' : editedScore ? t('exam.summary.edited', { ai: z.aiScore ?? '—', edited: z.score ?? '—' }) : z.score === null ? t('exam.summary.noScore') : String(z.score),
          z.clips ? describe(z.findings, z.edit) : '',
        ];
        cells.forEach((text, i) => {
          const td = document.createElement('td');
          td.textContent = text;
          if (i === 2) {
            td.className = 'summary-score';
            td.dataset['score'] = z.score === null ? '' : String(z.score);
          }
          if (i === 3) td.dataset['testid'] = `summary-findings-${z.zone}`;
          tr.append(td);
        });
        const key = document.createElement('td');
        if (z.keyImage) key.append(this.keyImages.canvas(z.keyImage.clipId, z.keyImage.index, z.zone));
        tr.append(key);
        const action = document.createElement('td');
        const newestClip = z.clipIds.at(-1);
        if (newestClip && this.onReviewClip) {
          const review = document.createElement('button');
          review.type = 'button';
          review.className = 'summary-edit';
          review.dataset['testid'] = `summary-review-${z.zone}`;
          review.textContent = t('exam.summary.reviewClip');
          review.addEventListener('click', () => this.onReviewClip?.(newestClip, z.zone));
          action.append(review);
        }
        if (z.finding) {
          const finding = z.finding;
          const button = document.createElement('button');
          button.type = 'button';
          button.className = 'summary-edit';
          button.dataset['testid'] = `summary-edit-${z.zone}`;
          button.textContent = t('exam.summary.edit');
          button.addEventListener('click', () => this.openEditor(tr, exam, finding, z, recorded));
          action.append(button);
        }
        tr.append(action);
        return tr;
      }),
    );
    el.total.textContent = s.edited
      ? t('exam.summary.totalEdited', { total: s.total, scored: s.scored, zones: s.zones.length, edited: s.edited })
      : t('exam.summary.total', { total: s.total, scored: s.scored, zones: s.zones.length });
    el.total.dataset['total'] = String(s.total);
    el.total.dataset['edited'] = String(s.edited);
    this.showSync(exam);
    el.root.hidden = false;
    document.body.classList.add('has-summary');
  }

  /** The editor row under a zone: steppers for B-lines and score, saved on the device by the exam's operator. */
  private openEditor(row: HTMLTableRowElement, exam: ExamDetailView, finding: FindingView, z: ZoneSummary, recorded: ReadonlyMap<string, RecordedZone>): void {
    this.el.rows.querySelector('.summary-editor')?.remove();
    const values = {
      bLineCount: z.edit?.bLineCount ?? finding.values.bLineCount ?? 0,
      zoneScore: z.score ?? finding.values.zoneScore ?? 0,
    };
    const start = { ...values };
    const tr = document.createElement('tr');
    tr.className = 'summary-editor';
    tr.dataset['testid'] = `summary-editor-${z.zone}`;
    const td = document.createElement('td');
    td.colSpan = 6;
    const error = document.createElement('p');
    error.className = 'summary-edit-error';
    error.dataset['testid'] = 'summary-edit-error';
    const stepper = (key: 'bLineCount' | 'zoneScore', label: MessageKey, max: number): HTMLElement => {
      const box = document.createElement('div');
      box.className = 'summary-stepper';
      const name = document.createElement('span');
      name.textContent = t(label);
      const value = document.createElement('output');
      value.dataset['testid'] = `summary-edit-${key}`;
      value.textContent = String(values[key]);
      const step = (delta: number, text: MessageKey, sign: string): HTMLButtonElement => {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = sign;
        b.setAttribute('aria-label', `${t(label)}: ${t(text)}`);
        b.dataset['testid'] = `summary-edit-${key}-${delta > 0 ? 'more' : 'less'}`;
        b.addEventListener('click', () => {
          values[key] = Math.min(max, Math.max(0, values[key] + delta));
          value.textContent = String(values[key]);
        });
        return b;
      };
      box.append(name, step(-1, 'exam.edit.less', '−'), value, step(1, 'exam.edit.more', '+'));
      return box;
    };
    const save = document.createElement('button');
    save.type = 'button';
    save.className = 'primary';
    save.dataset['testid'] = 'summary-edit-save';
    save.textContent = t('exam.edit.save');
    save.addEventListener('click', () => {
      const changed: EditedFindingValues = {};
      if (values.bLineCount !== start.bLineCount) changed.bLineCount = values.bLineCount;
      if (values.zoneScore !== start.zoneScore) changed.zoneScore = values.zoneScore;
      if (changed.bLineCount === undefined && changed.zoneScore === undefined) return tr.remove();
      save.disabled = true;
      examApi.editFinding(exam.id, finding.id, changed, exam.operator).then(
        (updated) => this.show(updated, recorded),
        (err: unknown) => {
          save.disabled = false;
          error.textContent = t('exam.edit.failed', { reason: err instanceof Error ? err.message : String(err) });
        },
      );
    });
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.dataset['testid'] = 'summary-edit-cancel';
    cancel.textContent = t('exam.edit.cancel');
    cancel.addEventListener('click', () => tr.remove());
    td.append(stepper('bLineCount', 'exam.edit.bLines', 30), stepper('zoneScore', 'exam.edit.score', 3), save, cancel, error);
    tr.append(td);
    row.after(tr);
  }

  showSync(exam: ExamDetailView): void {
    const { state, words } = syncState(exam);
    this.el.sync.dataset['state'] = state;
    this.el.sync.textContent = state ? t('exam.sync', { state: words }) : '';
    // Once the report is at every destination an edit can only be refused: no Edit then.
    const sent = state === 'synced' || state === 'reviewed';
    for (const b of this.el.rows.querySelectorAll<HTMLButtonElement>('.summary-edit')) b.hidden = sent;
    if (sent) this.el.rows.querySelector('.summary-editor')?.remove();
  }
}
