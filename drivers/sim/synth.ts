/**
 * One simulated acquisition, everything a frame needs: the lung scene for the configured depth,
 * the RF model, the probe's on-board beamformer for B-mode, and the frame's ground truth. Shared
 * by the live source, the loop builder and the dataset export, so they all make the same frames.
 *
 * @example
 *   const synth = new FrameSynth(C5_2V, presetScene('normal'), { seed: 1 });
 *   synth.configure({ depthM: 0.12, gainDb: 0, transmits, mode: 'rf' });
 *   const rf = synth.rf(0.5, 15);  const truth = synth.truth(0.5, 15);
 */
import { Beamformer } from '../../pipeline/beamform/beamformer.js';
import { imageGeometryOf, probeScanGrid } from '../../pipeline/beamform/grid.js';
import { BmodeMapper } from '../../pipeline/enhance/bmode-levels.js';
import type { AcquisitionMode, FrameBmode, FrameRf, ImageGeometry, TransmitSequence } from '../protocol/messages.js';
import type { ProbeModel } from './physics/probes.js';
import { RfModel } from './physics/rf-model.js';
import { LungScene } from './scene/lung-scene.js';
import type { SceneSpec } from './scene/spec.js';
import { frameTruth, type FrameTruth } from './scene/truth.js';

/** B-mode grid of the simulated probe's on-board beamformer. */
export const ONBOARD_GRID = { colCount: 128, rowCount: 512 } as const;

/**
 * Front-end noise 95 dB below ADC full scale (about one LSB of a 16-bit converter): with the
 * default scenes the image becomes noise-limited at depth, as a small probe's would.
 */
export const SIM_NOISE_DB_BELOW_FULL_SCALE = 95;

export interface SynthAcquisition {
  depthM: number;
  gainDb: number;
  transmits: TransmitSequence;
  mode: AcquisitionMode;
}

export interface SynthOptions {
  seed: number;
  noiseDbBelowFullScale?: number;
}

export class FrameSynth {
  readonly rfModel: RfModel;
  private readonly mapper = new BmodeMapper();
  private scene: LungScene | null = null;
  private onboard: Beamformer | null = null;
  private acquisition: SynthAcquisition | null = null;

  constructor(
    readonly probe: ProbeModel,
    readonly spec: SceneSpec,
    readonly options: SynthOptions,
  ) {
    this.rfModel = new RfModel(probe, { seed: options.seed, noiseDbBelowFullScale: options.noiseDbBelowFullScale ?? SIM_NOISE_DB_BELOW_FULL_SCALE, frequencyDownshift: true });
  }

  configure(a: SynthAcquisition): void {
    this.rfModel.configure({ depthM: a.depthM, gainDb: a.gainDb, transmits: a.transmits });
    // The scene is laid out for the depth it must fill; a new depth lays it out again (same seed: same patient).
    if (!this.scene || this.scene.options.depthM !== a.depthM) this.scene = new LungScene(this.probe.geometry, this.spec, { depthM: a.depthM, seed: this.options.seed });
    const g = this.probe.geometry;
    if (a.mode === 'bmode' && (!this.onboard || this.acquisition?.depthM !== a.depthM)) {
      this.onboard = new Beamformer(g, probeScanGrid(g, a.depthM, ONBOARD_GRID), { window: 'hann' });
    }
    this.acquisition = { ...a };
  }

  get lungScene(): LungScene {
    if (!this.scene) throw new Error('FrameSynth.configure() must come first');
    return this.scene;
  }

  /** Channel data at `timeS` (the scene's clock). */
  rf(timeS: number, frameIndex: number): FrameRf {
    return this.rfModel.simulate(this.lungScene, timeS, frameIndex);
  }

  /** The on-board beamformer's linear envelope of a frame (B-mode mode only). */
  envelope(frame: FrameRf): Float32Array {
    if (!this.onboard) throw new Error('envelope() needs mode bmode in configure()');
    return this.onboard.beamform(frame).envelope;
  }

  get onboardGeometry(): ImageGeometry {
    if (!this.onboard) throw new Error('onboardGeometry needs mode bmode in configure()');
    return imageGeometryOf(this.onboard.grid);
  }

  /** FRAME_BMODE from an envelope, at `extraGainDb` on top of the gain it was simulated with. */
  bmode(envelope: Float32Array, frameIndex: number, extraGainDb = 0): FrameBmode {
    const g = this.probe.geometry;
    const scaled = extraGainDb === 0 ? envelope : envelope.map((v) => v * 10 ** (extraGainDb / 20));
    const geometry = this.onboardGeometry;
    const transmitCount = this.acquisition!.transmits.parameters.length;
    const pixels = this.mapper.map(scaled, ONBOARD_GRID.rowCount, ONBOARD_GRID.colCount, geometry, { centerFrequencyHz: g.centerFrequencyHz, elementCount: g.elementCount, transmitCount });
    return { frameIndex, width: ONBOARD_GRID.colCount, height: ONBOARD_GRID.rowCount, dynamicRangeDb: this.mapper.levels.dynamicRangeDb, geometry, pixels };
  }

  truth(timeS: number, frameIndex: number): FrameTruth {
    return frameTruth(this.lungScene, timeS, frameIndex, this.probe.model);
  }
}
