/**
 * RF → I/Q demodulation, the reference method (PyMUST rf2iq):
 *   IQ = 2 · filtfilt(butter(5, Wn), RF · exp(-2jπ fc t)),   Wn = min(2 fc / fs, 0.5)
 * (Wn normalised to Nyquist; t = t0 + s / fs is the time of sample s). A 5th-order Butterworth
 * low-pass run forward and backward (zero phase, so echoes are not shifted), with scipy's
 * filtfilt edge handling (odd extension of 3·6 samples, lfilter_zi initial state), so channel
 * data that match the reference datasets demodulate to the same I/Q up to rounding.
 * Chosen over a short FIR for conformance with the reference; docs/beamforming.md has the cost.
 *
 * @example
 *   const demod = new IqDemodulator(sampleCount, fs, fc, t0);
 *   demod.demodulate(frame.samples, channel * sampleCount, iq, channel * sampleCount * 2);
 */

/** Transfer-function coefficients, a[0] = 1. */
export interface IirFilter {
  b: Float64Array;
  a: Float64Array;
}

/** Multiplies out Π (x - root) for complex roots [re, im] into real polynomial coefficients. */
function polyFromRoots(rootsRe: number[], rootsIm: number[]): Float64Array {
  let re = [1];
  let im = [0];
  for (let k = 0; k < rootsRe.length; k++) {
    const nRe = new Array<number>(re.length + 1).fill(0);
    const nIm = new Array<number>(re.length + 1).fill(0);
    for (let i = 0; i < re.length; i++) {
      nRe[i]! += re[i]!;
      nIm[i]! += im[i]!;
      // - root · coefficient, shifted by one power
      nRe[i + 1]! -= re[i]! * rootsRe[k]! - im[i]! * rootsIm[k]!;
      nIm[i + 1]! -= re[i]! * rootsIm[k]! + im[i]! * rootsRe[k]!;
    }
    re = nRe;
    im = nIm;
  }
  return Float64Array.from(re); // conjugate pairs: imaginary parts cancel
}

/**
 * Digital Butterworth low-pass, as scipy.signal.butter(order, wn): analog prototype poles,
 * pre-warped cut-off, bilinear transform (zeros at z = -1).
 * @param wn cut-off normalised to Nyquist, 0 < wn < 1
 */
export function butterworthLowPass(order: number, wn: number): IirFilter {
  if (!(wn > 0 && wn < 1)) throw new RangeError(`Butterworth cut-off must be in (0, 1) of Nyquist, got ${wn}`);
  const warped = 4 * Math.tan((Math.PI * wn) / 2); // 2·fs·tan(π wn / fs) with fs = 2
  const pzRe: number[] = [];
  const pzIm: number[] = [];
  let gainRe = warped ** order;
  let gainIm = 0;
  for (let m = -order + 1; m < order; m += 2) {
    // analog pole -exp(jπ m / 2N), scaled to the warped cut-off
    const pRe = -Math.cos((Math.PI * m) / (2 * order)) * warped;
    const pIm = -Math.sin((Math.PI * m) / (2 * order)) * warped;
    // bilinear: z = (4 + p) / (4 - p); gain /= (4 - p)
    const dRe = 4 - pRe;
    const dIm = -pIm;
    const den = dRe * dRe + dIm * dIm;
    const nRe = 4 + pRe;
    const nIm = pIm;
    pzRe.push((nRe * dRe + nIm * dIm) / den);
    pzIm.push((nIm * dRe - nRe * dIm) / den);
    const gRe = (gainRe * dRe + gainIm * dIm) / den;
    const gIm = (gainIm * dRe - gainRe * dIm) / den;
    gainRe = gRe;
    gainIm = gIm;
  }
  const zeros = new Array<number>(order).fill(-1);
  const b = polyFromRoots(zeros, new Array<number>(order).fill(0)).map((v) => v * gainRe);
  const a = polyFromRoots(pzRe, pzIm);
  return { b, a };
}

/** Steady-state initial state of a direct-form-II-transposed filter for a unit step (scipy lfilter_zi). */
export function lfilterZi({ b, a }: IirFilter): Float64Array {
  const n = a.length - 1;
  let sumB = 0;
  let sumA = 0;
  for (let i = 0; i <= n; i++) {
    sumB += b[i]!;
    sumA += a[i]!;
  }
  const dc = sumB / sumA;
  const zi = new Float64Array(n);
  zi[n - 1] = b[n]! - a[n]! * dc;
  for (let i = n - 2; i >= 0; i--) zi[i] = b[i + 1]! - a[i + 1]! * dc + zi[i + 1]!;
  return zi;
}

export class IqDemodulator {
  readonly filter: IirFilter;
  private readonly zi: Float64Array;
  private readonly edge: number;
  private readonly mixCos: Float64Array;
  private readonly mixSin: Float64Array;
  private readonly extRe: Float64Array;
  private readonly extIm: Float64Array;

  constructor(
    readonly sampleCount: number,
    samplingRateHz: number,
    centerFrequencyHz: number,
    t0S: number,
    order = 5,
  ) {
    this.filter = butterworthLowPass(order, Math.min((2 * centerFrequencyHz) / samplingRateHz, 0.5));
    this.zi = lfilterZi(this.filter);
    this.edge = 3 * this.filter.a.length;
    if (sampleCount <= this.edge) {
      throw new RangeError(`I/Q demodulation needs more than ${this.edge} samples per channel, got ${sampleCount}`);
    }
    this.mixCos = new Float64Array(sampleCount);
    this.mixSin = new Float64Array(sampleCount);
    for (let s = 0; s < sampleCount; s++) {
      const phase = 2 * Math.PI * centerFrequencyHz * (t0S + s / samplingRateHz);
      this.mixCos[s] = Math.cos(phase);
      this.mixSin[s] = Math.sin(phase);
    }
    this.extRe = new Float64Array(sampleCount + 2 * this.edge);
    this.extIm = new Float64Array(sampleCount + 2 * this.edge);
  }

  /**
   * Demodulates one channel, rf[rfOffset .. rfOffset + sampleCount), into interleaved baseband
   * I/Q: out[outOffset + 2s] = I(s), out[outOffset + 2s + 1] = Q(s).
   */
  demodulate(rf: ArrayLike<number>, rfOffset: number, out: Float32Array | Float64Array, outOffset: number): void {
    const n = this.sampleCount;
    const edge = this.edge;
    const re = this.extRe;
    const im = this.extIm;
    // Mix to baseband: RF · exp(-jωt).
    for (let s = 0; s < n; s++) {
      const v = rf[rfOffset + s]!;
      re[edge + s] = v * this.mixCos[s]!;
      im[edge + s] = -v * this.mixSin[s]!;
    }
    oddExtend(re, n, edge);
    oddExtend(im, n, edge);
    this.filterForward(re);
    this.filterForward(im);
    re.reverse();
    im.reverse();
    this.filterForward(re);
    this.filterForward(im);
    // The arrays are reversed: sample s sits at index (n + 2·edge - 1) - (edge + s).
    const last = n + edge - 1;
    for (let s = 0; s < n; s++) {
      out[outOffset + 2 * s] = 2 * re[last - s]!;
      out[outOffset + 2 * s + 1] = 2 * im[last - s]!;
    }
  }

  /** In-place lfilter (direct form II transposed) with the steady-state initial state scaled by x[0]. */
  private filterForward(x: Float64Array): void {
    const { b, a } = this.filter;
    const order = a.length - 1;
    if (order === 5) {
      filter5(x, b, a, this.zi);
      return;
    }
    const z = Float64Array.from(this.zi, (v) => v * x[0]!);
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      const y = b[0]! * xi + z[0]!;
      for (let k = 0; k < order - 1; k++) z[k] = b[k + 1]! * xi + z[k + 1]! - a[k + 1]! * y;
      z[order - 1] = b[order]! * xi - a[order]! * y;
      x[i] = y;
    }
  }
}

/** scipy odd_ext in place: x has `edge` free slots on each side of its n samples. */
function oddExtend(x: Float64Array, n: number, edge: number): void {
  const first = x[edge]!;
  const last = x[edge + n - 1]!;
  for (let k = 1; k <= edge; k++) {
    x[edge - k] = 2 * first - x[edge + k]!;
    x[edge + n - 1 + k] = 2 * last - x[edge + n - 1 - k]!;
  }
}

/** The order-5 case unrolled (the default; about 3× faster than the generic loop). */
function filter5(x: Float64Array, b: Float64Array, a: Float64Array, zi: Float64Array): void {
  const b0 = b[0]!, b1 = b[1]!, b2 = b[2]!, b3 = b[3]!, b4 = b[4]!, b5 = b[5]!;
  const a1 = a[1]!, a2 = a[2]!, a3 = a[3]!, a4 = a[4]!, a5 = a[5]!;
  const x0 = x[0]!;
  let z0 = zi[0]! * x0, z1 = zi[1]! * x0, z2 = zi[2]! * x0, z3 = zi[3]! * x0, z4 = zi[4]! * x0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const y = b0 * xi + z0;
    z0 = b1 * xi + z1 - a1 * y;
    z1 = b2 * xi + z2 - a2 * y;
    z2 = b3 * xi + z3 - a3 * y;
    z3 = b4 * xi + z4 - a4 * y;
    z4 = b5 * xi - a5 * y;
    x[i] = y;
  }
}
