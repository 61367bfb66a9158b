import type { DepthScale } from './depth-scale.js';
import { GrayPainter } from './gray-painter.js';
import { nowEpochMs, type DecodedKioskFrame } from './protocol.js';

/** Frame rate and latency over the last measurement window; undefined when nothing was drawn. */
export interface ViewMetrics {
  fps?: number;
  latencyMs?: number;
}

export interface ImageViewElements {
  canvas: HTMLCanvasElement;
  /** Box around canvas + ruler, sized to the image's aspect ratio. */
  frame: HTMLElement;
  /** The space the image may fill. */
  area: HTMLElement;
  placeholder: HTMLElement;
  frozenBadge: HTMLElement;
}

/** Live (not frozen) but no new frame for this long: dim the image so it is not read as live. */
const STALE_AFTER_MS = 1000;

/** Beyond this, browser and device clocks disagree; show the device latency alone. */
const MAX_PLAUSIBLE_TRANSPORT_MS = 5000;

/**
 * Draws grayscale frames into a canvas at display rate. Only the newest frame is kept: frames
 * arriving faster than the screen refreshes replace each other instead of piling up, and the
 * ImageData is reused across frames.
 */
export class ImageView {
  private readonly painter: GrayPainter;
  private newest: DecodedKioskFrame | undefined;
  private rafId = 0;
  private frameWidth = 0;
  private frameHeight = 0;
  private frozen = false;
  private hasImage = false;
  private drawnInWindow = 0;
  private latencySumMs = 0;
  private windowStartMs = performance.now();
  private lastDrawMs = 0;
  /** Called after each frame is drawn (the findings overlay follows the image it belongs to). */
  onDrawn: ((frame: DecodedKioskFrame) => void) | undefined;

  constructor(private readonly el: ImageViewElements, private readonly depthScale: DepthScale) {
    this.painter = new GrayPainter(el.canvas);
    new ResizeObserver(() => this.fitToArea()).observe(el.area);
  }

  /** Keeps the frame for the next animation frame, replacing any not yet drawn. */
  push(frame: DecodedKioskFrame): void {
    if (this.frozen) return;
    this.newest = frame;
    if (this.rafId === 0) this.rafId = requestAnimationFrame(() => this.draw());
  }

  /** Frozen: keep showing the last drawn image and ignore new frames until unfrozen. */
  setFrozen(frozen: boolean): void {
    this.frozen = frozen;
    this.el.frozenBadge.hidden = !frozen;
    if (frozen) this.newest = undefined;
  }

  /** Metrics since the previous call (and the stale check); call it on a timer, e.g. twice a second. */
  takeMetrics(): ViewMetrics {
    const now = performance.now();
    const elapsedS = (now - this.windowStartMs) / 1000;
    const metrics: ViewMetrics = {};
    if (this.drawnInWindow > 0 && elapsedS > 0) {
      metrics.fps = this.drawnInWindow / elapsedS;
      metrics.latencyMs = this.latencySumMs / this.drawnInWindow;
    }
    const stale = this.hasImage && !this.frozen && now - this.lastDrawMs > STALE_AFTER_MS;
    this.el.frame.classList.toggle('is-stale', stale);
    this.windowStartMs = now;
    this.drawnInWindow = 0;
    this.latencySumMs = 0;
    return metrics;
  }

  private draw(): void {
    this.rafId = 0;
    const frame = this.newest;
    this.newest = undefined;
    if (!frame) return;
    if (this.painter.paint(frame.pixels, frame.width, frame.height)) {
      this.frameWidth = frame.width;
      this.frameHeight = frame.height;
      this.fitToArea();
    }
    const top = frame.topDepthMm ?? 0;
    this.depthScale.render(top, top + frame.height * frame.mmPerPixel);

    if (!this.hasImage) {
      this.hasImage = true;
      this.el.placeholder.hidden = true;
      this.el.frame.hidden = false;
      this.fitToArea();
    }
    // Device latency (acquisition → frame complete) plus send → drawn on this screen.
    const transportMs = nowEpochMs() - frame.sentAtMs;
    const plausible = transportMs >= 0 && transportMs < MAX_PLAUSIBLE_TRANSPORT_MS;
    this.latencySumMs += frame.latencyMs + (plausible ? transportMs : 0);
    this.drawnInWindow++;
    this.lastDrawMs = performance.now();
    this.el.frame.classList.remove('is-stale');
    this.onDrawn?.(frame);
  }

  /**
   * Largest box with the image's physical aspect ratio that fits the area. Pixels are square
   * (one mmPerPixel for both axes), so the physical ratio is width : height in pixels.
   */
  private fitToArea(): void {
    fitImageBox(this.el.frame, this.el.area, this.frameWidth, this.frameHeight);
  }
}

/**
 * Sizes `box` to the largest rectangle with the image's physical aspect ratio that fits in
 * `area`'s content box. Pixels are square (one mmPerPixel for both axes), so the physical ratio is
 * width : height in pixels.
 */
export function fitImageBox(box: HTMLElement, area: HTMLElement, widthPx: number, heightPx: number): void {
  if (widthPx === 0 || heightPx === 0) return;
  const style = getComputedStyle(area);
  const availableW = area.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const availableH = area.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const scale = Math.min(availableW / widthPx, availableH / heightPx);
  if (!(scale > 0)) return;
  box.style.width = `${Math.floor(widthPx * scale)}px`;
  box.style.height = `${Math.floor(heightPx * scale)}px`;
}
