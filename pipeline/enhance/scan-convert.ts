/**
 * Scan conversion: an image on its acquisition grid (polar `[r][θ]` of a convex array, or
 * Cartesian `[z][x]`) → a DisplayImage with square pixels in the probe frame.
 *
 * A lookup table is built once per (geometry, source size, display size): for each display
 * pixel, the source cell it falls in and the two bilinear fractions (in r and θ for polar, so
 * interpolation follows the scan lines). Display pixels outside the sector are 0. Per frame
 * the work is 4 reads and 3 lerps per display pixel.
 * Works the same for beamformed envelopes after log compression and for FRAME_BMODE images
 * from a probe (scanConvertBmode).
 *
 * @example
 *   const sc = new ScanConverter(image.geometry, image.rowCount, image.colCount, { widthPx: 640, heightPx: 480 });
 *   const display = sc.convert(logCompress(image.envelope, image.colCount));
 */
import type { FrameBmode, ImageGeometry } from '../../drivers/protocol/messages.js';
import type { DisplayImage } from './display-image.js';

/** Fit the sector into widthPx × heightPx (aspect ratio kept), or use a fixed pixel size. */
export type DisplaySize = { widthPx: number; heightPx: number } | { mmPerPixel: number };

interface Bounds {
  xMin: number;
  xMax: number;
  zMin: number;
  zMax: number;
}

function linspaceStep(first: number, last: number, count: number): number {
  return count > 1 ? (last - first) / (count - 1) : 0;
}

/** Physical extent (m) of an image geometry. */
export function geometryBoundsM(geometry: ImageGeometry): Bounds {
  if (geometry.kind === 'cartesian') {
    return { xMin: geometry.xMinM, xMax: geometry.xMaxM, zMin: geometry.zMinM, zMax: geometry.zMaxM };
  }
  const b: Bounds = { xMin: Infinity, xMax: -Infinity, zMin: Infinity, zMax: -Infinity };
  const add = (r: number, th: number): void => {
    const x = r * Math.sin(th);
    const z = r * Math.cos(th) - geometry.apothemM;
    b.xMin = Math.min(b.xMin, x);
    b.xMax = Math.max(b.xMax, x);
    b.zMin = Math.min(b.zMin, z);
    b.zMax = Math.max(b.zMax, z);
  };
  const steps = 256;
  for (let i = 0; i <= steps; i++) {
    const th = geometry.thetaMinRad + (i / steps) * (geometry.thetaMaxRad - geometry.thetaMinRad);
    add(geometry.rMinM, th);
    add(geometry.rMaxM, th);
  }
  if (geometry.thetaMinRad <= 0 && geometry.thetaMaxRad >= 0) add(geometry.rMaxM, 0);
  return b;
}

export class ScanConverter {
  readonly width: number;
  readonly height: number;
  readonly mmPerPixel: number;
  readonly origin: { xMm: number; zMm: number };
  /** Source index of the top-left neighbour of each display pixel; -1 outside. */
  private readonly sourceIndex: Int32Array;
  private readonly rowFraction: Float32Array;
  private readonly colFraction: Float32Array;

  constructor(
    readonly geometry: ImageGeometry,
    readonly sourceRows: number,
    readonly sourceCols: number,
    size: DisplaySize,
  ) {
    if (sourceRows < 2 || sourceCols < 2) throw new RangeError(`scan conversion needs at least 2×2 source pixels, got ${sourceRows}×${sourceCols}`);
    const b = geometryBoundsM(geometry);
    const wM = b.xMax - b.xMin;
    const hM = b.zMax - b.zMin;
    const pixelM = 'mmPerPixel' in size ? size.mmPerPixel / 1000 : Math.max(wM / size.widthPx, hM / size.heightPx);
    if (!(pixelM > 0)) throw new RangeError('display pixel size must be > 0');
    this.width = Math.max(1, Math.ceil(wM / pixelM - 1e-9));
    this.height = Math.max(1, Math.ceil(hM / pixelM - 1e-9));
    this.mmPerPixel = pixelM * 1000;
    const x0 = b.xMin + pixelM / 2;
    const z0 = b.zMin + pixelM / 2;
    this.origin = { xMm: x0 * 1000, zMm: z0 * 1000 };

    const n = this.width * this.height;
    this.sourceIndex = new Int32Array(n).fill(-1);
    this.rowFraction = new Float32Array(n);
    this.colFraction = new Float32Array(n);
    const rowsM1 = sourceRows - 1;
    const colsM1 = sourceCols - 1;
    for (let row = 0; row < this.height; row++) {
      const z = z0 + row * pixelM;
      for (let col = 0; col < this.width; col++) {
        const x = x0 + col * pixelM;
        let fr: number;
        let fc: number;
        if (geometry.kind === 'polar') {
          const zc = z + geometry.apothemM;
          const r = Math.sqrt(x * x + zc * zc);
          const th = Math.atan2(x, zc);
          fr = (r - geometry.rMinM) / linspaceStep(geometry.rMinM, geometry.rMaxM, sourceRows);
          fc = (th - geometry.thetaMinRad) / linspaceStep(geometry.thetaMinRad, geometry.thetaMaxRad, sourceCols);
        } else {
          fr = (z - geometry.zMinM) / linspaceStep(geometry.zMinM, geometry.zMaxM, sourceRows);
          fc = (x - geometry.xMinM) / linspaceStep(geometry.xMinM, geometry.xMaxM, sourceCols);
        }
        if (!(fr >= 0 && fr <= rowsM1 && fc >= 0 && fc <= colsM1)) continue;
        // The last row/column interpolates from the one before with fraction 1.
        const r0 = Math.min(Math.floor(fr), rowsM1 - 1);
        const c0 = Math.min(Math.floor(fc), colsM1 - 1);
        const k = row * this.width + col;
        this.sourceIndex[k] = r0 * sourceCols + c0;
        this.rowFraction[k] = fr - r0;
        this.colFraction[k] = fc - c0;
      }
    }
  }

  /** Physical position (mm) of the centre of display pixel (row, col). */
  pixelPositionMm(row: number, col: number): { xMm: number; zMm: number } {
    return { xMm: this.origin.xMm + col * this.mmPerPixel, zMm: this.origin.zMm + row * this.mmPerPixel };
  }

  convert(source: Uint8Array | Float32Array, out?: Uint8Array): DisplayImage {
    if (source.length !== this.sourceRows * this.sourceCols) {
      throw new RangeError(`source image: expected ${this.sourceRows}×${this.sourceCols} pixels, got ${source.length}`);
    }
    const pixels = out ?? new Uint8Array(this.width * this.height);
    const cols = this.sourceCols;
    for (let k = 0; k < pixels.length; k++) {
      const i = this.sourceIndex[k]!;
      if (i < 0) {
        pixels[k] = 0;
        continue;
      }
      const fr = this.rowFraction[k]!;
      const fc = this.colFraction[k]!;
      const top = source[i]! + fc * (source[i + 1]! - source[i]!);
      const bottom = source[i + cols]! + fc * (source[i + cols + 1]! - source[i + cols]!);
      const v = top + fr * (bottom - top);
      pixels[k] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
    }
    return { width: this.width, height: this.height, pixels, mmPerPixel: this.mmPerPixel, origin: { ...this.origin } };
  }
}

function sameGeometry(a: ImageGeometry, b: ImageGeometry): boolean {
  const ka = Object.keys(a) as Array<keyof ImageGeometry>;
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function sameSize(a: DisplaySize, b: DisplaySize): boolean {
  if ('mmPerPixel' in a) return 'mmPerPixel' in b && a.mmPerPixel === b.mmPerPixel;
  return 'widthPx' in b && a.widthPx === b.widthPx && a.heightPx === b.heightPx;
}

/** Reuses the lookup table while geometry, source size and display size stay the same. */
export class ScanConverterCache {
  private current: { converter: ScanConverter; size: DisplaySize } | null = null;

  get(geometry: ImageGeometry, sourceRows: number, sourceCols: number, size: DisplaySize): ScanConverter {
    const c = this.current;
    if (c && c.converter.sourceRows === sourceRows && c.converter.sourceCols === sourceCols && sameGeometry(c.converter.geometry, geometry) && sameSize(c.size, size)) {
      return c.converter;
    }
    const converter = new ScanConverter(geometry, sourceRows, sourceCols, size);
    this.current = { converter, size };
    return converter;
  }

  /** Scan-converts a FRAME_BMODE image (already log-compressed by the probe). */
  convertBmode(frame: FrameBmode, size: DisplaySize, out?: Uint8Array): DisplayImage {
    return this.get(frame.geometry, frame.height, frame.width, size).convert(frame.pixels, out);
  }
}
