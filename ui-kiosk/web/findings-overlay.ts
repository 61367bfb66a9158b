import type { DecodedKioskFrame, KioskFindings } from './protocol.js';

/**
 * Findings arrive after their frame (inference runs beside the display path). They are drawn on
 * a frame whose seq is at most this far from theirs, and on no other: at 20–30 frames/s that is
 * a quarter of a second, less than the image moves in a breath.
 */
export const MAX_SEQ_DISTANCE = 6;

const COLOURS = {
  pleura: '#4cc38a',
  bLine: '#f2b440',
  aLine: 'rgba(120, 190, 255, 0.8)',
  consolidation: '#ee6a55',
  effusion: '#5aa9e6',
} as const;

export interface OverlayFrame {
  seq: number;
  width: number;
  height: number;
  mmPerPixel: number;
  topDepthMm: number;
}

/** The findings for a drawn frame: the nearest by seq within MAX_SEQ_DISTANCE and of the same size, else none. */
export function findingsForFrame(frame: OverlayFrame, candidates: Iterable<KioskFindings>): KioskFindings | undefined {
  let best: KioskFindings | undefined;
  for (const f of candidates) {
    if (f.width !== frame.width || f.height !== frame.height) continue;
    const distance = Math.abs(frame.seq - f.seq);
    if (distance > MAX_SEQ_DISTANCE) continue;
    if (!best || distance < Math.abs(frame.seq - best.seq)) best = f;
  }
  return best;
}

/**
 * Draws one frame's findings on a transparent canvas over the live image, in the image's own
 * pixels (the canvas has the frame's size and is stretched like the image): the pleural line
 * along its visible extent, a vertical marker from the pleura down for each B-line with the
 * count, A-line rows (dashed, at multiples of the pleural depth), consolidation and effusion
 * boxes. Findings too far from the drawn frame are not drawn at all; so is everything while the
 * overlay is switched off.
 */
export class FindingsOverlay {
  private readonly context: CanvasRenderingContext2D;
  private readonly recent = new Map<number, KioskFindings>();
  private frame: OverlayFrame | undefined;
  private enabled = true;
  /** The findings of the frame on screen, if any (drawn unless switched off; the panel shows them). */
  shown: KioskFindings | undefined;
  onShown: ((findings: KioskFindings | undefined) => void) | undefined;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const context = canvas.getContext('2d');
    if (!context) throw new Error('kiosk: canvas 2D context unavailable for the findings overlay');
    this.context = context;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.canvas.hidden = !enabled;
    this.render();
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Findings from the device; drawn at once if they belong to the frame on screen. */
  add(findings: KioskFindings): void {
    this.recent.set(findings.seq, findings);
    // Keep only what could still match a frame to come.
    for (const seq of this.recent.keys()) if (seq < findings.seq - 4 * MAX_SEQ_DISTANCE) this.recent.delete(seq);
    this.render();
  }

  /** A frame was drawn: show its findings, or none. */
  frameDrawn(frame: DecodedKioskFrame): void {
    this.frame = { seq: frame.seq, width: frame.width, height: frame.height, mmPerPixel: frame.mmPerPixel, topDepthMm: frame.topDepthMm ?? 0 };
    this.render();
  }

  /** Forget everything (a new connection: seqs start again). */
  clear(): void {
    this.recent.clear();
    this.render();
  }

  private render(): void {
    const frame = this.frame;
    const findings = frame ? findingsForFrame(frame, this.recent.values()) : undefined;
    if (frame && (this.canvas.width !== frame.width || this.canvas.height !== frame.height)) {
      this.canvas.width = frame.width;
      this.canvas.height = frame.height;
    }
    const ctx = this.context;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const drawn = this.enabled ? findings : undefined;
    this.canvas.dataset['seq'] = drawn ? String(drawn.seq) : '';
    this.canvas.dataset['bLines'] = drawn ? String(drawn.bLines.count) : '';
    if (drawn && frame) this.draw(drawn, frame);
    if (findings !== this.shown) {
      this.shown = findings;
      this.onShown?.(findings);
    }
  }

  private draw(f: KioskFindings, frame: OverlayFrame): void {
    const ctx = this.context;
    // Line widths in image pixels, scaled so that they read the same at any display size.
    const unit = Math.max(1, frame.width / 320);
    const bottom = frame.height;
    const pleuraY = f.pleura.present ? f.pleura.yPx : null;

    if (f.aLines && pleuraY !== null && frame.mmPerPixel > 0) {
      // A-lines repeat the pleural line at multiples of its depth below the skin.
      const pleuraDepthMm = frame.topDepthMm + pleuraY * frame.mmPerPixel;
      ctx.strokeStyle = COLOURS.aLine;
      ctx.lineWidth = 1.5 * unit;
      ctx.setLineDash([6 * unit, 6 * unit]);
      for (let k = 2; k <= 4; k++) {
        const y = (k * pleuraDepthMm - frame.topDepthMm) / frame.mmPerPixel;
        if (y >= bottom) break;
        for (const [x0, x1] of f.pleura.extentPx) line(ctx, x0, y, x1, y);
      }
      ctx.setLineDash([]);
    }

    if (pleuraY !== null) {
      ctx.strokeStyle = COLOURS.pleura;
      ctx.lineWidth = 3 * unit;
      for (const [x0, x1] of f.pleura.extentPx) line(ctx, x0, pleuraY, x1, pleuraY);
    }

    ctx.strokeStyle = COLOURS.bLine;
    ctx.lineWidth = 2.5 * unit;
    for (const x of f.bLines.positionsPx) line(ctx, x, pleuraY ?? 0, x, bottom);

    box(ctx, f.consolidation, COLOURS.consolidation, unit);
    box(ctx, f.effusion, COLOURS.effusion, unit);

    if (f.bLines.count > 0) {
      // The count beside the markers, top right (the frozen badge is top left).
      const text = `B × ${f.bLines.count}${f.bLines.confluent ? '+' : ''}`;
      ctx.font = `600 ${Math.round(11 * unit)}px system-ui, sans-serif`;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'top';
      const x = frame.width - 8 * unit;
      const y = 8 * unit;
      const w = ctx.measureText(text).width;
      ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
      ctx.fillRect(x - w - 5 * unit, y - 3 * unit, w + 10 * unit, 16 * unit);
      ctx.fillStyle = COLOURS.bLine;
      ctx.fillText(text, x, y);
    }
  }
}

function line(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

function box(ctx: CanvasRenderingContext2D, b: KioskFindings['consolidation'], colour: string, unit: number): void {
  if (!b) return;
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2 * unit;
  ctx.setLineDash([8 * unit, 4 * unit]);
  ctx.strokeRect(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
  ctx.setLineDash([]);
}
