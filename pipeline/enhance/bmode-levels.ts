/**
 * From a beamformed linear envelope to 8-bit B-mode, the way a scanner sets its grey levels:
 * depth gain that compensates the round-trip attenuation at the centre frequency, then log
 * compression against a fixed full-scale reference, not the frame's own peak, so that the
 * probe's gain shows as brightness and a frame without echoes looks dark. Used by the enhance
 * stage and by a probe that beamforms itself (the simulator in B-mode).
 */
import type { ImageGeometry } from '../../drivers/protocol/messages.js';
import { logCompress } from './log-compression.js';
import { attenuationCompensationDbPerCm, depthGainDb } from './tgc.js';

const ADC_FULL_SCALE = 32767;

export interface BmodeLevels {
  dynamicRangeDb: number;
  /** White level relative to an ADC-full-scale echo summed coherently over all channels and transmits. */
  referenceDb: number;
  /** Upper bound of the depth gain compensation, dB. */
  maxDepthGainDb: number;
}

/**
 * Defaults chosen on the simulated C5-2v lung scene (docs/simulator.md): chest-wall speckle sits
 * about 30 dB below white, the pleural line near white; depth gain compensates 0.5 dB/cm/MHz
 * round trip but at most `maxDepthGainDb`, so that the noise floor at depth stays dark grey.
 */
export const BMODE_LEVELS_DEFAULTS: BmodeLevels = { dynamicRangeDb: 50, referenceDb: -55, maxDepthGainDb: 30 };

export class BmodeMapper {
  private tgc: { key: string; rowGainDb: Float32Array } | null = null;

  constructor(readonly levels: BmodeLevels = BMODE_LEVELS_DEFAULTS) {}

  map(
    envelope: Float32Array,
    rows: number,
    cols: number,
    geometry: ImageGeometry,
    acquisition: { centerFrequencyHz: number; elementCount: number; transmitCount: number },
    out?: Uint8Array,
  ): Uint8Array {
    const key = `${rows}/${JSON.stringify(geometry)}/${acquisition.centerFrequencyHz}`;
    if (this.tgc?.key !== key) {
      this.tgc = { key, rowGainDb: depthGainDb(geometry, rows, { dbPerCm: attenuationCompensationDbPerCm(acquisition.centerFrequencyHz), maxDb: this.levels.maxDepthGainDb }) };
    }
    const reference = whiteLevel(this.levels, acquisition);
    return logCompress(envelope, cols, { dynamicRangeDb: this.levels.dynamicRangeDb, reference, rowGainDb: this.tgc.rowGainDb }, out);
  }
}

/** The envelope value shown white: an ADC-full-scale echo summed over all channels and transmits, times referenceDb. */
export function whiteLevel(levels: BmodeLevels, acquisition: { elementCount: number; transmitCount: number }): number {
  return ADC_FULL_SCALE * acquisition.elementCount * acquisition.transmitCount * 10 ** (levels.referenceDb / 20);
}
