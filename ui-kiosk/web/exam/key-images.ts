/**
 * The summary's key images: one frame of a stored clip per zone, drawn small. Each is loaded once
 * (the summary is drawn again on every sync poll) and one after the other, because each needs its
 * clip decoded on the device (tens of MB for a moment; docs/api.md "Review").
 */
import { GrayPainter } from '../gray-painter.js';
import { t } from '../i18n/messages.js';
import { loadClipFrame } from '../review/review-source.js';

export class KeyImages {
  private readonly canvases = new Map<string, HTMLCanvasElement>();
  private queue: Promise<unknown> = Promise.resolve();

  /** The canvas for frame `index` of `clipId`; it fills in when the frame arrives (`data-loaded`). */
  canvas(clipId: string, index: number, zone: string): HTMLCanvasElement {
    const id = `${clipId}:${index}`;
    let canvas = this.canvases.get(id);
    if (!canvas) {
      const made = document.createElement('canvas');
      made.className = 'summary-key-image';
      made.width = 1;
      made.height = 1;
      made.setAttribute('role', 'img');
      made.setAttribute('aria-label', t('exam.summary.keyImageLabel', { zone }));
      this.canvases.set(id, made);
      const load = this.queue.then(() => loadClipFrame(clipId, index));
      this.queue = load.catch(() => undefined);
      load
        .then((frame) => {
          new GrayPainter(made).paint(frame.pixels, frame.width, frame.height);
          made.dataset['loaded'] = 'true';
        })
        .catch(() => {
          made.dataset['loaded'] = 'failed';
          this.canvases.delete(id); // try again on the next drawing
        });
      canvas = made;
    }
    canvas.dataset['testid'] = `summary-key-image-${zone}`;
    return canvas;
  }
}
