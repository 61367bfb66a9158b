/**
 * The summary of a finished exam: per zone its status, the AI zone score and the AI findings
 * stored with its clips, the total LUS score (the sum of the scored zones; unscored zones listed
 * as such), that all of it is decision support and not a diagnosis, and the exam's sync state.
 */
import { t } from '../i18n/messages.js';
import type { MessageKey } from '../i18n/en.js';
import type { ExamDetailView, StoredFindingValues } from './exam-client.js';
import { EXAM_PROTOCOLS, protocolZones } from './lung-zones.js';

export interface SummaryElements {
  root: HTMLElement;
  patient: HTMLElement;
  rows: HTMLElement;
  total: HTMLElement;
  sync: HTMLElement;
  print: HTMLButtonElement;
  close: HTMLButtonElement;
}

export interface ZoneSummary {
  zone: string;
  clips: number;
  score: number | null;
  findings: StoredFindingValues | null;
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
export function summarise(exam: ExamDetailView, recorded: ReadonlyMap<string, RecordedZone>): { zones: ZoneSummary[]; total: number; scored: number } {
  const zones = protocolZones(exam.protocol).map((zone) => {
    const clips = exam.clips.filter((c) => c.zone === zone);
    const stored = exam.findings.filter((f) => f.zone === zone).at(-1)?.values ?? null;
    const live = recorded.get(zone);
    if (clips.length === 0) return { zone, clips: 0, score: null, findings: null };
    const score = live?.score ?? (typeof stored?.zoneScore === 'number' ? stored.zoneScore : null);
    return { zone, clips: clips.length, score, findings: stored ?? live?.findings ?? null };
  });
  const scoredZones = zones.filter((z) => z.score !== null);
  return { zones, total: scoredZones.reduce((sum, z) => sum + (z.score ?? 0), 0), scored: scoredZones.length };
}

const SYNC_STATES: readonly string[] = ['local', 'waiting', 'sending', 'synced'];

/** The protocol in words; an id the page does not know is shown as it is. */
export function protocolName(id: string): string {
  return EXAM_PROTOCOLS.some((p) => p.id === id) ? t(`exam.protocol.${id}` as MessageKey) : id;
}

function describe(f: StoredFindingValues | null): string {
  if (!f) return t('exam.summary.noFindings');
  const parts: string[] = [];
  if (typeof f.bLineCount === 'number') parts.push(t('exam.summary.bLines', { count: f.bLineCount }));
  if (f.pleuralLineAbnormal) parts.push(t('exam.summary.pleuraIrregular'));
  if (f.lungSliding === false) parts.push(t('exam.summary.noSliding'));
  if (f.consolidation) parts.push(t('findings.consolidation'));
  if (f.effusion) parts.push(t('findings.effusion'));
  return parts.length ? parts.join(' · ') : t('exam.summary.noFindings');
}

export class ExamSummary {
  constructor(private readonly el: SummaryElements, onClose: () => void) {
    el.print.addEventListener('click', () => window.print());
    el.close.addEventListener('click', () => {
      el.root.hidden = true;
      document.body.classList.remove('has-summary');
      onClose();
    });
  }

  get open(): boolean {
    return !this.el.root.hidden;
  }

  show(exam: ExamDetailView, recorded: ReadonlyMap<string, RecordedZone>): void {
    const { el } = this;
    const s = summarise(exam, recorded);
    el.patient.textContent = t('exam.summary.patient', { id: exam.patient.id, name: exam.patient.name, operator: exam.operator, protocol: protocolName(exam.protocol) });
    el.rows.replaceChildren(
      ...s.zones.map((z) => {
        const tr = document.createElement('tr');
        tr.dataset['zone'] = z.zone;
        tr.dataset['testid'] = `summary-${z.zone}`;
        const cells = [
          z.zone,
          z.clips ? t('exam.summary.clips', { count: z.clips }) : t('exam.zone.notScanned'),
          z.clips === 0 ? '—' : z.score === null ? t('exam.summary.noScore') : String(z.score),
          z.clips ? describe(z.findings) : '',
        ];
        cells.forEach((text, i) => {
          const td = document.createElement('td');
          td.textContent = text;
          if (i === 2) td.className = 'summary-score';
          tr.append(td);
        });
        return tr;
      }),
    );
    el.total.textContent = t('exam.summary.total', { total: s.total, scored: s.scored, zones: s.zones.length });
    el.total.dataset['total'] = String(s.total);
    this.showSync(exam);
    el.root.hidden = false;
    document.body.classList.add('has-summary');
  }

  showSync(exam: ExamDetailView): void {
    const state = exam.sync?.state;
    this.el.sync.dataset['state'] = state ?? '';
    const words = state && SYNC_STATES.includes(state) ? t(`exam.sync.${state}` as MessageKey) : state;
    this.el.sync.textContent = state ? t('exam.sync', { state: words ?? '', verified: exam.sync!.verified, objects: exam.sync!.objects }) : '';
  }
}
