/**
 * Distance measurement on a still image: two points in image pixels, the distance from the
 * frame's calibration. Display pixels are square (one mmPerPixel for both axes, set by the scan
 * converter from the probe's geometry), so a distance is the pixel distance × mmPerPixel in any
 * direction.
 */

export interface ImagePoint {
  x: number;
  y: number;
}

/** Where a pointer at (clientX, clientY) falls on an image drawn into `rect` (CSS px), clamped to it. */
export function clientToImage(clientX: number, clientY: number, rect: { left: number; top: number; width: number; height: number }, imageWidth: number, imageHeight: number): ImagePoint {
  const x = ((clientX - rect.left) / rect.width) * imageWidth;
  const y = ((clientY - rect.top) / rect.height) * imageHeight;
  return { x: Math.min(imageWidth, Math.max(0, x)), y: Math.min(imageHeight, Math.max(0, y)) };
}

export function distanceMm(a: ImagePoint, b: ImagePoint, mmPerPixel: number): number {
  return Math.hypot(b.x - a.x, b.y - a.y) * mmPerPixel;
}

/**
 * A calliper reads to a tenth of a millimetre below 10 cm; the display's own resolution
 * (mmPerPixel, ~0.25 mm) is the real limit and is stated next to the value.
 */
export function formatMm(mm: number): string {
  return mm < 100 ? mm.toFixed(1) : mm.toFixed(0);
}

/** A press this close (CSS px) to an end point moves that end instead of starting a new line: a gloved finger is wide. */
const GRAB_RADIUS_CSS_PX = 32;

/**
 * The calliper layer: a transparent canvas over the still image at the image's own resolution.
 * Tap the first point, tap the second; drag either end to adjust; a tap elsewhere starts again.
 */
export class MeasureLayer {
  private a: ImagePoint | undefined;
  private b: ImagePoint | undefined;
  private dragging: 'a' | 'b' | undefined;
  private enabled = false;
  private mmPerPixel = 0;
  private readonly context: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: (mm: number | null, points: { a?: ImagePoint; b?: ImagePoint }) => void,
  ) {
    const context = canvas.getContext('2d');
    if (!context) throw new Error('kiosk: canvas 2D context unavailable');
    this.context = context;
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', () => this.up());
    canvas.addEventListener('pointercancel', () => this.up());
  }

  /** A new still: same size keeps the points (stepping through a clip), another size clears them. */
  setImage(width: number, height: number, mmPerPixel: number): void {
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.a = this.b = undefined;
    }
    this.mmPerPixel = mmPerPixel;
    this.render();
  }

  setEnabled(on: boolean): void {
    this.enabled = on;
    this.canvas.classList.toggle('is-measuring', on);
    if (!on) this.a = this.b = undefined;
    this.render();
  }

  private down(e: PointerEvent): void {
    if (!this.enabled) return;
    e.preventDefault();
    const p = this.point(e);
    const grab = this.nearEnd(p);
    if (grab) {
      this.dragging = grab;
    } else if (!this.a || this.b) {
      this.a = p;
      this.b = undefined;
    } else {
      this.b = p;
      this.dragging = 'b';
    }
    this.canvas.setPointerCapture?.(e.pointerId);
    this.render();
  }

  private move(e: PointerEvent): void {
    if (!this.enabled || !this.dragging) return;
    this[this.dragging] = this.point(e);
    this.render();
  }

  private up(): void {
    this.dragging = undefined;
  }

  private point(e: PointerEvent): ImagePoint {
    return clientToImage(e.clientX, e.clientY, this.canvas.getBoundingClientRect(), this.canvas.width, this.canvas.height);
  }

  /** Image pixels per CSS pixel: lines and markers keep their on-screen size at any zoom. */
  private scale(): number {
    const rect = this.canvas.getBoundingClientRect();
    return rect.width > 0 ? this.canvas.width / rect.width : 1;
  }

  private nearEnd(p: ImagePoint): 'a' | 'b' | undefined {
    const radius = GRAB_RADIUS_CSS_PX * this.scale();
    if (this.b && Math.hypot(p.x - this.b.x, p.y - this.b.y) <= radius) return 'b';
    if (this.a && Math.hypot(p.x - this.a.x, p.y - this.a.y) <= radius) return 'a';
    return undefined;
  }

  private render(): void {
    const ctx = this.context;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const s = this.scale();
    ctx.strokeStyle = '#ffd84a';
    ctx.lineWidth = 2 * s;
    for (const p of [this.a, this.b]) {
      if (!p) continue;
      const r = 10 * s;
      ctx.beginPath();
      ctx.moveTo(p.x - r, p.y);
      ctx.lineTo(p.x + r, p.y);
      ctx.moveTo(p.x, p.y - r);
      ctx.lineTo(p.x, p.y + r);
      ctx.stroke();
    }
    if (this.a && this.b) {
      ctx.setLineDash([6 * s, 4 * s]);
      ctx.beginPath();
      ctx.moveTo(this.a.x, this.a.y);
      ctx.lineTo(this.b.x, this.b.y);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    const mm = this.a && this.b && this.mmPerPixel > 0 ? distanceMm(this.a, this.b, this.mmPerPixel) : null;
    this.onChange(mm, { ...(this.a ? { a: this.a } : {}), ...(this.b ? { b: this.b } : {}) });
  }
}
