/**
 * Delay-and-sum on I/Q channel data, the reference method (../shared/datasets/rf/README.md):
 * for pixel p, element e in its aperture, transmit t:
 *   τ = T_tx(p) + |p - e| / c
 *   v = lerp(IQ_t,e, (τ - t0)·fs) · exp(+2jπ fc τ)          (only if 0 <= (τ - t0)·fs <= S - 2)
 *   image(p) = Σ_t Σ_e w(p, e) · v                           (coherent compounding over t)
 *   envelope(p) = |image(p)|
 *
 * Implementation: the baseband IQ is first brought to carrier phase, IQc(s) = IQ(s)·exp(jω t_s)
 * (toCarrierPhase). With pos = s0 + f, the interpolation and rotation then collapse into two
 * complex weights that depend only on f:
 *   v = (1-f)·e^{jφf}·IQc(s0) + f·e^{jφ(f-1)}·IQc(s0+1),   φ = 2π fc / fs
 * tabulated at FRACTION_STEPS (plan.ts): no trigonometry in the per-pixel loop; the phase error
 * of the tabulation is at most φ / (2·FRACTION_STEPS) ≈ 0.8 mrad at fs = 4 fc.
 */
import { FRACTION_STEPS, WINDOW_STEPS, type DasPlan } from './plan.js';

/**
 * Rotates interleaved baseband I/Q of `channels` channels in place by exp(+jω t_s): the
 * phase reference the kernel expects. cos/sin tables hold ω t_s per sample.
 */
export function toCarrierPhase(iq: Float32Array, channels: number, sampleCount: number, cosTable: Float64Array, sinTable: Float64Array): void {
  for (let ch = 0; ch < channels; ch++) {
    const base = 2 * ch * sampleCount;
    for (let s = 0; s < sampleCount; s++) {
      const re = iq[base + 2 * s]!;
      const im = iq[base + 2 * s + 1]!;
      const c = cosTable[s]!;
      const sn = sinTable[s]!;
      iq[base + 2 * s] = re * c - im * sn;
      iq[base + 2 * s + 1] = re * sn + im * c;
    }
  }
}

export interface DasOutput {
  /** |Σ| per pixel, row-major like the grid. */
  envelope: Float32Array;
  /** Optional complex image, interleaved [re, im] per pixel. */
  complex?: Float32Array;
}

/**
 * Beamforms carrier-phase I/Q `[transmit][element][sample][re, im]` over the transmits in
 * `transmitIndices` (coherently compounded) into `out`.
 */
export function delayAndSum(plan: DasPlan, iq: Float32Array, sampleCount: number, transmitIndices: readonly number[], out: DasOutput): void {
  const nE = plan.elements.count;
  const ex = plan.elements.xM;
  const ez = plan.elements.zM;
  const xs = plan.xM;
  const zs = plan.zM;
  const first = plan.apertureFirst;
  const last = plan.apertureLast;
  const centre = plan.apertureCentreEl;
  const invHalf = plan.apertureInvHalfWidthEl;
  const win = plan.windowTable;
  const w = plan.interpolationWeights;
  const k = plan.samplesPerMetre;
  const maxPos = sampleCount - 2;
  const nT = transmitIndices.length;
  const txSamples = transmitIndices.map((t) => {
    const s = plan.transmitSamples[t];
    if (!s) throw new RangeError(`transmit ${t} is not in the plan (${plan.transmitSamples.length} transmits)`);
    return s;
  });
  const channelBase = Int32Array.from(transmitIndices, (t) => t * nE);
  const txPos = new Float64Array(nT);
  const env = out.envelope;
  const cplx = out.complex;
  const halfWin = WINDOW_STEPS / 2;

  for (let p = 0; p < plan.pixelCount; p++) {
    const px = xs[p]!;
    const pz = zs[p]!;
    for (let i = 0; i < nT; i++) txPos[i] = txSamples[i]![p]!;
    let sumRe = 0;
    let sumIm = 0;
    const e1 = last[p]!;
    for (let e = first[p]!; e <= e1; e++) {
      const dx = px - ex[e]!;
      const dz = pz - ez[e]!;
      const rx = Math.sqrt(dx * dx + dz * dz) * k;
      let wr = 0;
      let wi = 0;
      for (let i = 0; i < nT; i++) {
        const pos = txPos[i]! + rx;
        if (!(pos >= 0 && pos <= maxPos)) continue;
        const s0 = pos | 0;
        const q = (((pos - s0) * FRACTION_STEPS + 0.5) | 0) << 2;
        const base = ((channelBase[i]! + e) * sampleCount + s0) << 1;
        const a0r = iq[base]!;
        const a0i = iq[base + 1]!;
        const a1r = iq[base + 2]!;
        const a1i = iq[base + 3]!;
        const w0r = w[q]!;
        const w0i = w[q + 1]!;
        const w1r = w[q + 2]!;
        const w1i = w[q + 3]!;
        wr += w0r * a0r - w0i * a0i + w1r * a1r - w1i * a1i;
        wi += w0r * a0i + w0i * a0r + w1r * a1i + w1i * a1r;
      }
      if (win) {
        const u = (e - centre![p]!) * invHalf![p]!;
        const weight = u >= -1 && u <= 1 ? win[((u + 1) * halfWin + 0.5) | 0]! : 0;
        wr *= weight;
        wi *= weight;
      }
      sumRe += wr;
      sumIm += wi;
    }
    env[p] = Math.sqrt(sumRe * sumRe + sumIm * sumIm);
    if (cplx) {
      cplx[2 * p] = sumRe;
      cplx[2 * p + 1] = sumIm;
    }
  }
}
