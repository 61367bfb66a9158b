/**
 * Channel data → the picture the kiosk would show, with the device's own pieces: the
 * pipeline's beamformer (128 scan lines × 512 samples, F = 1.5, Hann apodization: the device
 * defaults), its display levels (bmode-levels.ts) and scan conversion. Used by the gallery, the
 * dataset export and the physics tests, so what they look at is what a user sees.
 *
 * @example
 *   const renderer = new FrameRenderer(probe.geometry, depthM);
 *   const { polar, display } = renderer.render(frameRf);
 */
import { Beamformer, type BeamformedImage } from '../../pipeline/beamform/beamformer.js';
import { probeScanGrid, type GridSize } from '../../pipeline/beamform/grid.js';
import { BmodeMapper, BMODE_LEVELS_DEFAULTS, type BmodeLevels } from '../../pipeline/enhance/bmode-levels.js';
import type { DisplayImage } from '../../pipeline/enhance/display-image.js';
import { ScanConverter, type DisplaySize } from '../../pipeline/enhance/scan-convert.js';
import type { FrameRf, TransducerGeometry } from '../protocol/messages.js';

export interface RenderOptions {
  grid: GridSize;
  display: DisplaySize;
  levels: BmodeLevels;
}

/** The device defaults (device/config/schema.ts): what the kiosk shows. */
export const KIOSK_RENDER: RenderOptions = { grid: { colCount: 128, rowCount: 512 }, display: { widthPx: 640, heightPx: 480 }, levels: BMODE_LEVELS_DEFAULTS };

export interface RenderedFrame {
  beamformed: BeamformedImage;
  /** 8-bit levels on the beamforming grid (what a probe beamforming on board would send). */
  levels: Uint8Array;
  display: DisplayImage;
}

export class FrameRenderer {
  readonly beamformer: Beamformer;
  private readonly mapper: BmodeMapper;
  private readonly converter: ScanConverter;

  constructor(
    readonly probe: TransducerGeometry,
    depthM: number,
    readonly options: RenderOptions = KIOSK_RENDER,
  ) {
    this.beamformer = new Beamformer(probe, probeScanGrid(probe, depthM, options.grid), { window: 'hann' });
    this.mapper = new BmodeMapper(options.levels);
    const g = this.beamformer.grid;
    this.converter = new ScanConverter(this.beamformer.grid, g.rowCount, g.colCount, options.display);
  }

  /** Display levels of a beamformed envelope (e.g. one cached earlier). */
  levelsOf(envelope: Float32Array, frame: Pick<FrameRf, 'centerFrequencyHz' | 'elementCount' | 'transmitCount'>, out?: Uint8Array): Uint8Array {
    const g = this.beamformer.grid;
    return this.mapper.map(envelope, g.rowCount, g.colCount, this.beamformer.grid, frame, out);
  }

  render(frame: FrameRf): RenderedFrame {
    const beamformed = this.beamformer.beamform(frame);
    const levels = this.levelsOf(beamformed.envelope, frame);
    return { beamformed, levels, display: this.converter.convert(levels) };
  }

  scanConvert(levels: Uint8Array): DisplayImage {
    return this.converter.convert(levels);
  }
}
