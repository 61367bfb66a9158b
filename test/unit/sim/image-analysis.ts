/**
 * Small image analyses for the physics tests: the kind of measurement a sonographer's eye or a
 * simple algorithm makes on a lung image (echo timing, B-lines by column intensity, M-mode
 * texture). Kept simple on purpose: they test the simulator, not themselves.
 */
import type { ScanGrid } from '../../../pipeline/beamform/grid.js';

/**
 * Sample positions (fractional) of the `count` strongest echoes of an RF line: the signal power
 * smoothed over about one carrier period (a symmetric window, so a zero-phase echo peaks at its
 * centre), with parabolic interpolation of the maximum.
 */
export function envelopePeaks(rf: ArrayLike<number>, count: number, halfWindow = 4): number[] {
  const n = rf.length;
  const power = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = -halfWindow; k <= halfWindow; k++) {
      const j = i + k;
      if (j < 0 || j >= n) continue;
      const w = 0.5 + 0.5 * Math.cos((Math.PI * k) / (halfWindow + 1));
      acc += w * rf[j]! * rf[j]!;
    }
    power[i] = acc;
  }
  const peaks: number[] = [];
  const used = new Uint8Array(n);
  for (let p = 0; p < count; p++) {
    let best = -1;
    let at = -1;
    for (let i = 1; i < n - 1; i++) if (!used[i] && power[i]! > best) [best, at] = [power[i]!, i];
    if (at < 0) break;
    const [a, b, c] = [power[at - 1]!, power[at]!, power[at + 1]!];
    const denom = a - 2 * b + c;
    peaks.push(at + (denom === 0 ? 0 : (0.5 * (a - c)) / denom));
    for (let i = Math.max(0, at - 20); i < Math.min(n, at + 20); i++) used[i] = 1;
  }
  return peaks;
}

/**
 * B-lines by column intensity on a polar (convex) envelope image: the mean dB level of each
 * scan line from 8 mm below the pleura to the bottom, lightly smoothed across lines. Lines more
 * than `thresholdDb` above the median line are B-line candidates; within a run of them, every
 * local maximum that stands `prominenceDb` above the dips that separate it from its neighbours
 * is one B-line, and a wide run without such dips — confluent B-lines — counts once. Returns the
 * scan-line angle of each.
 */
export function countBLines(envelope: Float32Array, grid: ScanGrid, pleuraDepthM: number, thresholdDb = 6, prominenceDb = 2): number[] {
  if (grid.kind !== 'polar') throw new RangeError('countBLines reads a polar (convex) image');
  const { rowCount: rows, colCount: cols } = grid;
  const dr = (grid.rMaxM - grid.rMinM) / (rows - 1);
  const first = Math.round((pleuraDepthM + 8e-3) / dr);
  const level = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    let acc = 0;
    for (let r = first; r < rows; r++) acc += 20 * Math.log10(envelope[r * cols + c]! + 1e-3);
    level[c] = acc / (rows - first);
  }
  const smooth = Float64Array.from(level, (_, c) => (level[Math.max(0, c - 1)]! + level[c]! + level[Math.min(cols - 1, c + 1)]!) / 3);
  // The outermost scan lines see the edge of the aperture: left out of the baseline and the search.
  const edge = 4;
  const inner = Array.from(smooth.subarray(edge, cols - edge)).sort((a, b) => a - b);
  const baseline = inner[Math.floor(inner.length / 2)]!;
  const dth = (grid.thetaMaxRad - grid.thetaMinRad) / (cols - 1);
  const found: number[] = [];
  for (let c = edge; c < cols - edge; ) {
    if (smooth[c]! <= baseline + thresholdDb) {
      c++;
      continue;
    }
    const start = c;
    while (c < cols - edge && smooth[c]! > baseline + thresholdDb) c++;
    const end = c; // run [start, end)
    // Local maxima, then keep those separated from the previous kept one by a dip of prominenceDb.
    const kept: number[] = [];
    for (let k = start; k < end; k++) {
      const left = k > start ? smooth[k - 1]! : -Infinity;
      const right = k < end - 1 ? smooth[k + 1]! : -Infinity;
      if (smooth[k]! < left || smooth[k]! < right) continue;
      const prev = kept.at(-1);
      if (prev === undefined) {
        kept.push(k);
        continue;
      }
      let dip = Infinity;
      for (let j = prev; j <= k; j++) dip = Math.min(dip, smooth[j]!);
      if (Math.min(smooth[prev]!, smooth[k]!) - dip >= prominenceDb) kept.push(k);
      else if (smooth[k]! > smooth[prev]!) kept[kept.length - 1] = k;
    }
    // A wide run with one maximum is a confluent region: report its middle.
    if (kept.length === 1 && end - start > 12) found.push(grid.thetaMinRad + ((start + end - 1) / 2) * dth);
    else for (const k of kept) found.push(grid.thetaMinRad + k * dth);
  }
  return found;
}

/**
 * Texture of an M-mode image (the envelope of one scan line over time): how much the pattern in
 * a band changes from one line to the next, as 1 − the correlation of consecutive lines' dB
 * profiles, each pair aligned by the best axial shift of up to ±`maxShiftM` (breathing and the
 * hand move everything up and down a little; that is not texture). Measured 2–12 mm below the
 * pleura and 2–12 mm above it. A sliding lung makes the band below the pleura grainy (seashore);
 * without sliding it stays as still as the chest wall (barcode / stratosphere sign).
 */
export function mModeTexture(lines: readonly Float32Array[], rowStepM: number, pleuraDepthM: number, maxShiftM = 0.4e-3): { below: number; above: number } {
  const shift = Math.round(maxShiftM / rowStepM);
  const db = lines.map((l) => Float64Array.from(l, (v) => 20 * Math.log10(v + 1e-6)));
  const correlation = (a: Float64Array, b: Float64Array, from: number, to: number, d: number): number => {
    let sa = 0;
    let sb = 0;
    let n = 0;
    for (let r = from; r <= to; r++) {
      sa += a[r]!;
      sb += b[r + d]!;
      n++;
    }
    const ma = sa / n;
    const mb = sb / n;
    let cov = 0;
    let va = 0;
    let vb = 0;
    for (let r = from; r <= to; r++) {
      const x = a[r]! - ma;
      const y = b[r + d]! - mb;
      cov += x * y;
      va += x * x;
      vb += y * y;
    }
    return cov / Math.sqrt(va * vb || 1);
  };
  const band = (fromM: number, toM: number): number => {
    const from = Math.round(fromM / rowStepM);
    const to = Math.round(toM / rowStepM);
    let acc = 0;
    for (let k = 1; k < db.length; k++) {
      let best = -1;
      for (let d = -shift; d <= shift; d++) best = Math.max(best, correlation(db[k - 1]!, db[k]!, from, to, d));
      acc += 1 - best;
    }
    return acc / (db.length - 1);
  };
  return { below: band(pleuraDepthM + 2e-3, pleuraDepthM + 12e-3), above: band(pleuraDepthM - 12e-3, pleuraDepthM - 2e-3) };
}
