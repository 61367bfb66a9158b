/**
 * Per-element transmit delays of a TransmitSequence: what the simulated probe puts in
 * FrameRf.transmitDelaysS (`[transmit][element]`, minimum 0 per transmit, seconds).
 *
 * Diverging waves (virtual source v = (x_v, -h), h = apothem):
 *   delay_e = (|e - v| - min_j |e_j - v|) / c
 * Plane waves (steering angle a, MUST convention: positive a fires the right-most elements last):
 *   delay_e = (x_e sin a + z_e cos a) / c - min
 * The z term is 0 on a linear array (the usual x_e sin a / c); on a convex array it keeps the
 * wavefront plane, because the elements do not lie on one line.
 */
import type { TransmitSequence } from '../../protocol/messages.js';
import type { ElementGeometry } from '../../../pipeline/beamform/probe-geometry.js';

export function transmitDelaysS(elements: ElementGeometry, transmits: TransmitSequence, soundSpeedMps: number): Float32Array {
  const n = elements.count;
  const out = new Float32Array(transmits.parameters.length * n);
  const delays = new Float64Array(n);
  transmits.parameters.forEach((parameter, t) => {
    if (transmits.kind === 'diverging') {
      for (let e = 0; e < n; e++) delays[e] = Math.hypot(elements.xM[e]! - parameter, elements.zM[e]! + elements.apothemM);
    } else {
      const sa = Math.sin(parameter);
      const ca = Math.cos(parameter);
      for (let e = 0; e < n; e++) delays[e] = elements.xM[e]! * sa + elements.zM[e]! * ca;
    }
    let min = Infinity;
    for (let e = 0; e < n; e++) min = Math.min(min, delays[e]!);
    for (let e = 0; e < n; e++) out[t * n + e] = (delays[e]! - min) / soundSpeedMps;
  });
  return out;
}

/**
 * Distance from each transmit's virtual source to its nearest element (m): min_j |e_j - v| for
 * diverging waves, Infinity for plane waves. The RF model uses it for the 2-D cylindrical
 * spreading of a diverging wave, whose path length from v at point s is c·T_tx(s) + this.
 */
export function virtualSourceOffsetsM(elements: ElementGeometry, transmits: TransmitSequence): Float64Array {
  return Float64Array.from(transmits.parameters, (parameter) => {
    if (transmits.kind === 'plane') return Infinity;
    let min = Infinity;
    for (let e = 0; e < elements.count; e++) {
      min = Math.min(min, Math.hypot(elements.xM[e]! - parameter, elements.zM[e]! + elements.apothemM));
    }
    return min;
  });
}
