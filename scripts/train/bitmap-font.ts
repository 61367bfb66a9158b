/**
 * A 3×5 pixel bitmap font (digits, capitals, a few signs), hard-coded so training needs no font
 * files: on-screen text for domain randomisation (scanner annotations, depth scales, logos).
 */
import type { GrayImage } from '../../models/findings/preprocess.js';

// Each glyph: 5 rows of 3 columns, '#' on.
const GLYPHS: Record<string, string> = {
  '0': '###' + '#.#' + '#.#' + '#.#' + '###', '1': '.#.' + '##.' + '.#.' + '.#.' + '###', '2': '##.' + '..#' + '.#.' + '#..' + '###',
  '3': '##.' + '..#' + '.#.' + '..#' + '##.', '4': '#.#' + '#.#' + '###' + '..#' + '..#', '5': '###' + '#..' + '##.' + '..#' + '##.',
  '6': '.##' + '#..' + '###' + '#.#' + '###', '7': '###' + '..#' + '.#.' + '.#.' + '.#.', '8': '###' + '#.#' + '###' + '#.#' + '###',
  '9': '###' + '#.#' + '###' + '..#' + '##.', A: '.#.' + '#.#' + '###' + '#.#' + '#.#', B: '##.' + '#.#' + '##.' + '#.#' + '##.',
  C: '.##' + '#..' + '#..' + '#..' + '.##', D: '##.' + '#.#' + '#.#' + '#.#' + '##.', E: '###' + '#..' + '##.' + '#..' + '###',
  F: '###' + '#..' + '##.' + '#..' + '#..', G: '.##' + '#..' + '#.#' + '#.#' + '.##', H: '#.#' + '#.#' + '###' + '#.#' + '#.#',
  I: '###' + '.#.' + '.#.' + '.#.' + '###', J: '..#' + '..#' + '..#' + '#.#' + '.#.', K: '#.#' + '#.#' + '##.' + '#.#' + '#.#',
  L: '#..' + '#..' + '#..' + '#..' + '###', M: '#.#' + '###' + '###' + '#.#' + '#.#', N: '##.' + '#.#' + '#.#' + '#.#' + '#.#',
  O: '.#.' + '#.#' + '#.#' + '#.#' + '.#.', P: '##.' + '#.#' + '##.' + '#..' + '#..', Q: '.#.' + '#.#' + '#.#' + '##.' + '.##',
  R: '##.' + '#.#' + '##.' + '#.#' + '#.#', S: '.##' + '#..' + '.#.' + '..#' + '##.', T: '###' + '.#.' + '.#.' + '.#.' + '.#.',
  U: '#.#' + '#.#' + '#.#' + '#.#' + '###', V: '#.#' + '#.#' + '#.#' + '#.#' + '.#.', W: '#.#' + '#.#' + '###' + '###' + '#.#',
  X: '#.#' + '#.#' + '.#.' + '#.#' + '#.#', Y: '#.#' + '#.#' + '.#.' + '.#.' + '.#.', Z: '###' + '..#' + '.#.' + '#..' + '###',
  '.': '...' + '...' + '...' + '...' + '.#.', '-': '...' + '...' + '###' + '...' + '...', ':': '...' + '.#.' + '...' + '.#.' + '...',
  '/': '..#' + '..#' + '.#.' + '#..' + '#..', '%': '#.#' + '..#' + '.#.' + '#..' + '#.#', ' ': '...' + '...' + '...' + '...' + '...',
};

export const FONT_CHARS = Object.keys(GLYPHS).filter((c) => c !== ' ').join('');

/** Size of a string drawn at `scale` (pixels per font pixel): 3 + 1 spacing per char, 5 high. */
export function textSize(text: string, scale: number): { width: number; height: number } {
  return { width: Math.max(0, text.length * 4 - 1) * scale, height: 5 * scale };
}

/** Draws `text` with its top-left corner at (x, y), clipped to the image. */
export function drawText(img: GrayImage, text: string, x: number, y: number, scale: number, level: number): void {
  for (let i = 0; i < text.length; i++) {
    const g = GLYPHS[text[i]!.toUpperCase()] ?? GLYPHS[' ']!;
    for (let gy = 0; gy < 5; gy++) {
      for (let gx = 0; gx < 3; gx++) {
        if (g[gy * 3 + gx] !== '#') continue;
        fillRect(img, x + (i * 4 + gx) * scale, y + gy * scale, scale, scale, level);
      }
    }
  }
}

export function fillRect(img: GrayImage, x: number, y: number, w: number, h: number, level: number): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w));
  const y1 = Math.min(img.height, Math.round(y + h));
  for (let yy = y0; yy < y1; yy++) img.pixels.fill(level, yy * img.width + x0, yy * img.width + x1);
}
