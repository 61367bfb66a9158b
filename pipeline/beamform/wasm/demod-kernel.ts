/**
 * RF → carrier-phase I/Q in WebAssembly SIMD, the method of iq.ts (PyMUST rf2iq: mix to
 * baseband, 5th-order Butterworth filtfilt with scipy's odd extension and lfilter_zi start),
 * followed by the rotation to carrier phase that the DAS kernel expects (das.ts, toCarrierPhase)
 * and the factor 2:
 *   IQc(s) = 2 · filtfilt(RF · e^{-jωt})(s) · e^{+jωt_s}
 *
 * Four channels per call, as two f32x4 vectors [re_a, im_a, re_b, im_b] filtered in the same
 * loop: the recursive filter is latency-bound, so two independent chains keep the core busy.
 * Float32 state; the filter (Wn = 0.5 at fs = 4 fc) is well conditioned, and the result stays
 * within ~1e-6 of the float64 reference (test/unit/beamform/fast-das.test.ts).
 *
 *   demod(header, quad, thread): channels 4·quad .. 4·quad+3 (clamped to the last channel), in
 *   the thread's scratch area.
 */
import { FunctionBuilder, WasmModuleBuilder } from './assembler.js';
import { H } from './layout.js';
import { UPSAMPLING } from './das-kernel.js';

interface Filter {
  b: number[];
  a: number[];
  zi: number[];
}

interface Chain {
  buf: number;
  z: number[];
}

function hword(f: FunctionBuilder, hdr: number, word: number, type: 'i32' | 'f32'): FunctionBuilder {
  return f.get(hdr).mem(type === 'i32' ? 'i32.load' : 'f32.load', 4 * word);
}

/** One direct-form-II-transposed step on the vector at byte address `addr` (a local); returns y in `y`. */
function step(f: FunctionBuilder, F: Filter, c: Chain, addr: number, x: number, y: number, store: boolean): void {
  f.get(addr).mem('v128.load').set(x);
  f.get(F.b[0]!).get(x).op('f32x4.mul').get(c.z[0]!).op('f32x4.add').set(y);
  if (store) f.get(addr).get(y).mem('v128.store');
  for (let k = 0; k < 4; k++) {
    f.get(F.b[k + 1]!).get(x).op('f32x4.mul').get(c.z[k + 1]!).op('f32x4.add');
    f.get(F.a[k]!).get(y).op('f32x4.mul').op('f32x4.sub').set(c.z[k]!);
  }
  f.get(F.b[5]!).get(x).op('f32x4.mul').get(F.a[4]!).get(y).op('f32x4.mul').op('f32x4.sub').set(c.z[4]!);
}

/** z = zi · (vector at addr): the steady state for a step of that size (scipy lfilter_zi · x[0]). */
function initState(f: FunctionBuilder, F: Filter, c: Chain, addr: number, x: number): void {
  f.get(addr).mem('v128.load').set(x);
  for (let k = 0; k < 5; k++) f.get(F.zi[k]!).get(x).op('f32x4.mul').set(c.z[k]!);
}

/**
 * `demod` writes IQc at the sampling rate; `demod_upsampled` writes it at UPSAMPLING× the rate,
 * each sample s + k/U being the reference's own value there: linear interpolation of the
 * baseband I/Q and rotation, i.e. w0_k·IQc(s) + w1_k·IQc(s+1) with the complex weights of
 * das.ts at f = k/U (header H.upWeights). The DAS kernel then interpolates between those.
 */
export function addDemodKernels(m: WasmModuleBuilder): void {
  addDemodKernel(m, 1);
  addDemodKernel(m, UPSAMPLING);
}

function addDemodKernel(m: WasmModuleBuilder, upsampling: number): void {
  const f = m.func(upsampling === 1 ? 'demod' : 'demod_upsampled', ['i32', 'i32', 'i32']);
  const hdr = 0;
  const quad = 1;
  const thread = 2;
  const i32 = () => f.local('i32');
  const v128 = () => f.local('v128');
  const S = i32();
  const edge = i32();
  const len = i32();
  const rf = i32();
  const mix = i32();
  const rot = i32();
  const iq = i32();
  const bufX = i32();
  const bufY = i32();
  const ch = [i32(), i32(), i32(), i32()];
  const rp = [i32(), i32(), i32(), i32()];
  const op = [i32(), i32(), i32(), i32()];
  const s = i32();
  const k = i32();
  const ax = i32();
  const ay = i32();
  const aux = i32();
  const r1 = f.local('f32');
  const F: Filter = {
    b: [v128(), v128(), v128(), v128(), v128(), v128()],
    a: [v128(), v128(), v128(), v128(), v128()],
    zi: [v128(), v128(), v128(), v128(), v128()],
  };
  const X: Chain = { buf: bufX, z: [v128(), v128(), v128(), v128(), v128()] };
  const Y: Chain = { buf: bufY, z: [v128(), v128(), v128(), v128(), v128()] };
  const x = v128();
  const y = v128();
  const first = v128();
  const last = v128();
  const o = v128();
  // upsampling: per k = 1..U-1 the weights [w0r]×4, [-w0i, w0i]×2, [w1r]×4, [-w1i, w1i]×2
  const up = Array.from({ length: upsampling - 1 }, () => ({ c0: v128(), s0: v128(), c1: v128(), s1: v128() }));
  const prev = upsampling > 1 ? [v128(), v128()] : [];
  const fine = Array.from({ length: upsampling }, () => v128());

  hword(f, hdr, H.sampleCount, 'i32').set(S);
  hword(f, hdr, H.edge, 'i32').set(edge);
  f.get(S).get(edge).i32(1).op('i32.shl').op('i32.add').set(len);
  hword(f, hdr, H.rf, 'i32').set(rf);
  hword(f, hdr, H.mix, 'i32').set(mix);
  hword(f, hdr, H.rotation, 'i32').set(rot);
  hword(f, hdr, H.iq, 'i32').set(iq);
  hword(f, hdr, H.scratch, 'i32');
  hword(f, hdr, H.scratchStride, 'i32').get(thread).op('i32.mul').op('i32.add').tee(bufX);
  f.get(len).i32(4).op('i32.shl').op('i32.add').set(bufY);
  for (let j = 0; j < 6; j++) hword(f, hdr, H.b + j, 'f32').op('f32x4.splat').set(F.b[j]!);
  for (let j = 0; j < 5; j++) hword(f, hdr, H.a + j, 'f32').op('f32x4.splat').set(F.a[j]!);
  for (let j = 0; j < 5; j++) hword(f, hdr, H.zi + j, 'f32').op('f32x4.splat').set(F.zi[j]!);
  up.forEach((w, j) => {
    const word = H.upWeights + 4 * j;
    hword(f, hdr, word, 'f32').op('f32x4.splat').set(w.c0);
    hword(f, hdr, word + 1, 'f32').op('f32x4.splat').v128([-1, 1, -1, 1], 'f32').op('f32x4.mul').set(w.s0);
    hword(f, hdr, word + 2, 'f32').op('f32x4.splat').set(w.c1);
    hword(f, hdr, word + 3, 'f32').op('f32x4.splat').v128([-1, 1, -1, 1], 'f32').op('f32x4.mul').set(w.s1);
  });
  for (const p of prev) f.v128([0, 0, 0, 0], 'f32').set(p);
  // channels, clamped to the last one (a partial quad recomputes it, writing the same values)
  for (let j = 0; j < 4; j++) {
    f.get(quad).i32(2).op('i32.shl').i32(j).op('i32.add').tee(aux);
    hword(f, hdr, H.channelCount, 'i32').i32(1).op('i32.sub').tee(k);
    f.get(aux).get(k).op('i32.lt_s').op('select').set(ch[j]!);
  }

  // 1. Mix to baseband into [edge, edge + S) of both buffers.
  const emitMix = (int16: boolean) => {
    const bytes = int16 ? 1 : 2; // log2 of the sample size
    for (let j = 0; j < 4; j++) f.get(ch[j]!).get(S).op('i32.mul').i32(bytes).op('i32.shl').get(rf).op('i32.add').set(rp[j]!);
    f.get(bufX).get(edge).i32(4).op('i32.shl').op('i32.add').set(ax);
    f.get(bufY).get(edge).i32(4).op('i32.shl').op('i32.add').set(ay);
    f.get(mix).set(aux);
    f.i32(0).set(s);
    f.loop();
    const load = (j: number) => {
      f.get(rp[j]!);
      if (int16) f.mem('i32.load16_s').op('f32.convert_i32_s');
      else f.mem('f32.load');
    };
    for (const [pair, addr] of [[0, ax], [2, ay]] as const) {
      load(pair + 1);
      f.set(r1);
      f.get(addr);
      load(pair);
      f.op('f32x4.splat').get(r1).lane('f32x4.replace_lane', 2).get(r1).lane('f32x4.replace_lane', 3);
      f.get(aux).mem('v128.load').op('f32x4.mul').mem('v128.store');
    }
    for (let j = 0; j < 4; j++) f.get(rp[j]!).i32(1 << bytes).op('i32.add').set(rp[j]!);
    f.get(ax).i32(16).op('i32.add').set(ax);
    f.get(ay).i32(16).op('i32.add').set(ay);
    f.get(aux).i32(16).op('i32.add').set(aux);
    f.get(s).i32(1).op('i32.add').tee(s).get(S).op('i32.lt_s').brIf(0);
    f.end();
  };
  hword(f, hdr, H.rfIsInt16, 'i32').if();
  emitMix(true);
  f.else();
  emitMix(false);
  f.end();

  // 2. Odd extension (scipy odd_ext): x[edge-k] = 2x[edge] - x[edge+k], same at the end.
  for (const buf of [bufX, bufY]) {
    f.get(buf).get(edge).i32(4).op('i32.shl').op('i32.add').mem('v128.load').set(first);
    f.get(buf).get(edge).get(S).op('i32.add').i32(1).op('i32.sub').i32(4).op('i32.shl').op('i32.add').mem('v128.load').set(last);
    f.i32(1).set(k);
    f.loop();
    // start side
    f.get(buf).get(edge).get(k).op('i32.sub').i32(4).op('i32.shl').op('i32.add');
    f.get(first).get(first).op('f32x4.add');
    f.get(buf).get(edge).get(k).op('i32.add').i32(4).op('i32.shl').op('i32.add').mem('v128.load').op('f32x4.sub').mem('v128.store');
    // end side
    f.get(buf).get(edge).get(S).op('i32.add').i32(1).op('i32.sub').get(k).op('i32.add').i32(4).op('i32.shl').op('i32.add');
    f.get(last).get(last).op('f32x4.add');
    f.get(buf).get(edge).get(S).op('i32.add').i32(1).op('i32.sub').get(k).op('i32.sub').i32(4).op('i32.shl').op('i32.add').mem('v128.load');
    f.op('f32x4.sub').mem('v128.store');
    f.get(k).i32(1).op('i32.add').tee(k).get(edge).op('i32.le_s').brIf(0);
    f.end();
  }

  // 3. Forward pass over the whole extended signal, in place.
  f.get(bufX).set(ax);
  f.get(bufY).set(ay);
  initState(f, F, X, ax, x);
  initState(f, F, Y, ay, x);
  f.get(bufX).get(len).i32(4).op('i32.shl').op('i32.add').set(aux);
  f.loop();
  step(f, F, X, ax, x, y, true);
  step(f, F, Y, ay, x, y, true);
  f.get(ay).i32(16).op('i32.add').set(ay);
  f.get(ax).i32(16).op('i32.add').tee(ax).get(aux).op('i32.lt_u').brIf(0);
  f.end();

  // 4. Backward pass from the end; only [edge, edge + S) is kept, rotated to carrier phase.
  f.get(bufX).get(len).i32(1).op('i32.sub').i32(4).op('i32.shl').op('i32.add').set(ax);
  f.get(bufY).get(len).i32(1).op('i32.sub').i32(4).op('i32.shl').op('i32.add').set(ay);
  initState(f, F, X, ax, x);
  initState(f, F, Y, ay, x);
  // the tail (edge samples after the record): filter only
  f.i32(0).set(k);
  f.loop();
  step(f, F, X, ax, x, y, false);
  step(f, F, Y, ay, x, y, false);
  f.get(ax).i32(16).op('i32.sub').set(ax);
  f.get(ay).i32(16).op('i32.sub').set(ay);
  f.get(k).i32(1).op('i32.add').tee(k).get(edge).op('i32.lt_s').brIf(0);
  f.end();
  // the record: s = S-1 .. 0; channel j's output pointer at its sample S-1 (U values per sample)
  const sampleBytes = 8 * upsampling;
  for (let j = 0; j < 4; j++) {
    f.get(ch[j]!).get(S).op('i32.mul').get(S).op('i32.add').i32(1).op('i32.sub').i32(sampleBytes).op('i32.mul').get(iq).op('i32.add').set(op[j]!);
  }
  f.get(S).i32(1).op('i32.sub').set(s);
  f.loop();
  f.get(rot).get(s).i32(5).op('i32.shl').op('i32.add').set(aux);
  for (const [c, pair] of [[X, 0], [Y, 2]] as const) {
    step(f, F, c, c === X ? ax : ay, x, y, false);
    f.get(y).get(aux).mem('v128.load').op('f32x4.mul');
    f.get(y).get(y).shuffle32([1, 0, 3, 2]).get(aux).mem('v128.load', 16).op('f32x4.mul').op('f32x4.add').set(o);
    if (upsampling === 1) {
      f.get(op[pair]!).get(o).memLane('v128.store64_lane', 0);
      f.get(op[pair + 1]!).get(o).memLane('v128.store64_lane', 1);
      continue;
    }
    // fine samples s + k/U from o = IQc(s) and p = IQc(s + 1) (the previous iteration)
    const p = prev[pair / 2]!;
    f.get(o).set(fine[0]!);
    up.forEach((w, j) => {
      f.get(o).get(w.c0).op('f32x4.mul');
      f.get(o).get(o).shuffle32([1, 0, 3, 2]).get(w.s0).op('f32x4.mul').op('f32x4.add');
      f.get(p).get(w.c1).op('f32x4.mul').op('f32x4.add');
      f.get(p).get(p).shuffle32([1, 0, 3, 2]).get(w.s1).op('f32x4.mul').op('f32x4.add');
      f.set(fine[j + 1]!);
    });
    f.get(o).set(p);
    // channel a: lanes 0-1 of each fine sample, channel b: lanes 2-3; 16 bytes = 2 fine samples
    for (const [chan, lanes] of [[pair, [0, 1, 4, 5]], [pair + 1, [2, 3, 6, 7]]] as const) {
      for (let k = 0; k < upsampling; k += 2) {
        f.get(op[chan]!).get(fine[k]!).get(fine[k + 1]!).shuffle32(lanes as unknown as [number, number, number, number]).mem('v128.store', 8 * k);
      }
    }
  }
  for (let j = 0; j < 4; j++) f.get(op[j]!).i32(sampleBytes).op('i32.sub').set(op[j]!);
  f.get(ax).i32(16).op('i32.sub').set(ax);
  f.get(ay).i32(16).op('i32.sub').set(ay);
  f.get(s).i32(1).op('i32.sub').tee(s).i32(0).op('i32.ge_s').brIf(0);
  f.end();
}
