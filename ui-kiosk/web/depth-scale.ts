import { t } from './i18n/messages.js';

/**
 * Depth ruler beside the image: a tick per centimetre, labelled every 1 or 2 cm. Ticks are
 * placed in % of the image height, so the ruler follows the image's displayed size by itself.
 */
export class DepthScale {
  private shownDepthMm = NaN;
  private shownTopMm = NaN;

  constructor(private readonly element: HTMLElement) {}

  /**
   * @param topDepthMm depth of the image's top row below the skin at the probe centre (negative
   *   for a convex sector, whose corners rise above the centre of the probe face)
   * @param bottomDepthMm depth of the image's bottom row
   */
  render(topDepthMm: number, bottomDepthMm: number): void {
    // Re-render only when the depth really changes (every frame has a depth, few change it).
    if (Math.abs(bottomDepthMm - this.shownDepthMm) < 0.05 && Math.abs(topDepthMm - this.shownTopMm) < 0.05) return;
    this.shownDepthMm = bottomDepthMm;
    this.shownTopMm = topDepthMm;
    const spanMm = bottomDepthMm - topDepthMm;
    const depthCm = bottomDepthMm / 10;
    const labelEveryCm = depthCm > 12 ? 2 : 1;
    const ticks: HTMLElement[] = [];
    for (let cm = Math.max(0, Math.ceil(topDepthMm / 10)); cm <= depthCm + 1e-6; cm++) {
      const tick = document.createElement('div');
      tick.className = cm % labelEveryCm === 0 ? 'tick tick-major' : 'tick';
      tick.style.top = `${((cm * 10 - topDepthMm) / spanMm) * 100}%`;
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
