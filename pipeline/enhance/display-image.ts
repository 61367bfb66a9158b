/**
 * What the display shows: an 8-bit grey image with square pixels in the probe frame.
 * Pixel (row, col) has its centre at x = origin.xMm + col·mmPerPixel (lateral, 0 at the array
 * centre), z = origin.zMm + row·mmPerPixel (depth; convex: z = 0 on the end-element chord).
 */
export interface DisplayImage {
  width: number;
  height: number;
  /** Row-major, `[row][column]`; 0 outside the imaged sector. */
  pixels: Uint8Array;
  mmPerPixel: number;
  /** Centre of pixel (0, 0), mm. */
  origin: { xMm: number; zMm: number };
}
