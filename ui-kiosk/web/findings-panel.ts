import { t } from './i18n/messages.js';
import type { MessageKey } from './i18n/en.js';
import type { KioskFindings } from './protocol.js';
import type { StatusView } from './status.js';

export interface FindingsPanelElements {
  panel: HTMLElement;
  toggle: HTMLButtonElement;
  unavailable: HTMLElement;
  list: HTMLElement;
  bLines: HTMLElement;
  aLines: HTMLElement;
  sliding: HTMLElement;
  quality: HTMLElement;
  qualityReason: HTMLElement;
  regions: HTMLElement;
  zone: HTMLElement;
}

/**
 * The findings beside the image, in words: B-line count, A-lines, lung sliding, whether the view
 * is usable and, if not, what to do, the zone score so far, and the overlay switch. Always
 * labelled as decision support. When the model is not running it says why, and nothing else.
 */
export class FindingsPanel {
  private overlayOn = true;

  constructor(private readonly el: FindingsPanelElements, private readonly onOverlayChange: (on: boolean) => void) {
    el.toggle.addEventListener('click', () => {
      this.overlayOn = !this.overlayOn;
      this.onOverlayChange(this.overlayOn);
      this.renderToggle();
    });
    this.renderToggle();
    this.show(undefined);
  }

  /** From the device status: hidden when AI findings are off, a notice when the model does not run. */
  setModel(model: StatusView['findingsModel']): void {
    this.el.panel.hidden = model === undefined;
    const notRunning = model !== undefined && model.state !== 'running';
    this.el.unavailable.hidden = !notRunning;
    this.el.list.hidden = notRunning;
    this.el.toggle.disabled = notRunning;
    this.el.panel.dataset['modelState'] = model?.state ?? 'off';
    if (notRunning) {
      this.el.unavailable.textContent = t('findings.unavailable', { reason: t(`findings.unavailable.${model.state}` as MessageKey) });
    }
  }

  /** The findings drawn on the image now (undefined: none match the frame on screen). */
  show(f: KioskFindings | undefined): void {
    const { el } = this;
    if (!f) {
      el.bLines.textContent = '—';
      el.aLines.textContent = '—';
      el.sliding.textContent = '—';
      el.quality.textContent = '—';
      el.qualityReason.textContent = this.overlayOn ? t('findings.waiting') : '';
      el.regions.textContent = '';
      return;
    }
    el.bLines.textContent = f.bLines.confluent ? t('findings.bLinesConfluent', { count: f.bLines.count }) : String(f.bLines.count);
    el.aLines.textContent = t(f.aLines ? 'findings.seen' : 'findings.notSeen');
    el.sliding.textContent = t(`findings.sliding.${f.sliding}`);
    el.sliding.dataset['state'] = f.sliding;
    el.quality.textContent = t(f.quality.usable ? 'findings.quality.good' : 'findings.quality.poor');
    el.quality.dataset['usable'] = String(f.quality.usable);
    // The first reason is the one to act on; more at once would not be read.
    const reason = f.quality.reasons[0];
    el.qualityReason.textContent = reason ? t(`quality.${reason}`) : '';
    el.qualityReason.dataset['code'] = reason ?? '';
    el.regions.textContent = [f.consolidation ? t('findings.consolidation') : '', f.effusion ? t('findings.effusion') : ''].filter(Boolean).join(' · ');
    el.zone.textContent = f.zone && f.zone.score !== null ? t('findings.zoneValue', { score: f.zone.score, frames: f.zone.usableFrames }) : t('findings.zoneNone');
  }

  private renderToggle(): void {
    this.el.toggle.textContent = t(this.overlayOn ? 'findings.hideOverlay' : 'findings.showOverlay');
    this.el.toggle.setAttribute('aria-pressed', String(this.overlayOn));
  }
}
