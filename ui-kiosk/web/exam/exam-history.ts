/**
 * "Recent exams" under Start exam: each exam with its patient, time, clips and where it stands —
 * open, kept on the device, queued, sending, synced, reviewed — so that nobody switches the device
 * off or hands it over believing an exam has reached the reviewers when it has not.
 * Polled from GET /api/exams while the page is open (docs/api.md).
 */
import type { MessageKey } from '../i18n/en.js';
import { t } from '../i18n/messages.js';
import { examApi, type ExamListItem } from './exam-client.js';
import { personName } from './person-name.js';

/** How often the list is refreshed: sync progress is slow (seconds per clip). */
const POLL_MS = 4000;
/** Rows shown: the kiosk column has room for about this many. */
const MAX_ROWS = 5;

export type HistoryState = 'open' | 'waiting' | 'queued' | 'sending' | 'synced' | 'reviewed';

/** One word for where an exam stands, strongest last: a reviewed exam is also synced. */
export function historyState(item: Pick<ExamListItem, 'state' | 'syncState' | 'reviewed'>): HistoryState {
  if (item.state !== 'finished') return 'open';
  if (item.reviewed) return 'reviewed';
  switch (item.syncState) {
    case 'waiting': return 'waiting';
    case 'queued': return 'queued';
    case 'synced': return 'synced';
    default: return 'sending';
  }
}

export interface ExamHistoryElements {
  root: HTMLElement;
  list: HTMLElement;
  /** The list is shown only with Start exam (no exam open); it is not fetched while hidden. */
  start: HTMLElement;
}

export class ExamHistory {
  private timer: number | undefined;

  constructor(private readonly el: ExamHistoryElements) {}

  start(): void {
    if (this.timer !== undefined) return;
    void this.refresh();
    this.timer = window.setInterval(() => void this.refresh(), POLL_MS);
  }

  async refresh(): Promise<void> {
    // Every exam's sync state is worked out by the store for this list: not while an exam is scanned.
    if (this.el.start.hidden) return;
    let items: ExamListItem[];
    try {
      items = await examApi.list();
    } catch {
      return; // The status bar says when the device is unreachable; keep the last list.
    }
    this.render(items.slice(0, MAX_ROWS));
  }

  private render(items: ExamListItem[]): void {
    const { root, list } = this.el;
    root.hidden = items.length === 0;
    list.replaceChildren(...items.map((item) => {
      const state = historyState(item);
      const li = document.createElement('li');
      li.className = 'history-row';
      li.dataset['testid'] = `history-${item.id}`;
      li.dataset['sync'] = state;
      const who = document.createElement('span');
      who.className = 'history-patient';
      who.textContent = item.patientName ? personName(item.patientName) : item.patientPseudonym;
      const when = document.createElement('span');
      when.className = 'history-when';
      when.textContent = t('exam.history.when', { time: formatWhen(item.startedAt), clips: item.clips });
      const badge = document.createElement('span');
      badge.className = 'history-state';
      badge.dataset['testid'] = 'history-state';
      badge.textContent = t(`exam.history.${state}` as MessageKey);
      li.append(who, when, badge);
      return li;
    }));
  }
}

/** "14:05" today, "21 Nov 14:05" before: the kiosk's own clock and language. */
function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const time = date.toLocaleTimeString(document.documentElement.lang || undefined, { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === new Date().toDateString()) return time;
  return `${date.toLocaleDateString(document.documentElement.lang || undefined, { day: 'numeric', month: 'short' })} ${time}`;
}
