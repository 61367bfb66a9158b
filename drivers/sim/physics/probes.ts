/**
 * Probe models of the simulated probe, as the TransducerGeometry it reports in IDENTIFY, plus
 * what the RF model needs beyond it (element width, for the element directivity).
 * Values: Verasonics spec sheets as used by PyMUST getparam (the same as the reference RF
 * datasets in ../shared/datasets/rf), sampled at fs = 4·fc.
 */
import type { TransducerGeometry } from '../../protocol/messages.js';

export interface ProbeModel {
  model: string;
  geometry: TransducerGeometry;
  /** Active width of one element (pitch minus kerf); sets the element directivity. */
  elementWidthM: number;
}

/** C5-2v convex array (abdominal / lung class). */
export const C5_2V: ProbeModel = {
  model: 'C5-2v',
  geometry: {
    kind: 'convex',
    elementCount: 128,
    pitchM: 0.508e-3,
    radiusM: 49.57e-3,
    centerFrequencyHz: 3.57e6,
    samplingRateHz: 4 * 3.57e6,
    fractionalBandwidth: 0.79,
  },
  elementWidthM: 0.46e-3,
};

/** L11-5v linear array (superficial / pleural-line detail). */
export const L11_5V: ProbeModel = {
  model: 'L11-5v',
  geometry: {
    kind: 'linear',
    elementCount: 128,
    pitchM: 0.3e-3,
    radiusM: 0,
    centerFrequencyHz: 7.6e6,
    samplingRateHz: 4 * 7.6e6,
    fractionalBandwidth: 0.77,
  },
  elementWidthM: 0.27e-3,
};

export const PROBE_MODELS: readonly ProbeModel[] = [C5_2V, L11_5V];

export function probeModelByName(model: string): ProbeModel {
  const found = PROBE_MODELS.find((p) => p.model.toLowerCase() === model.toLowerCase());
  if (!found) throw new RangeError(`unknown probe model "${model}"; known: ${PROBE_MODELS.map((p) => p.model).join(', ')}`);
  return found;
}
