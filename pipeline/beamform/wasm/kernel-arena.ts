/**
 * The kernels' memory: one shared WebAssembly.Memory holding a DasPlan in the layout the kernels
 * read (layout.ts), the frame's RF, the I/Q, per-thread scratch and the output. Filled from
 * TypeScript between frames; read by the kernels on every thread.
 *
 * Memory, bounded and computed up front (`layout`, before the memory grows): per pixel (rows × columns
 * padded to 4) 4 bytes × (6 + transmits) for positions, aperture bounds, window centre and
 * width, T_tx per transmit, plus envelope and energy outputs; per RF sample 4 bytes of RF and
 * 8 bytes of complex I/Q, ×2 with the 'upsampled' interpolation; per thread 32 bytes ×
 * (samples + 36) of scratch; and, when it fits the caller's budget, the delay table: 16 bytes ×
 * transmits per (group of 4 pixels, element of the group's union aperture), i.e. ~4 bytes per
 * (pixel, element, transmit), laid out row by row with an index of each row's first block.
 * docs/performance.md has the numbers.
 */
import type { DasPlan } from '../plan.js';
import { WINDOW_STEPS } from '../plan.js';
import { butterworthLowPass, lfilterZi } from '../iq.js';
import { MAX_MEMORY_PAGES } from './kernel-module.js';
import { SELECTED_ENTRY_BYTES, UPSAMPLING, type KernelInterpolation } from './das-kernel.js';
import { CONTROL_OFFSET, DYNAMIC_OFFSET, FRACTION_STEPS_WASM, H, HEADER_OFFSET, TABLE_OFFSET, WASM_PAGE_BYTES, align64 } from './layout.js';

export interface ArenaShape {
  /** Stored I/Q samples per input sample: 1 ('exact') or UPSAMPLING ('upsampled'). */
  upsampling: number;
  rows: number;
  cols: number;
  colStride: number;
  elementCount: number;
  transmitCount: number;
  sampleCount: number;
  /** Bytes of the delay table (0: positions computed per frame). */
  delayTableBytes: number;
}

interface Regions {
  px: number;
  pz: number;
  first: number;
  last: number;
  centre: number;
  invHalf: number;
  tx: number[];
  groupFirst: number;
  groupLast: number;
  elementX: number;
  elementZ: number;
  windowTable: number;
  selected: number;
  rowTable: number;
  delayTable: number;
  quads: number;
  mix: number;
  rotation: number;
  rf: number;
  iq: number;
  scratch: number;
  scratchStride: number;
  out: number;
  energy: number;
  end: number;
}

export class ArenaCapacityError extends Error {
  override name = 'ArenaCapacityError';
}

const FILTER_ORDER = 5;

export class KernelArena {
  readonly memory: WebAssembly.Memory;
  shape: ArenaShape | null = null;
  private regions: Regions | null = null;
  private plan: DasPlan | null = null;
  private quadCount = 0;

  constructor(memory?: WebAssembly.Memory) {
    this.memory = memory ?? new WebAssembly.Memory({ initial: Math.ceil(DYNAMIC_OFFSET / WASM_PAGE_BYTES), maximum: MAX_MEMORY_PAGES, shared: true });
  }

  get headerAddress(): number {
    return HEADER_OFFSET;
  }

  get controlAddress(): number {
    return CONTROL_OFFSET;
  }

  get demodItems(): number {
    return this.quadCount;
  }

  private static layout(s: ArenaShape, threads: number): Regions {
    let at = DYNAMIC_OFFSET;
    const take = (bytes: number) => {
      const start = at;
      at = align64(at + bytes);
      return start;
    };
    const pixels = s.rows * s.colStride * 4;
    const groups = (s.rows * s.colStride) / 4 * 4;
    const channels = s.transmitCount * s.elementCount;
    const edge = 3 * (FILTER_ORDER + 1);
    const scratchStride = align64(2 * (s.sampleCount + 2 * edge) * 16);
    return {
      px: take(pixels),
      pz: take(pixels),
      first: take(pixels),
      last: take(pixels),
      centre: take(pixels),
      invHalf: take(pixels),
      tx: Array.from({ length: s.transmitCount }, () => take(pixels)),
      groupFirst: take(groups),
      groupLast: take(groups),
      elementX: take(4 * s.elementCount),
      elementZ: take(4 * s.elementCount),
      windowTable: take(4 * (WINDOW_STEPS + 2)),
      selected: take(SELECTED_ENTRY_BYTES * s.transmitCount),
      rowTable: take(4 * s.rows),
      delayTable: take(s.delayTableBytes),
      quads: take(4 * (Math.ceil(channels / 4) + s.transmitCount)),
      mix: take(16 * s.sampleCount),
      rotation: take(32 * s.sampleCount),
      rf: take(4 * channels * s.sampleCount),
      iq: take(8 * channels * s.sampleCount * s.upsampling),
      scratch: take(scratchStride * threads),
      scratchStride,
      out: take(pixels),
      energy: take(pixels),
      end: at,
    };
  }

  private ensureBytes(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / WASM_PAGE_BYTES);
    if (have / WASM_PAGE_BYTES + pages > MAX_MEMORY_PAGES) {
      throw new ArenaCapacityError(`beamformer memory: ${(bytes / 2 ** 20).toFixed(0)} MiB needed, at most ${(MAX_MEMORY_PAGES * WASM_PAGE_BYTES) / 2 ** 20} MiB; use a smaller grid or fewer samples`);
    }
    this.memory.grow(pages);
  }

  private f32(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }

  private i32(): Int32Array {
    return new Int32Array(this.memory.buffer);
  }

  /**
   * Writes a plan (pixel geometry, apertures, T_tx, windows) and the demodulator for
   * `sampleCount`. With a delay table of at most `delayTableMaxBytes` (0: none), the table's
   * row index is laid out here and `tabled` is set; the caller then fills the table with the
   * fill kernel after `prepareTableFill()`.
   */
  loadPlan(plan: DasPlan, sampleCount: number, threads: number, interpolation: KernelInterpolation, delayTableMaxBytes = 0): void {
    const rows = plan.grid.rowCount;
    const cols = plan.grid.colCount;
    const U = interpolation === 'exact' ? 1 : UPSAMPLING;
    const colStride = Math.ceil(cols / 4) * 4;
    const unions = unionApertures(plan, colStride);
    const blockBytes = 16 * plan.inputs.transmitCount;
    const tableBytes = unions.blocks * blockBytes;
    const tabled = delayTableMaxBytes > 0 && tableBytes <= delayTableMaxBytes;
    const shape: ArenaShape = { upsampling: U, rows, cols, colStride, elementCount: plan.elements.count, transmitCount: plan.inputs.transmitCount, sampleCount, delayTableBytes: tabled ? tableBytes : 0 };
    const bits = fractionBitsFor(U * sampleCount);
    // positions in 1/2^bits of a stored sample
    const scale = U * 2 ** bits;
    const r = KernelArena.layout(shape, threads);
    this.ensureBytes(r.end);
    const f32 = this.f32();
    const i32 = this.i32();
    const stride = shape.colStride;
    // Masked lanes read [0, 64) and the guard below the table: keep them zero.
    f32.fill(0, 0, TABLE_OFFSET / 4);
    writeWeightTable(f32, plan, 2 ** bits);
    for (let row = 0; row < rows; row++) {
      for (let c = 0; c < stride; c++) {
        const q = (row * stride + c) * 4;
        const p = row * cols + c;
        const real = c < cols;
        f32[(r.px + q) / 4] = real ? plan.xM[p]! : 0;
        f32[(r.pz + q) / 4] = real ? plan.zM[p]! : 0;
        i32[(r.first + q) / 4] = real ? plan.apertureFirst[p]! : 0;
        i32[(r.last + q) / 4] = real ? plan.apertureLast[p]! : -1;
        f32[(r.centre + q) / 4] = real && plan.apertureCentreEl ? plan.apertureCentreEl[p]! : 0;
        f32[(r.invHalf + q) / 4] = real && plan.apertureInvHalfWidthEl ? plan.apertureInvHalfWidthEl[p]! : 0;
        for (let t = 0; t < shape.transmitCount; t++) f32[(r.tx[t]! + q) / 4] = real ? scale * plan.transmitSamples[t]![p]! : 0;
      }
    }
    i32.set(unions.first, r.groupFirst / 4);
    i32.set(unions.last, r.groupLast / 4);
    // the delay table: blocks of (group, element in the group's union aperture), row by row
    let at = r.delayTable;
    for (let row = 0; row < rows; row++) {
      i32[r.rowTable / 4 + row] = at;
      for (let g = 0; g < stride / 4; g++) {
        const gi = (row * stride) / 4 + g;
        at += Math.max(0, unions.last[gi]! - unions.first[gi]! + 1) * blockBytes;
      }
    }
    for (let e = 0; e < shape.elementCount; e++) {
      f32[r.elementX / 4 + e] = plan.elements.xM[e]!;
      f32[r.elementZ / 4 + e] = plan.elements.zM[e]!;
    }
    if (plan.windowTable) {
      f32.set(plan.windowTable, r.windowTable / 4);
      f32[r.windowTable / 4 + WINDOW_STEPS + 1] = 0;
    }
    this.writeDemodulator(r, shape, plan);

    const h = HEADER_OFFSET / 4;
    i32[h + H.colStride] = stride;
    i32[h + H.elementCount] = shape.elementCount;
    i32[h + H.sampleCount] = sampleCount;
    i32[h + H.px] = r.px;
    i32[h + H.pz] = r.pz;
    i32[h + H.first] = r.first;
    i32[h + H.last] = r.last;
    i32[h + H.selected] = r.selected;
    i32[h + H.elementX] = r.elementX;
    i32[h + H.elementZ] = r.elementZ;
    i32[h + H.table] = TABLE_OFFSET;
    i32[h + H.out] = r.out;
    f32[h + H.samplesPerMetre] = scale * plan.samplesPerMetre;
    i32[h + H.maxIndex] = scale * (sampleCount - 2);
    i32[h + H.fractionBits] = bits;
    i32[h + H.rowTable] = r.rowTable;
    i32[h + H.elementTableBytes] = blockBytes;
    i32[h + H.channelBytes] = 8 * sampleCount * U;
    i32[h + H.centre] = r.centre;
    i32[h + H.invHalfWidth] = r.invHalf;
    i32[h + H.windowTable] = plan.windowTable ? r.windowTable : 0;
    f32[h + H.halfWindowSteps] = WINDOW_STEPS / 2;
    i32[h + H.energyOut] = 0;
    i32[h + H.groupFirst] = r.groupFirst;
    i32[h + H.groupLast] = r.groupLast;
    i32[h + H.windowZeroIndex] = WINDOW_STEPS + 1;
    i32[h + H.rf] = r.rf;
    i32[h + H.mix] = r.mix;
    i32[h + H.rotation] = r.rotation;
    i32[h + H.scratch] = r.scratch;
    i32[h + H.scratchStride] = r.scratchStride;
    i32[h + H.iq] = r.iq;
    i32[h + H.channelCount] = shape.transmitCount * shape.elementCount;
    this.shape = shape;
    this.regions = r;
    this.plan = plan;
  }

  private writeDemodulator(r: Regions, shape: ArenaShape, plan: DasPlan): void {
    const f32 = this.f32();
    const i32 = this.i32();
    const { samplingRateHz: fs, centerFrequencyHz: fc, t0S } = plan.inputs;
    for (let s = 0; s < shape.sampleCount; s++) {
      const phase = 2 * Math.PI * fc * (t0S + s / fs);
      const c = Math.cos(phase);
      const sn = Math.sin(phase);
      f32.set([c, -sn, c, -sn], (r.mix + 16 * s) / 4);
      // factor 2 of rf2iq folded into the rotation to carrier phase
      f32.set([2 * c, 2 * c, 2 * c, 2 * c, -2 * sn, 2 * sn, -2 * sn, 2 * sn], (r.rotation + 32 * s) / 4);
    }
    const filter = butterworthLowPass(FILTER_ORDER, Math.min((2 * fc) / fs, 0.5));
    const zi = lfilterZi(filter);
    const h = HEADER_OFFSET / 4;
    i32[h + H.edge] = 3 * (FILTER_ORDER + 1);
    for (let k = 0; k <= FILTER_ORDER; k++) f32[h + H.b + k] = filter.b[k]!;
    for (let k = 1; k <= FILTER_ORDER; k++) f32[h + H.a + k - 1] = filter.a[k]!;
    for (let k = 0; k < FILTER_ORDER; k++) f32[h + H.zi + k] = zi[k]!;
    // demod_upsampled: das.ts's complex weights at fractions k/U
    const phi = (2 * Math.PI * fc) / fs;
    for (let k = 1; k < UPSAMPLING; k++) {
      const fr = k / UPSAMPLING;
      f32.set([(1 - fr) * Math.cos(phi * fr), (1 - fr) * Math.sin(phi * fr), fr * Math.cos(phi * (fr - 1)), fr * Math.sin(phi * (fr - 1))], h + H.upWeights + 4 * (k - 1));
    }
  }

  /**
   * Copies one frame's RF `[transmit][element][sample]` and selects the transmits to compound;
   * only their channels are demodulated.
   */
  loadFrame(samples: Int16Array | Float32Array, selected: readonly number[], wantEnergy: boolean): void {
    const shape = this.shape;
    const r = this.regions;
    if (!shape || !r) throw new Error('KernelArena.loadFrame before loadPlan');
    const n = shape.transmitCount * shape.elementCount * shape.sampleCount;
    if (samples.length !== n) throw new RangeError(`frame has ${samples.length} samples, the plan expects ${n}`);
    const bytes = new Uint8Array(this.memory.buffer, r.rf, samples.byteLength);
    bytes.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
    const i32 = this.i32();
    const h = HEADER_OFFSET / 4;
    i32[h + H.rfIsInt16] = samples instanceof Int16Array ? 1 : 0;
    this.selectTransmits(selected);
    i32[h + H.energyOut] = wantEnergy ? r.energy : 0;
    // Demodulation work: the quads of channels of the selected transmits.
    // A quad straddling two transmits is listed (and computed) twice, harmlessly.
    let q = 0;
    for (const t of selected) {
      const firstQuad = Math.floor((t * shape.elementCount) / 4);
      const lastQuad = Math.floor(((t + 1) * shape.elementCount - 1) / 4);
      for (let k = firstQuad; k <= lastQuad; k++) i32[r.quads / 4 + q++] = k;
    }
    this.quadCount = q;
  }

  get tabled(): boolean {
    return (this.shape?.delayTableBytes ?? 0) > 0;
  }

  /** Selects every transmit, as the fill kernel needs (it writes all of a block's transmits). */
  prepareTableFill(): void {
    const shape = this.shape;
    if (!shape) throw new Error('KernelArena.prepareTableFill before loadPlan');
    this.selectTransmits(Array.from({ length: shape.transmitCount }, (_, t) => t));
  }

  /** The header's transmit list: per entry [T_tx array, I/Q base, offset in a delay-table block]. */
  private selectTransmits(selected: readonly number[]): void {
    const shape = this.shape!;
    const r = this.regions!;
    const i32 = this.i32();
    const channelBytes = 8 * shape.elementCount * shape.sampleCount * shape.upsampling;
    const w = SELECTED_ENTRY_BYTES / 4;
    selected.forEach((t, k) => {
      i32[r.selected / 4 + w * k] = r.tx[t]!;
      i32[r.selected / 4 + w * k + 1] = r.iq + t * channelBytes;
      i32[r.selected / 4 + w * k + 2] = 16 * t;
    });
    i32[HEADER_OFFSET / 4 + H.selectedCount] = selected.length;
  }

  /** The demodulation work item `i` (a quad of channels). */
  quadAt(i: number): number {
    return this.i32()[this.regions!.quads / 4 + i]!;
  }

  get quadListAddress(): number {
    return this.regions?.quads ?? 0;
  }

  /** Copies the envelope (and the incoherent energy, when asked for) out as `[row][column]`. */
  readOutput(envelope: Float32Array, energy?: Float32Array): void {
    const shape = this.shape;
    const r = this.regions;
    if (!shape || !r) throw new Error('KernelArena.readOutput before loadPlan');
    const f32 = this.f32();
    for (let row = 0; row < shape.rows; row++) {
      const from = (r.out / 4) + row * shape.colStride;
      envelope.set(f32.subarray(from, from + shape.cols), row * shape.cols);
      if (energy) {
        const e = (r.energy / 4) + row * shape.colStride;
        energy.set(f32.subarray(e, e + shape.cols), row * shape.cols);
      }
    }
  }

  get loadedPlan(): DasPlan | null {
    return this.plan;
  }
}

/**
 * Per group of 4 pixels of a row (padded to `colStride`), the union of their receive apertures
 * (first > last: empty), and the number of (group, element) pairs over all groups.
 */
function unionApertures(plan: DasPlan, colStride: number): { first: Int32Array; last: Int32Array; blocks: number } {
  const rows = plan.grid.rowCount;
  const cols = plan.grid.colCount;
  const groups = (rows * colStride) / 4;
  const first = new Int32Array(groups);
  const last = new Int32Array(groups);
  let blocks = 0;
  for (let row = 0; row < rows; row++) {
    for (let g = 0; g < colStride / 4; g++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let l = 0; l < 4; l++) {
        const c = 4 * g + l;
        if (c >= cols) continue;
        const p = row * cols + c;
        if (plan.apertureLast[p]! < plan.apertureFirst[p]!) continue;
        lo = Math.min(lo, plan.apertureFirst[p]!);
        hi = Math.max(hi, plan.apertureLast[p]!);
      }
      const gi = (row * colStride) / 4 + g;
      first[gi] = Number.isFinite(lo) ? lo : 0;
      last[gi] = Number.isFinite(hi) ? hi : -1;
      blocks += Math.max(0, last[gi]! - first[gi]! + 1);
    }
  }
  return { first, last, blocks };
}

/**
 * The kernel's position resolution, 1/2^bits of a stored sample: 1/1024 (FRACTION_STEPS_WASM),
 * or coarser when positions up to `storedSamples`·2^bits would not stay below 2^23, where the
 * float-to-integer rounding of das-kernel.ts holds.
 */
export function fractionBitsFor(storedSamples: number): number {
  let bits = Math.log2(FRACTION_STEPS_WASM);
  while (bits > 0 && storedSamples * 2 ** bits >= 2 ** 23) bits--;
  if (storedSamples >= 2 ** 23) throw new ArenaCapacityError(`beamformer: ${storedSamples} stored samples per channel, at most ${2 ** 23 - 1}`);
  return bits;
}

/**
 * Interpolation and phase-rotation weights (das.ts) laid out for the kernel: entry q (fraction
 * q/steps) holds W1 = [w0r, w0r, w1r, w1r] and W2 = [-w0i, w0i, -w1i, w1i].
 */
function writeWeightTable(f32: Float32Array, plan: DasPlan, steps: number): void {
  const phi = (2 * Math.PI * plan.inputs.centerFrequencyHz) / plan.inputs.samplingRateHz;
  for (let q = 0; q <= steps; q++) {
    const f = q / steps;
    const w0r = (1 - f) * Math.cos(phi * f);
    const w0i = (1 - f) * Math.sin(phi * f);
    const w1r = f * Math.cos(phi * (f - 1));
    const w1i = f * Math.sin(phi * (f - 1));
    f32.set([w0r, w0r, w1r, w1r, -w0i, w0i, -w1i, w1i], (TABLE_OFFSET + 32 * q) / 4);
  }
}
