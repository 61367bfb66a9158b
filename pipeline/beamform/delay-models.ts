/**
 * Delay models: when the transmitted wavefront reaches a pixel, and how long its echo takes
 * back to an element.
 *
 * Transmit: T_tx(p) = min over elements i of (delay_i + |p - e_i| / c). This is exact for any
 * delay law (plane, diverging, focused), because the per-element delays are the authoritative
 * description of a transmit (docs/probe-protocol.md); it is the model of the reference DAS.
 * Receive: |p - e| / c.
 *
 * @example
 *   const tx = transmitArrivalTimesS(pixelPositions(grid), elementGeometry(probe), frame.transmitDelaysS, frame.transmitCount, frame.soundSpeedMps);
 *   tx[t][p]  // seconds after the first element of transmit t fired
 */
import type { ElementGeometry } from './probe-geometry.js';

export interface PixelPositions {
  xM: ArrayLike<number>;
  zM: ArrayLike<number>;
}

/** T_tx for every transmit and pixel: result[t][p], seconds. Distances are computed once per pixel. */
export function transmitArrivalTimesS(
  pixels: PixelPositions,
  elements: ElementGeometry,
  transmitDelaysS: ArrayLike<number>,
  transmitCount: number,
  soundSpeedMps: number,
): Float64Array[] {
  const nP = pixels.xM.length;
  const nE = elements.count;
  if (transmitDelaysS.length !== transmitCount * nE) {
    throw new RangeError(`transmit delays: expected ${transmitCount}×${nE} values, got ${transmitDelaysS.length}`);
  }
  const out = Array.from({ length: transmitCount }, () => new Float64Array(nP));
  const rangeS = new Float64Array(nE);
  const invC = 1 / soundSpeedMps;
  for (let p = 0; p < nP; p++) {
    const x = pixels.xM[p]!;
    const z = pixels.zM[p]!;
    for (let e = 0; e < nE; e++) {
      const dx = x - elements.xM[e]!;
      const dz = z - elements.zM[e]!;
      rangeS[e] = Math.sqrt(dx * dx + dz * dz) * invC;
    }
    for (let t = 0; t < transmitCount; t++) {
      let b = Infinity;
      const off = t * nE;
      for (let e = 0; e < nE; e++) {
        const v = transmitDelaysS[off + e]! + rangeS[e]!;
        if (v < b) b = v;
      }
      out[t]![p] = b;
    }
  }
  return out;
}

/** Receive time from pixel (x, z) to element e. */
export function receiveTimeS(xM: number, zM: number, elements: ElementGeometry, e: number, soundSpeedMps: number): number {
  return Math.hypot(xM - elements.xM[e]!, zM - elements.zM[e]!) / soundSpeedMps;
}
