import { t } from './i18n/messages.js';

/**
 * Depth ruler beside the image: a tick per centimetre, labelled every 1 or 2 cm. Ticks are
 * placed in % of the image height, so the ruler follows the image's displayed size by itself.
 */
export class DepthScale {
  private shownDepthMm = NaN;

  constructor(private readonly element: HTMLElement) {}

  /** @param depthMm depth of the image's bottom row (0 mm = skin at the top row). */
  render(depthMm: number): void {
    // Re-render only when the depth really changes (every frame has a depth, few change it).
    if (Math.abs(depthMm - this.shownDepthMm) < 0.05) return;
    this.shownDepthMm = depthMm;
    const depthCm = depthMm / 10;
    const labelEveryCm = depthCm > 12 ? 2 : 1;
    const ticks: HTMLElement[] = [];
    for (let cm = 0; cm <= depthCm + 1e-6; cm++) {
      const tick = document.createElement('div');
      tick.className = cm % labelEveryCm === 0 ? 'tick tick-major' : 'tick';
      tick.style.top = `${(cm / depthCm) * 100}%`;
      if (cm % labelEveryCm === 0 && cm > 0) {
        const label = document.createElement('span');
        label.textContent = String(cm);
        tick.append(label);
      }
      ticks.push(tick);
    }
    const unit = document.createElement('div');
    unit.className = 'unit';
    unit.textContent = t('image.depthUnit');
    this.element.replaceChildren(unit, ...ticks);
  }
}
