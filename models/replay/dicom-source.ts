/**
 * Uncompressed 8-bit DICOM images (single or multi-frame: US Multi-frame, Secondary Capture, …)
 * read with dcmjs: MONOCHROME2, MONOCHROME1 (inverted), RGB and YBR_FULL (converted to RGB, then
 * grey with rgbToGray). The US Region Calibration gives mm per pixel and the depth of row 0.
 * Encapsulated (compressed) transfer syntaxes are refused: dcmjs does not decode them.
 */
import fs from 'node:fs';
import dcmjs from 'dcmjs';
import { rgbToGray, type GrayImage } from '../findings/preprocess.js';
import { ReplayError, type ReplayFrame, type ReplayInfo, type ReplaySource } from './replay-source.js';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

const NATIVE_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
};

const KNOWN_COMPRESSED: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.4.100': 'MPEG-2',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
};

type Dataset = Record<string, unknown>;

const num = (v: unknown): number | null => {
  const x = Array.isArray(v) ? Number(v[0]) : Number(v);
  return v === undefined || v === null || v === '' || !Number.isFinite(x) ? null : x;
};

/** mm per pixel and the depth of row 0 from the first 2D tissue region in cm (units code 3). */
function calibration(ds: Dataset): { mmPerPixel: number | null; topDepthMm: number | null } {
  const regions = ds.SequenceOfUltrasoundRegions as Dataset[] | Dataset | undefined;
  const list = Array.isArray(regions) ? regions : regions ? [regions] : [];
  for (const r of list) {
    const dx = num(r.PhysicalDeltaX);
    const dy = num(r.PhysicalDeltaY);
    if (num(r.PhysicalUnitsXDirection) !== 3 || num(r.PhysicalUnitsYDirection) !== 3 || !dx || !dy) continue;
    // Non-square pixels are not supported by the findings; use the vertical spacing only if close.
    if (Math.abs(Math.abs(dx) - Math.abs(dy)) > 0.02 * Math.abs(dy)) continue;
    const mm = Math.abs(dy) * 10;
    const refY = (num(r.ReferencePixelY0) ?? 0) + (num(r.RegionLocationMinY0) ?? 0);
    const physY = (num(r.ReferencePixelPhysicalValueY) ?? 0) * 10;
    return { mmPerPixel: mm, topDepthMm: physY - refY * mm };
  }
  return { mmPerPixel: null, topDepthMm: null };
}

export class DicomSource implements ReplaySource {
  readonly warnings: string[] = [];

  private constructor(
    readonly path: string,
    readonly info: ReplayInfo,
    private readonly pixels: Uint8Array,
    private readonly layout: { samples: 1 | 3; photometric: string; planar: number },
  ) {}

  static open(file: string): DicomSource {
    return DicomSource.fromBytes(fs.readFileSync(file), file);
  }

  /** Parses a DICOM file already in memory; `file` names it in messages. */
  static fromBytes(bytes: Uint8Array, file: string): DicomSource {
    let dict;
    try {
      dict = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, { ignoreErrors: false });
    } catch (err) {
      throw new ReplayError(`cannot read ${file} as DICOM: ${(err as Error).message} (the file is damaged or truncated)`);
    }
    const meta = DicomMetaDictionary.naturalizeDataset(dict.meta);
    const syntax = String(meta.TransferSyntaxUID ?? '');
    if (!NATIVE_SYNTAXES[syntax]) {
      throw new ReplayError(
        `${file}: transfer syntax ${syntax} (${KNOWN_COMPRESSED[syntax] ?? 'compressed or unknown'}) is not supported: only uncompressed DICOM can be analysed; export it uncompressed (e.g. dcmdjpeg IN OUT, or gdcmconv --raw IN OUT)`,
      );
    }
    const ds = DicomMetaDictionary.naturalizeDataset(dict.dict);
    const rows = num(ds.Rows);
    const cols = num(ds.Columns);
    const bits = num(ds.BitsAllocated);
    const samples = num(ds.SamplesPerPixel) ?? 1;
    const photometric = String(ds.PhotometricInterpretation ?? 'MONOCHROME2').trim();
    if (!rows || !cols) throw new ReplayError(`${file}: no image (Rows/Columns missing): is it an image object?`);
    if (bits !== 8) throw new ReplayError(`${file}: ${bits ?? '?'}-bit pixels are not supported (8-bit only)`);
    if (!(samples === 1 && /^MONOCHROME[12]$/.test(photometric)) && !(samples === 3 && /^(RGB|YBR_FULL)$/.test(photometric))) {
      throw new ReplayError(`${file}: photometric interpretation ${photometric} with ${samples} samples per pixel is not supported (MONOCHROME1/2, RGB, YBR_FULL only)`);
    }
    const pd = ds.PixelData as ArrayBuffer[] | ArrayBuffer | undefined;
    const first = Array.isArray(pd) ? pd[0] : pd;
    if (!first) throw new ReplayError(`${file}: no Pixel Data`);
    const pixels = new Uint8Array(first);
    const frameBytes = rows * cols * samples;
    const declared = num(ds.NumberOfFrames) ?? 1;
    const available = Math.floor(pixels.byteLength / frameBytes);
    if (available === 0) throw new ReplayError(`${file}: Pixel Data holds ${pixels.byteLength} bytes, less than one ${cols}×${rows} frame: the file is truncated`);
    const frameTimeMs = num(ds.FrameTime);
    const cineRate = num(ds.CineRate) ?? num(ds.RecommendedDisplayFrameRate);
    const fps = declared > 1 ? (frameTimeMs ? 1000 / frameTimeMs : (cineRate ?? null)) : null;
    const { mmPerPixel, topDepthMm } = calibration(ds);
    const source = new DicomSource(
      file,
      {
        kind: 'dicom',
        format: `DICOM ${String(ds.SOPClassUID ?? '')}, ${NATIVE_SYNTAXES[syntax]}, ${photometric}`,
        width: cols,
        height: rows,
        fps,
        frameCount: Math.min(declared, available),
        mmPerPixel,
        topDepthMm,
      },
      pixels,
      { samples: samples as 1 | 3, photometric, planar: num(ds.PlanarConfiguration) ?? 0 },
    );
    if (available < declared) source.warnings.push(`NumberOfFrames says ${declared} but Pixel Data holds ${available}: the file is truncated`);
    return source;
  }

  async *frames(): AsyncIterable<ReplayFrame> {
    const { fps, frameCount } = this.info;
    for (let k = 0; k < (frameCount ?? 1); k++) {
      yield { index: k, timeMs: fps ? (k * 1000) / fps : 0, image: this.frame(k) };
    }
  }

  /**
   * Frame `k` (0-based) as 8-bit grey. For MONOCHROME2 the pixels are a view into the decoded
   * Pixel Data (no copy); other layouts are converted into new memory.
   */
  frame(k: number): GrayImage {
    const { width, height, frameCount } = this.info;
    if (!Number.isInteger(k) || k < 0 || k >= (frameCount ?? 1)) throw new RangeError(`${this.path}: no frame ${k} (frames 0…${(frameCount ?? 1) - 1})`);
    const n = width * height;
    const { samples, photometric, planar } = this.layout;
    const raw = this.pixels.subarray(k * n * samples, (k + 1) * n * samples);
    let image: GrayImage;
    if (samples === 1) {
      image = { width, height, pixels: photometric === 'MONOCHROME1' ? raw.map((v) => 255 - v) : raw };
    } else {
      const rgb = new Uint8Array(n * 3);
      for (let i = 0; i < n; i++) {
        const a = planar ? raw[i]! : raw[3 * i]!;
        const b = planar ? raw[n + i]! : raw[3 * i + 1]!;
        const c = planar ? raw[2 * n + i]! : raw[3 * i + 2]!;
        if (photometric === 'YBR_FULL') {
          // PS3.3 C.7.6.3.1.2: Y, Cb, Cr full range → R, G, B.
          rgb[3 * i] = clamp(a + 1.402 * (c - 128));
          rgb[3 * i + 1] = clamp(a - 0.344136 * (b - 128) - 0.714136 * (c - 128));
          rgb[3 * i + 2] = clamp(a + 1.772 * (b - 128));
        } else {
          rgb[3 * i] = a;
          rgb[3 * i + 1] = b;
          rgb[3 * i + 2] = c;
        }
      }
      image = rgbToGray(rgb, width, height, 3);
    }
    return image;
  }

  close(): void {}
}

const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
