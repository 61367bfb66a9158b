/**
 * The delay-and-sum kernels in WebAssembly SIMD, four neighbouring pixels of a row at a time.
 *
 * Per group of 4 pixels and element e of their (union) aperture, per transmit t, the lanes'
 * positions q = round((T_tx(p) + |p - e|·fs/c)·2^bits), in 1/2^bits of a stored sample
 * (bits = 10 unless the record is very long: kernel-arena.ts fractionBitsFor). They come from:
 *  - 'compute': per frame, one sqrt per (pixel, element) shared by every transmit; lanes whose
 *    own aperture excludes e get a receive distance of 1e9, beyond any record;
 *  - 'table': the plan's delay table, 4 bytes per (pixel, element, transmit), written once per
 *    plan by the 'fill' kernel (the same arithmetic, so both give the same image bit for bit).
 *    A frame then needs no square root and less address arithmetic: ~30 % less time per frame
 *    on the 256 × 512 display grid, for 52 MB of table (docs/performance.md).
 * The record test 0 <= q <= maxIndex (the reference's 0 <= pos <= S - 2, at the quantised
 * position) is one unsigned compare: a negative q wraps to a huge value. An invalid lane's
 * sample address is masked to 0, where the memory holds zeros. Per lane one 16-byte load
 * A = two neighbouring complex samples [a0r, a0i, a1r, a1i] at sample q >> bits, and with the
 * fraction q & (2^bits - 1):
 *
 *  - interpolation 'exact' (the reference method, as das.ts): carrier-phase I/Q at the
 *    probe's sampling rate; linear interpolation and phase rotation are two complex weights of
 *    the fraction, tabulated per 1/2^bits sample: W1 = [w0r, w0r, w1r, w1r],
 *    W2 = [-w0i, w0i, -w1i, w1i]; acc += A·W1 + swap(A)·W2.
 *  - interpolation 'upsampled': the demodulator has already evaluated the exact method at
 *    half samples (demod-kernel.ts); the kernel interpolates linearly between those:
 *    acc += A·[1-g, 1-g, g, g]. Half the instructions per lane, 2× the I/Q memory; differs from
 *    the exact method by r ≈ 0.9997 (the phase of the carrier turns π/4 per half sample at
 *    fs = 4 fc, and a real linear interpolation shortens the phasor between samples). 4× would
 *    be closer (r > 0.99998) but its 4× memory made it slower than exact (docs/performance.md).
 *
 * Envelope = |(acc0 + acc2, acc1 + acc3)|. Positions are in stored samples: the arena scales
 * T_tx, fs/c and S - 2 by the upsampling factor and by 2^bits.
 *
 * q comes from the float itself: pos + 2^23 holds round(pos) in its mantissa bits for
 * 0 <= pos < 2^23 (one add and one integer subtract; V8 expands i32x4.trunc_sat to six
 * instructions).
 *
 * Exports (header, rowStart, rowEnd):
 *   das_exact, das_upsampled               boxcar receive aperture
 *   das_exact_weighted, das_upsampled_weighted
 *     per-element weights from the window table (Hann, Tukey; none: 1) and, when
 *     header.energyOut is set, Σ_e |w·S_e|² per pixel for the coherence factor.
 *   each of these with the suffix _tabled: positions from the delay table
 *   das_table_fill                         writes the delay table of rows [rowStart, rowEnd)
 *                                          for every transmit in the header's list
 */
import { FunctionBuilder, WasmModuleBuilder } from './assembler.js';
import { H } from './layout.js';

export type KernelInterpolation = 'exact' | 'upsampled';

/** Stored I/Q samples per input sample with the 'upsampled' interpolation (even). */
export const UPSAMPLING = 2;

const OUT_OF_APERTURE = 1e9;
const MAGIC = 8388608;
const MAGIC_BITS = 0x4b000000;

/**
 * Where a kernel's positions come from: computed per frame ('compute': a square root per
 * (pixel, element)), read from the plan's delay table ('table'), or computed and written to
 * that table ('fill', once per plan).
 */
export type PositionSource = 'compute' | 'table' | 'fill';

interface Locals {
  interpolation: KernelInterpolation;
  source: PositionSource;
  tptr: number;
  channelBytes: number;
  selected: number;
  selectedEnd: number;
  pOff: number;
  eOff: number;
  sel: number;
  wAddr: number;
  rx4: number;
  q4: number;
  g4: number;
  omg4: number;
  addrA: number;
  addrW: number;
  a: number;
  tab4: number;
  maxIndex4: number;
  magicBits4: number;
  mask4: number;
  step4: number;
  fractionBits: number;
}

function headerWord(f: FunctionBuilder, hdr: number, word: number, type: 'i32' | 'f32'): FunctionBuilder {
  return f.get(hdr).mem(type === 'i32' ? 'i32.load' : 'f32.load', 4 * word);
}

function splat4(f: FunctionBuilder, v: number): FunctionBuilder {
  return f.v128([v, v, v, v], 'f32');
}

/**
 * One transmit (the header entry at local `sel`): its contribution to the lanes' accumulators.
 * pos = T_tx + rx is in units of 1/2^fractionBits stored sample; q = round(pos) comes from the
 * float's own mantissa (pos + 2^23 holds it for 0 <= pos < 2^23; V8 expands i32x4.trunc_sat to
 * six instructions, this is one add and one subtract). One unsigned compare is the record test
 * 0 <= q <= maxIndex: a negative q wraps to a huge unsigned value, and so do positions beyond the
 * record and the out-of-aperture lanes (rx = 1e9). The sample is q >> fractionBits, the fraction
 * q & (2^fractionBits - 1).
 */
function emitTransmit(f: FunctionBuilder, L: Locals, targets: readonly number[]): void {
  if (L.source === 'table') {
    f.get(L.tptr).get(L.sel).mem('i32.load', 8).op('i32.add').mem('v128.load').set(L.q4);
  } else {
    f.get(L.sel).mem('i32.load', 0).get(L.pOff).op('i32.add').mem('v128.load').get(L.rx4).op('f32x4.add');
    splat4(f, MAGIC).op('f32x4.add').get(L.magicBits4).op('i32x4.sub').set(L.q4);
    if (L.source === 'fill') {
      f.get(L.tptr).get(L.sel).mem('i32.load', 8).op('i32.add').get(L.q4).mem('v128.store');
      return;
    }
  }
  f.get(L.q4).get(L.maxIndex4).op('i32x4.le_u');
  // sample address (q >> bits)·8 + channel base, masked to 0 outside the record
  f.get(L.q4).get(L.fractionBits).op('i32x4.shr_u').i32(3).op('i32x4.shl');
  f.get(L.sel).mem('i32.load', 4).get(L.eOff).op('i32.add').op('i32x4.splat').op('i32x4.add');
  f.op('v128.and').set(L.addrA);
  f.get(L.q4).get(L.mask4).op('v128.and');
  if (L.interpolation === 'exact') {
    // weight address: table + 32·fraction
    f.i32(5).op('i32x4.shl').get(L.tab4).op('i32x4.add').set(L.addrW);
  } else {
    f.op('f32x4.convert_i32x4_s').get(L.step4).op('f32x4.mul').set(L.g4);
    splat4(f, 1).get(L.g4).op('f32x4.sub').set(L.omg4);
  }
  for (let l = 0; l < 4; l++) {
    const acc = targets[l]!;
    f.get(acc);
    f.get(L.addrA).lane('i32x4.extract_lane', l).mem('v128.load');
    if (L.interpolation === 'exact') {
      f.tee(L.a);
      f.get(L.addrW).lane('i32x4.extract_lane', l).tee(L.wAddr).mem('v128.load', 0).op('f32x4.mul').op('f32x4.add');
      f.get(L.a).get(L.a).shuffle32([1, 0, 3, 2]);
      f.get(L.wAddr).mem('v128.load', 16).op('f32x4.mul').op('f32x4.add');
    } else {
      f.get(L.omg4).get(L.g4).shuffle32([l, l, 4 + l, 4 + l]).op('f32x4.mul').op('f32x4.add');
    }
    f.set(acc);
  }
}

/** Bytes per entry of the header's transmit list: [T_tx array, I/Q base, delay-table offset]. */
export const SELECTED_ENTRY_BYTES = 12;

/** The loop over the selected transmits (the header's transmit list). */
function emitTransmits(f: FunctionBuilder, L: Locals, targets: readonly number[]): void {
  f.get(L.selected).set(L.sel);
  f.loop();
  emitTransmit(f, L, targets);
  f.get(L.sel).i32(SELECTED_ENTRY_BYTES).op('i32.add').tee(L.sel).get(L.selectedEnd).op('i32.lt_u').brIf(0);
  f.end();
}

export function dasExportName(interpolation: KernelInterpolation, weighted: boolean, tabled = false): string {
  return `das_${interpolation}${weighted ? '_weighted' : ''}${tabled ? '_tabled' : ''}`;
}

export const TABLE_FILL_EXPORT = 'das_table_fill';

function emitDas(m: WasmModuleBuilder, interpolation: KernelInterpolation, weighted: boolean, source: PositionSource = 'compute'): void {
  const name = source === 'fill' ? TABLE_FILL_EXPORT : dasExportName(interpolation, weighted, source === 'table');
  const f = m.func(name, ['i32', 'i32', 'i32']);
  const hdr = 0;
  const rowStart = 1;
  const rowEnd = 2;
  const i32 = () => f.local('i32');
  const v128 = () => f.local('v128');
  const L: Locals = {
    interpolation,
    source,
    tptr: i32(),
    channelBytes: i32(),
    selected: i32(),
    selectedEnd: i32(),
    pOff: i32(),
    eOff: i32(),
    sel: i32(),
    wAddr: i32(),
    rx4: v128(),
    q4: v128(),
    g4: v128(),
    omg4: v128(),
    addrA: v128(),
    addrW: v128(),
    a: v128(),
    tab4: v128(),
    maxIndex4: v128(),
    magicBits4: v128(),
    mask4: v128(),
    step4: v128(),
    fractionBits: i32(),
  };
  const colStride = i32();
  const row = i32();
  const g = i32();
  const e = i32();
  const eEnd = i32();
  const gIdx = i32();
  const px = i32();
  const pz = i32();
  const first = i32();
  const last = i32();
  const ex = i32();
  const ez = i32();
  const out = i32();
  const gFirst = i32();
  const gLast = i32();
  const k4 = v128();
  const px4 = v128();
  const pz4 = v128();
  const first4 = v128();
  const last4 = v128();
  const d = v128();
  const e4 = v128();
  const acc = [v128(), v128(), v128(), v128()];
  const v = v128();
  const tmp = weighted ? [v128(), v128(), v128(), v128()] : [];
  const en = weighted ? [v128(), v128(), v128(), v128()] : [];
  const W: WindowLocals | null = weighted
    ? { e, winTab: i32(), centre4: v128(), invHalf4: v128(), halfWin4: v128(), winTab4: v128(), winZero4: v128(), wgt4: v128(), wAddr4: v128() }
    : null;
  const energyOut = i32();
  const centrePtr = i32();
  const invHalfPtr = i32();
  const tw = v128();
  const rowTable = i32();
  const elementTableBytes = i32();

  // Header → locals.
  headerWord(f, hdr, H.colStride, 'i32').set(colStride);
  headerWord(f, hdr, H.channelBytes, 'i32').set(L.channelBytes);
  headerWord(f, hdr, H.selected, 'i32').tee(L.selected);
  headerWord(f, hdr, H.selectedCount, 'i32').i32(SELECTED_ENTRY_BYTES).op('i32.mul').op('i32.add').set(L.selectedEnd);
  headerWord(f, hdr, H.rowTable, 'i32').set(rowTable);
  headerWord(f, hdr, H.elementTableBytes, 'i32').set(elementTableBytes);
  headerWord(f, hdr, H.px, 'i32').set(px);
  headerWord(f, hdr, H.pz, 'i32').set(pz);
  headerWord(f, hdr, H.first, 'i32').set(first);
  headerWord(f, hdr, H.last, 'i32').set(last);
  headerWord(f, hdr, H.elementX, 'i32').set(ex);
  headerWord(f, hdr, H.elementZ, 'i32').set(ez);
  headerWord(f, hdr, H.out, 'i32').set(out);
  headerWord(f, hdr, H.groupFirst, 'i32').set(gFirst);
  headerWord(f, hdr, H.groupLast, 'i32').set(gLast);
  headerWord(f, hdr, H.table, 'i32').op('i32x4.splat').set(L.tab4);
  headerWord(f, hdr, H.samplesPerMetre, 'f32').op('f32x4.splat').set(k4);
  headerWord(f, hdr, H.maxIndex, 'i32').op('i32x4.splat').set(L.maxIndex4);
  f.i32(MAGIC_BITS).op('i32x4.splat').set(L.magicBits4);
  headerWord(f, hdr, H.fractionBits, 'i32').set(L.fractionBits);
  f.i32(1).get(L.fractionBits).op('i32.shl').i32(-1).op('i32.add').op('i32x4.splat').set(L.mask4);
  f.f32(1).i32(1).get(L.fractionBits).op('i32.shl').op('f32.convert_i32_s').op('f32.div').op('f32x4.splat').set(L.step4);
  if (W) {
    headerWord(f, hdr, H.windowTable, 'i32').tee(W.winTab).op('i32x4.splat').set(W.winTab4);
    headerWord(f, hdr, H.energyOut, 'i32').set(energyOut);
    headerWord(f, hdr, H.centre, 'i32').set(centrePtr);
    headerWord(f, hdr, H.invHalfWidth, 'i32').set(invHalfPtr);
    headerWord(f, hdr, H.halfWindowSteps, 'f32').op('f32x4.splat').set(W.halfWin4);
    f.get(W.winTab);
    headerWord(f, hdr, H.windowZeroIndex, 'i32').i32(2).op('i32.shl').op('i32.add').op('i32x4.splat').set(W.winZero4);
  }

  f.get(rowStart).set(row);
  f.block().get(row).get(rowEnd).op('i32.ge_s').brIf(0);
  f.loop();
  {
    f.i32(0).set(g);
    if (source !== 'compute') f.get(rowTable).get(row).i32(2).op('i32.shl').op('i32.add').mem('i32.load').set(L.tptr);
    f.loop();
    {
      // the group's pixel byte offset, and its index among groups
      f.get(row).get(colStride).op('i32.mul').get(g).op('i32.add').tee(gIdx).i32(2).op('i32.shl').set(L.pOff);
      f.get(gIdx).i32(2).op('i32.shr_u').set(gIdx);
      if (source !== 'table') {
        f.get(px).get(L.pOff).op('i32.add').mem('v128.load').set(px4);
        f.get(pz).get(L.pOff).op('i32.add').mem('v128.load').set(pz4);
        f.get(first).get(L.pOff).op('i32.add').mem('v128.load').set(first4);
        f.get(last).get(L.pOff).op('i32.add').mem('v128.load').set(last4);
      }
      if (W) {
        f.get(centrePtr).get(L.pOff).op('i32.add').mem('v128.load').set(W.centre4);
        f.get(invHalfPtr).get(L.pOff).op('i32.add').mem('v128.load').set(W.invHalf4);
      }
      for (const a of [...acc, ...en]) splat4(f, 0).set(a);
      f.get(gFirst).get(gIdx).i32(2).op('i32.shl').op('i32.add').mem('i32.load').set(e);
      f.get(gLast).get(gIdx).i32(2).op('i32.shl').op('i32.add').mem('i32.load').set(eEnd);
      f.get(e).get(L.channelBytes).op('i32.mul').set(L.eOff);
      f.block().get(e).get(eEnd).op('i32.gt_s').brIf(0);
      f.loop();
      {
        // rx = |p - e|·fs/c; lanes whose aperture excludes e are pushed beyond the record
        if (source !== 'table') {
          f.get(px4).get(ex).get(e).i32(2).op('i32.shl').op('i32.add').mem('v128.load32_splat').op('f32x4.sub').tee(d).get(d).op('f32x4.mul');
          f.get(pz4).get(ez).get(e).i32(2).op('i32.shl').op('i32.add').mem('v128.load32_splat').op('f32x4.sub').tee(d).get(d).op('f32x4.mul');
          f.op('f32x4.add').op('f32x4.sqrt').get(k4).op('f32x4.mul');
          splat4(f, OUT_OF_APERTURE);
          f.get(e).op('i32x4.splat').tee(e4).get(first4).op('i32x4.ge_s').get(e4).get(last4).op('i32x4.le_s').op('v128.and');
          f.op('v128.bitselect').set(L.rx4);
        }
        if (!W) {
          emitTransmits(f, L, acc);
        } else {
          for (const t of tmp) splat4(f, 0).set(t);
          emitTransmits(f, L, tmp);
          emitWindowWeights(f, W);
          for (let l = 0; l < 4; l++) {
            f.get(acc[l]!);
            f.get(tmp[l]!).get(W.wgt4).get(W.wgt4).shuffle32([l, l, l, l]).op('f32x4.mul').tee(tw);
            f.op('f32x4.add').set(acc[l]!);
            // |w·S_e|² in lanes 0 and 1 (re², im²)
            f.get(en[l]!).get(tw).get(tw).get(tw).shuffle32([2, 3, 0, 1]).op('f32x4.add').tee(v).get(v).op('f32x4.mul').op('f32x4.add').set(en[l]!);
          }
        }
        if (source !== 'compute') f.get(L.tptr).get(elementTableBytes).op('i32.add').set(L.tptr);
        f.get(L.eOff).get(L.channelBytes).op('i32.add').set(L.eOff);
        f.get(e).i32(1).op('i32.add').tee(e).get(eEnd).op('i32.le_s').brIf(0);
      }
      f.end();
      f.end();
      for (let l = 0; l < 4 && source !== 'fill'; l++) {
        f.get(out).get(L.pOff).op('i32.add');
        f.get(acc[l]!).get(acc[l]!).get(acc[l]!).shuffle32([2, 3, 0, 1]).op('f32x4.add').tee(v).get(v).op('f32x4.mul').tee(v);
        f.lane('f32x4.extract_lane', 0).get(v).lane('f32x4.extract_lane', 1).op('f32.add').op('f32.sqrt');
        f.mem('f32.store', 4 * l);
      }
      if (W) {
        f.get(energyOut).if();
        for (let l = 0; l < 4; l++) {
          f.get(energyOut).get(L.pOff).op('i32.add');
          f.get(en[l]!).lane('f32x4.extract_lane', 0).get(en[l]!).lane('f32x4.extract_lane', 1).op('f32.add');
          f.mem('f32.store', 4 * l);
        }
        f.end();
      }
      f.get(g).i32(4).op('i32.add').tee(g).get(colStride).op('i32.lt_s').brIf(0);
    }
    f.end();
    f.get(row).i32(1).op('i32.add').tee(row).get(rowEnd).op('i32.lt_s').brIf(0);
  }
  f.end();
  f.end();
}

interface WindowLocals {
  e: number;
  winTab: number;
  centre4: number;
  invHalf4: number;
  halfWin4: number;
  winTab4: number;
  winZero4: number;
  wgt4: number;
  wAddr4: number;
}

/**
 * Window weight of element e for the 4 pixels: u = (e - centre)/halfWidth, looked up in the
 * window table (entry round((u + 1)·halfSteps)); |u| > 1 reads the table's trailing zero.
 * Without a window table every weight is 1.
 */
function emitWindowWeights(f: FunctionBuilder, W: WindowLocals): void {
  f.get(W.winTab).op('i32.eqz').if();
  splat4(f, 1).set(W.wgt4);
  f.else();
  f.get(W.e).op('f32.convert_i32_s').op('f32x4.splat').get(W.centre4).op('f32x4.sub').get(W.invHalf4).op('f32x4.mul').tee(W.wgt4);
  splat4(f, 1).op('f32x4.add').get(W.halfWin4).op('f32x4.mul');
  splat4(f, 0.5).op('f32x4.add');
  f.op('i32x4.trunc_sat_f32x4_s').i32(2).op('i32x4.shl').get(W.winTab4).op('i32x4.add');
  f.get(W.winZero4);
  f.get(W.wgt4).op('f32x4.abs');
  splat4(f, 1).op('f32x4.le');
  f.op('v128.bitselect').set(W.wAddr4);
  splat4(f, 0).set(W.wgt4);
  for (let l = 0; l < 4; l++) {
    f.get(W.wAddr4).lane('i32x4.extract_lane', l).get(W.wgt4).memLane('v128.load32_lane', l).set(W.wgt4);
  }
  f.end();
}

export function addDasKernels(m: WasmModuleBuilder): void {
  for (const interpolation of ['exact', 'upsampled'] as const) {
    emitDas(m, interpolation, false);
    emitDas(m, interpolation, true);
    emitDas(m, interpolation, false, 'table');
    emitDas(m, interpolation, true, 'table');
  }
  emitDas(m, 'exact', false, 'fill');
}
