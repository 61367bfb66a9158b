/**
 * The pulse-echo waveform: a zero-phase Gaussian-enveloped cosine at fc whose spectrum has the
 * probe's -6 dB fractional bandwidth B (a Gaussian spectrum; amplitude halves at fc ± B·fc/2):
 *   p(τ) = exp(-τ² / (2σt²)) cos(2π fc τ),   σf = B fc / (2 √(2 ln 2)),   σt = 1 / (2π σf)
 * It stands for the whole round trip (transmit pulse ⊗ two-way element response), centred on
 * the echo time, as in the reference datasets (no lens or pulse-centre offset).
 *
 * Tabulated `oversampling` times per RF sample so that adding an echo at a fractional sample
 * position needs no trigonometry: entry k is p at τ = (k / oversampling - halfLengthSamples) / fs.
 */
export interface PulseTable {
  values: Float32Array;
  oversampling: number;
  /** The pulse spans [-halfLengthSamples, +halfLengthSamples] samples around the echo time. */
  halfLengthSamples: number;
  sigmaS: number;
}

export function gaussianPulseTable(
  centerFrequencyHz: number,
  fractionalBandwidth: number,
  samplingRateHz: number,
  oversampling = 128,
  truncationSigmas = 3.5,
): PulseTable {
  const sigmaHz = (fractionalBandwidth * centerFrequencyHz) / (2 * Math.sqrt(2 * Math.LN2));
  const sigmaS = 1 / (2 * Math.PI * sigmaHz);
  const halfLengthSamples = truncationSigmas * sigmaS * samplingRateHz;
  // +2: the nearest-entry index of the last sample can round one step past 2·H·oversampling.
  const values = new Float32Array(Math.ceil(2 * halfLengthSamples * oversampling) + 2);
  for (let k = 0; k < values.length; k++) {
    const tau = (k / oversampling - halfLengthSamples) / samplingRateHz;
    values[k] = Math.exp(-(tau * tau) / (2 * sigmaS * sigmaS)) * Math.cos(2 * Math.PI * centerFrequencyHz * tau);
  }
  return { values, oversampling, halfLengthSamples, sigmaS };
}
