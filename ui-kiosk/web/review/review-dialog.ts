/**
 * Review, frame by frame, of the frozen cine (the last seconds before Freeze) or of a captured
 * clip: step back and forth (buttons, slider, arrow keys), see where the frame is in time and the
 * AI's B-line count the live analysis gave it, and measure a distance with the frame's calibration.
 */
import { DepthScale } from '../depth-scale.js';
import { DeviceApiError } from '../device-api.js';
import { GrayPainter } from '../gray-painter.js';
import { t } from '../i18n/messages.js';
import { fitImageBox } from '../image-view.js';
import type { DecodedKioskFrame } from '../protocol.js';
import { formatMm, MeasureLayer } from './measurement.js';
import { ReviewError, type ReviewSource } from './review-source.js';

export interface ReviewElements {
  root: HTMLElement;
  title: HTMLElement;
  area: HTMLElement;
  box: HTMLElement;
  image: HTMLCanvasElement;
  measureLayer: HTMLCanvasElement;
  depthScale: HTMLElement;
  prev: HTMLButtonElement;
  next: HTMLButtonElement;
  slider: HTMLInputElement;
  position: HTMLElement;
  bLines: HTMLElement;
  measure: HTMLButtonElement;
  measureValue: HTMLElement;
  message: HTMLElement;
  close: HTMLButtonElement;
}

export class ReviewDialog {
  private source: ReviewSource | undefined;
  private index = 0;
  private frame: DecodedKioskFrame | undefined;
  private readonly painter: GrayPainter;
  private readonly depthScale: DepthScale;
  private readonly measureLayer: MeasureLayer;
  private measuring = false;
  /** Bumped on every open/close: a late answer for an earlier source is dropped. */
  private generation = 0;

  constructor(private readonly el: ReviewElements) {
    this.painter = new GrayPainter(el.image);
    this.depthScale = new DepthScale(el.depthScale);
    this.measureLayer = new MeasureLayer(el.measureLayer, (mm) => {
      el.measureValue.textContent = !this.measuring ? '' : mm === null ? t('review.measure.hint')
        : t('review.measure.value', { value: formatMm(mm), resolution: (this.frame?.mmPerPixel ?? 0).toFixed(2) });
      el.measureValue.dataset['mm'] = mm === null ? '' : mm.toFixed(2);
    });
    el.prev.addEventListener('click', () => this.step(-1));
    el.next.addEventListener('click', () => this.step(+1));
    el.slider.addEventListener('input', () => void this.show(Number(el.slider.value)));
    el.measure.addEventListener('click', () => this.setMeasuring(!this.measuring));
    el.close.addEventListener('click', () => this.close());
    el.prev.setAttribute('aria-label', t('review.prev'));
    el.next.setAttribute('aria-label', t('review.next'));
    el.slider.setAttribute('aria-label', t('review.slider'));
    el.root.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowLeft') this.step(-1);
      else if (e.key === 'ArrowRight') this.step(+1);
      else if (e.key === 'Escape') this.close();
      else return;
      e.preventDefault();
    });
    new ResizeObserver(() => this.fit()).observe(el.area);
  }

  get isOpen(): boolean {
    return !this.el.root.hidden;
  }

  /** Opens the dialog on a source still loading; the newest frame of a cine, the first of a clip. */
  async open(title: string, source: () => Promise<ReviewSource>): Promise<void> {
    const generation = ++this.generation;
    const { el } = this;
    this.source = undefined;
    this.frame = undefined;
    el.title.textContent = title;
    el.root.hidden = false;
    el.box.hidden = true;
    this.setMeasuring(false);
    this.showMessage(t('review.loading'));
    this.renderPosition();
    el.close.focus();
    let opened: ReviewSource;
    try {
      opened = await source();
    } catch (err) {
      if (generation === this.generation) this.showMessage(errorText(err));
      return;
    }
    if (generation !== this.generation) return;
    this.source = opened;
    el.slider.min = '0';
    el.slider.max = String(opened.count - 1);
    await this.show(opened.kind === 'cine' ? opened.count - 1 : 0);
  }

  close(): void {
    this.generation++;
    this.source = undefined;
    this.el.root.hidden = true;
  }

  private step(delta: -1 | 1): void {
    if (!this.source) return;
    const next = Math.min(this.source.count - 1, Math.max(0, this.index + delta));
    if (next !== this.index) void this.show(next);
  }

  private async show(index: number): Promise<void> {
    const source = this.source;
    if (!source) return;
    const generation = this.generation;
    this.index = index;
    this.renderPosition();
    let frame: DecodedKioskFrame;
    try {
      frame = await source.load(index);
    } catch (err) {
      if (generation === this.generation && index === this.index) this.showMessage(errorText(err));
      return;
    }
    // Only the frame last asked for is drawn: a fast slider must not end on an older answer.
    if (generation !== this.generation || index !== this.index) return;
    this.frame = frame;
    this.showMessage('');
    this.el.box.hidden = false;
    if (this.painter.paint(frame.pixels, frame.width, frame.height)) this.fit();
    const top = frame.topDepthMm ?? 0;
    this.depthScale.render(top, top + frame.height * frame.mmPerPixel);
    this.measureLayer.setImage(frame.width, frame.height, frame.mmPerPixel);
    this.el.box.dataset['index'] = String(index);
    this.el.box.dataset['mmPerPixel'] = String(frame.mmPerPixel);
    // Prefetch the neighbours: stepping is then immediate.
    if (index + 1 < source.count) source.load(index + 1).catch(() => undefined);
    if (index > 0) source.load(index - 1).catch(() => undefined);
  }

  private renderPosition(): void {
    const { el, source, index } = this;
    el.prev.disabled = !source || index <= 0;
    el.next.disabled = !source || index >= (source?.count ?? 1) - 1;
    el.slider.disabled = !source;
    el.measure.disabled = !source;
    if (!source) {
      el.position.textContent = '';
      el.bLines.textContent = '';
      return;
    }
    el.slider.value = String(index);
    const rate = source.frameRateHz;
    // A cine is counted back from the freeze (0 s = the frozen image), a clip from its start.
    const seconds = rate ? (source.kind === 'cine' ? (index - (source.count - 1)) / rate : index / rate) : null;
    el.position.textContent = seconds === null
      ? t('review.position', { index: index + 1, count: source.count })
      : t('review.positionTime', { index: index + 1, count: source.count, seconds: seconds.toFixed(2) });
    const bLines = source.bLines(index);
    el.bLines.textContent = bLines === null ? '' : t('review.bLines', { count: bLines });
  }

  private setMeasuring(on: boolean): void {
    this.measuring = on;
    this.el.measure.setAttribute('aria-pressed', String(on));
    this.el.measure.textContent = on ? t('review.measure.stop') : t('review.measure.start');
    this.measureLayer.setEnabled(on);
  }

  private showMessage(text: string): void {
    this.el.message.textContent = text;
    this.el.message.hidden = text === '';
  }

  private fit(): void {
    if (this.frame) fitImageBox(this.el.box, this.el.area, this.frame.width, this.frame.height);
  }
}

function errorText(err: unknown): string {
  // The device's sentence (e.g. "frame 812 is no longer in the cine buffer …") or the page's own, as they are.
  return err instanceof ReviewError || err instanceof DeviceApiError ? err.message : t('review.failed', { reason: err instanceof Error ? err.message : String(err) });
}
