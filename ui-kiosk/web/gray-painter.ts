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
 * Paints 8-bit gray images into a canvas, reusing one ImageData while the size stays the same
 * (the live view paints at the frame rate; an allocation per frame would churn the heap).
 */
export class GrayPainter {
  private readonly context: CanvasRenderingContext2D;
  private readonly lut = grayToRgbaTable();
  private imageData: ImageData | undefined;
  private rgba: Uint32Array | undefined;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const context = canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('kiosk: canvas 2D context unavailable; Chromium must run with canvas enabled');
    this.context = context;
  }

  /** Paints the image; true when the canvas changed size (the caller re-fits its box). */
  paint(pixels: Uint8Array, width: number, height: number): boolean {
    let resized = false;
    if (!this.imageData || this.imageData.width !== width || this.imageData.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.imageData = this.context.createImageData(width, height);
      this.rgba = new Uint32Array(this.imageData.data.buffer);
      resized = true;
    }
    const rgba = this.rgba as Uint32Array;
    const lut = this.lut;
    for (let i = 0; i < pixels.length; i++) rgba[i] = lut[pixels[i] as number] as number;
    this.context.putImageData(this.imageData, 0, 0);
    return resized;
  }
}
