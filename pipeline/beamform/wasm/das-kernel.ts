/**
 * The delay-and-sum kernels in WebAssembly SIMD, four neighbouring pixels of a row at a time.
 *
 * Per group of 4 pixels and element e of their (union) aperture:
 *   rx = |p - e|·fs/c for the 4 pixels (one sqrt each, shared by every transmit); lanes whose
 *   own aperture excludes e get rx = 1e9, which the record test below rejects.
 * Per transmit t: pos = T_tx(p) + rx, valid = 0 <= pos <= S - 2 (the reference's record test);
 * an invalid lane's sample address is masked to 0, where the memory holds zeros. Then per lane
 * one 16-byte load A = two neighbouring complex samples [a0r, a0i, a1r, a1i], and:
 *
 *  - interpolation 'exact' (the reference method, as das.ts): carrier-phase I/Q at the
 *    probe's sampling rate; linear interpolation and phase rotation are two complex weights of
 *    the fraction, tabulated at 1/1024 sample: W1 = [w0r, w0r, w1r, w1r],
 *    W2 = [-w0i, w0i, -w1i, w1i]; acc += A·W1 + swap(A)·W2.
 *  - interpolation 'upsampled': the demodulator has already evaluated the exact method at
 *    half samples (demod-kernel.ts); the kernel interpolates linearly between those:
 *    acc += A·[1-g, 1-g, g, g]. Half the instructions per lane, 2× the I/Q memory; differs from
 *    the exact method by r ≈ 0.9997 (the phase of the carrier turns π/4 per half sample at
 *    fs = 4 fc, and a real linear interpolation shortens the phasor between samples). 4× would
 *    be closer (r > 0.99998) but its 4× memory made it slower than exact (docs/performance.md).
 *
 * Envelope = |(acc0 + acc2, acc1 + acc3)|. Positions are in units of the stored samples (the
 * arena scales T_tx, fs/c and S - 2 by the upsampling factor).
 *
 * The integer sample index comes from the float itself: t = pos - 0.5 + 2^23 holds
 * round(pos - 0.5) in its mantissa bits (a floor whose exact ties land one lower, leaving a
 * fraction of 1: still valid). V8 expands i32x4.trunc_sat to six instructions; this is two.
 *
 * Exports (header, rowStart, rowEnd):
 *   das_exact, das_upsampled               boxcar receive aperture
 *   das_exact_weighted, das_upsampled_weighted
 *     per-element weights from the window table (Hann, Tukey; none: 1) and, when
 *     header.energyOut is set, Σ_e |w·S_e|² per pixel for the coherence factor.
 */
import { FunctionBuilder, WasmModuleBuilder } from './assembler.js';
import { FRACTION_STEPS_WASM, H } from './layout.js';

export type KernelInterpolation = 'exact' | 'upsampled';

/** Stored I/Q samples per input sample with the 'upsampled' interpolation (even). */
export const UPSAMPLING = 2;

const OUT_OF_APERTURE = 1e9;
const MAGIC = 8388608;
const MAGIC_HALF = MAGIC - 0.5;
const MAGIC_BITS = 0x4b000000;

interface Locals {
  interpolation: KernelInterpolation;
  channelBytes: number;
  selected: number;
  selectedEnd: number;
  pOff: number;
  eOff: number;
  sel: number;
  wAddr: number;
  rx4: number;
  pos4: number;
  s0: number;
  g4: number;
  omg4: number;
  addrA: number;
  addrW: number;
  a: number;
  tab4: number;
  maxPos4: number;
}

function headerWord(f: FunctionBuilder, hdr: number, word: number, type: 'i32' | 'f32'): FunctionBuilder {
  return f.get(hdr).mem(type === 'i32' ? 'i32.load' : 'f32.load', 4 * word);
}

function splat4(f: FunctionBuilder, v: number): FunctionBuilder {
  return f.v128([v, v, v, v], 'f32');
}

/** One transmit (the header entry at local `sel`): its contribution to the lanes' accumulators. */
function emitTransmit(f: FunctionBuilder, L: Locals, targets: readonly number[]): void {
  f.get(L.sel).mem('i32.load', 0).get(L.pOff).op('i32.add').mem('v128.load').get(L.rx4).op('f32x4.add').tee(L.pos4);
  splat4(f, MAGIC_HALF).op('f32x4.add').set(L.s0);
  // the fraction g = pos - s0
  f.get(L.pos4).get(L.s0);
  splat4(f, MAGIC).op('f32x4.sub').op('f32x4.sub');
  if (L.interpolation === 'exact') {
    // weight address: bits(g·1024 + 2^23)·32 + (table - bits(2^23)·32) = table + 32·round(g·1024)
    splat4(f, FRACTION_STEPS_WASM).op('f32x4.mul');
    splat4(f, MAGIC).op('f32x4.add');
    f.i32(5).op('i32x4.shl').get(L.tab4).op('i32x4.add').set(L.addrW);
  } else {
    f.set(L.g4);
    splat4(f, 1).get(L.g4).op('f32x4.sub').set(L.omg4);
  }
  // sample address bits(t)·8 + (channel base - bits(2^23)·8), masked to 0 outside [0, S - 2]
  f.get(L.s0).i32(3).op('i32x4.shl');
  f.get(L.sel).mem('i32.load', 4).get(L.eOff).op('i32.add').i32(-MAGIC_BITS * 8).op('i32.add').op('i32x4.splat').op('i32x4.add');
  f.get(L.pos4);
  splat4(f, 0).op('f32x4.ge');
  f.get(L.pos4).get(L.maxPos4).op('f32x4.le').op('v128.and').op('v128.and').set(L.addrA);
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

/** The loop over the selected transmits (header list of [T_tx array, I/Q base]). */
function emitTransmits(f: FunctionBuilder, L: Locals, targets: readonly number[]): void {
  f.get(L.selected).set(L.sel);
  f.loop();
  emitTransmit(f, L, targets);
  f.get(L.sel).i32(8).op('i32.add').tee(L.sel).get(L.selectedEnd).op('i32.lt_u').brIf(0);
  f.end();
}

export function dasExportName(interpolation: KernelInterpolation, weighted: boolean): string {
  return `das_${interpolation}${weighted ? '_weighted' : ''}`;
}

function emitDas(m: WasmModuleBuilder, interpolation: KernelInterpolation, weighted: boolean): void {
  const f = m.func(dasExportName(interpolation, weighted), ['i32', 'i32', 'i32']);
  const hdr = 0;
  const rowStart = 1;
  const rowEnd = 2;
  const i32 = () => f.local('i32');
  const v128 = () => f.local('v128');
  const L: Locals = {
    interpolation,
    channelBytes: i32(),
    selected: i32(),
    selectedEnd: i32(),
    pOff: i32(),
    eOff: i32(),
    sel: i32(),
    wAddr: i32(),
    rx4: v128(),
    pos4: v128(),
    s0: v128(),
    g4: v128(),
    omg4: v128(),
    addrA: v128(),
    addrW: v128(),
    a: v128(),
    tab4: v128(),
    maxPos4: v128(),
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

  // Header → locals.
  headerWord(f, hdr, H.colStride, 'i32').set(colStride);
  headerWord(f, hdr, H.channelBytes, 'i32').set(L.channelBytes);
  headerWord(f, hdr, H.selected, 'i32').tee(L.selected);
  headerWord(f, hdr, H.selectedCount, 'i32').i32(3).op('i32.shl').op('i32.add').set(L.selectedEnd);
  headerWord(f, hdr, H.px, 'i32').set(px);
  headerWord(f, hdr, H.pz, 'i32').set(pz);
  headerWord(f, hdr, H.first, 'i32').set(first);
  headerWord(f, hdr, H.last, 'i32').set(last);
  headerWord(f, hdr, H.elementX, 'i32').set(ex);
  headerWord(f, hdr, H.elementZ, 'i32').set(ez);
  headerWord(f, hdr, H.out, 'i32').set(out);
  headerWord(f, hdr, H.groupFirst, 'i32').set(gFirst);
  headerWord(f, hdr, H.groupLast, 'i32').set(gLast);
  headerWord(f, hdr, H.table, 'i32').i32(-MAGIC_BITS * 32).op('i32.add').op('i32x4.splat').set(L.tab4);
  headerWord(f, hdr, H.samplesPerMetre, 'f32').op('f32x4.splat').set(k4);
  headerWord(f, hdr, H.maxPos, 'f32').op('f32x4.splat').set(L.maxPos4);
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
    f.loop();
    {
      // the group's pixel byte offset, and its index among groups
      f.get(row).get(colStride).op('i32.mul').get(g).op('i32.add').tee(gIdx).i32(2).op('i32.shl').set(L.pOff);
      f.get(gIdx).i32(2).op('i32.shr_u').set(gIdx);
      f.get(px).get(L.pOff).op('i32.add').mem('v128.load').set(px4);
      f.get(pz).get(L.pOff).op('i32.add').mem('v128.load').set(pz4);
      f.get(first).get(L.pOff).op('i32.add').mem('v128.load').set(first4);
      f.get(last).get(L.pOff).op('i32.add').mem('v128.load').set(last4);
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
        f.get(px4).get(ex).get(e).i32(2).op('i32.shl').op('i32.add').mem('v128.load32_splat').op('f32x4.sub').tee(d).get(d).op('f32x4.mul');
        f.get(pz4).get(ez).get(e).i32(2).op('i32.shl').op('i32.add').mem('v128.load32_splat').op('f32x4.sub').tee(d).get(d).op('f32x4.mul');
        f.op('f32x4.add').op('f32x4.sqrt').get(k4).op('f32x4.mul');
        splat4(f, OUT_OF_APERTURE);
        f.get(e).op('i32x4.splat').tee(e4).get(first4).op('i32x4.ge_s').get(e4).get(last4).op('i32x4.le_s').op('v128.and');
        f.op('v128.bitselect').set(L.rx4);
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
        f.get(L.eOff).get(L.channelBytes).op('i32.add').set(L.eOff);
        f.get(e).i32(1).op('i32.add').tee(e).get(eEnd).op('i32.le_s').brIf(0);
      }
      f.end();
      f.end();
      for (let l = 0; l < 4; l++) {
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
  }
}
