import type { DepthScale } from './depth-scale.js';
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

/** Gray value → RGBA pixel as a 32-bit word in this machine's byte order. */
function grayToRgbaTable(): Uint32Array {
  const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
  const table = new Uint32Array(256);
  for (let v = 0; v < 256; v++) {
    const gray = (v << 16) | (v << 8) | v;
    table[v] = littleEndian ? (0xff000000 | gray) >>> 0 : ((gray << 8) | 0xff) >>> 0;
  }
  return table;
}

/**
 * Draws grayscale frames into a canvas at display rate. Only the newest frame is kept: frames
 * arriving faster than the screen refreshes replace each other instead of piling up, and the
 * ImageData is reused across frames.
 */
export class ImageView {
  private readonly context: CanvasRenderingContext2D;
  private readonly lut = grayToRgbaTable();
  private newest: DecodedKioskFrame | undefined;
  private rafId = 0;
  private imageData: ImageData | undefined;
  private rgba: Uint32Array | undefined;
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
    const context = el.canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('kiosk: canvas 2D context unavailable; Chromium must run with canvas enabled');
    this.context = context;
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
    if (frame.width !== this.frameWidth || frame.height !== this.frameHeight || !this.imageData) {
      this.resize(frame.width, frame.height);
    }
    const rgba = this.rgba as Uint32Array;
    const { pixels } = frame;
    const lut = this.lut;
    for (let i = 0; i < pixels.length; i++) rgba[i] = lut[pixels[i] as number] as number;
    this.context.putImageData(this.imageData as ImageData, 0, 0);
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

  private resize(width: number, height: number): void {
    this.frameWidth = width;
    this.frameHeight = height;
    this.el.canvas.width = width;
    this.el.canvas.height = height;
    this.imageData = this.context.createImageData(width, height);
    this.rgba = new Uint32Array(this.imageData.data.buffer);
    this.fitToArea();
  }

  /**
   * Largest box with the image's physical aspect ratio that fits the area. Pixels are square
   * (one mmPerPixel for both axes), so the physical ratio is width : height in pixels.
   */
  private fitToArea(): void {
    if (this.frameWidth === 0) return;
    const style = getComputedStyle(this.el.area);
    const availableW = this.el.area.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const availableH = this.el.area.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    const scale = Math.min(availableW / this.frameWidth, availableH / this.frameHeight);
    if (!(scale > 0)) return;
    this.el.frame.style.width = `${Math.floor(this.frameWidth * scale)}px`;
    this.el.frame.style.height = `${Math.floor(this.frameHeight * scale)}px`;
  }
}
