/**
 * Delay-and-sum as an ONNX graph, generated from a DasPlan (probe geometry, grid, transmit
 * delays, sampling), so that onnxruntime's GPU execution providers (CUDA, TensorRT on a
 * Jetson) can run the beamformer. The graph holds the geometry as initializers and takes the
 * carrier-phase I/Q of one frame (demodulated on the CPU, as for the other beamformers):
 *
 *   inputs   iq_re, iq_im      float32 [transmits·elements·samples]  (IQc, das.ts)
 *   output   envelope          float32 [rows, cols]
 *
 * With P pixels, A = the widest receive aperture (elements), T = the selected transmits:
 *   pos  = tx[T,P,1] + rx[1,P,A]              (fractional sample; rx = 1e9 past a pixel's aperture)
 *   valid= 0 <= pos <= S-2;  p = clip(pos);  s0 = floor(p);  f = p - s0
 *   a0   = gather(iq, tBase[T] + eBase[P,A] + s0),  a1 = the next sample
 *   v    = (1-f)e^{jφf}·a0 + f e^{jφ(f-1)}·a1       (das.ts, with exact cos/sin, φ = 2π fc/fs)
 *   sum over T and A of v·valid·w[P,A] (apodization), envelope = |sum|
 * Everything is a gather or an elementwise op plus one ReduceSum: no custom operators.
 *
 * Size: initializers of 3 × 4 bytes × P × A (rx, weights, element offsets) + 4 × T × P; the
 * 256 × 512 C5-2v display grid (A = 47) makes a ~75 MB model. Intermediate tensors are T × P × A.
 */
import { OnnxGraph } from '../../../models/onnx/onnx-builder.js';
import type { DasPlan } from '../plan.js';
import { WINDOW_STEPS } from '../plan.js';

/** ONNX TensorProto data types used in Cast. */
const FLOAT = 1;
const INT32 = 6;
const OUT_OF_APERTURE = 1e9;

export interface DasGraphShape {
  pixels: number;
  aperture: number;
  transmits: number;
  inputLength: number;
}

/** The widest receive aperture of the plan, in elements. */
export function maxAperture(plan: DasPlan): number {
  let a = 1;
  for (let p = 0; p < plan.pixelCount; p++) a = Math.max(a, plan.apertureLast[p]! - plan.apertureFirst[p]! + 1);
  return a;
}

/** The window weight of element e for pixel p, as das.ts applies it. */
function apodizationWeight(plan: DasPlan, p: number, e: number): number {
  const win = plan.windowTable;
  if (!win) return 1;
  const u = (e - plan.apertureCentreEl![p]!) * plan.apertureInvHalfWidthEl![p]!;
  return u >= -1 && u <= 1 ? win[Math.floor((u + 1) * (WINDOW_STEPS / 2) + 0.5)]! : 0;
}

export function buildDasGraph(plan: DasPlan, sampleCount: number, transmitIndices: readonly number[]): { model: Buffer; shape: DasGraphShape } {
  const P = plan.pixelCount;
  const A = maxAperture(plan);
  const T = transmitIndices.length;
  const E = plan.elements.count;
  const S = sampleCount;
  const inputLength = plan.inputs.transmitCount * E * S;
  if (inputLength >= 2 ** 31) throw new RangeError(`I/Q of ${inputLength} samples does not fit int32 gather indices`);

  const tx = new Float32Array(T * P);
  transmitIndices.forEach((t, k) => tx.set(plan.transmitSamples[t]!, k * P));
  const tBase = Int32Array.from(transmitIndices, (t) => t * E * S);
  const rx = new Float32Array(P * A);
  const weight = new Float32Array(P * A);
  const eBase = new Int32Array(P * A);
  for (let p = 0; p < P; p++) {
    const first = plan.apertureFirst[p]!;
    const last = plan.apertureLast[p]!;
    for (let a = 0; a < A; a++) {
      const e = Math.min(first + a, E - 1);
      const inside = first + a <= last;
      const dx = plan.xM[p]! - plan.elements.xM[e]!;
      const dz = plan.zM[p]! - plan.elements.zM[e]!;
      rx[p * A + a] = inside ? Math.sqrt(dx * dx + dz * dz) * plan.samplesPerMetre : OUT_OF_APERTURE;
      weight[p * A + a] = inside ? apodizationWeight(plan, p, e) : 0;
      eBase[p * A + a] = e * S;
    }
  }
  const phi = (2 * Math.PI * plan.inputs.centerFrequencyHz) / plan.inputs.samplingRateHz;
  const scalar = (name: string, v: number) => g.initializer(name, 'float32', [], new Float32Array([v]));

  const g = new OnnxGraph('pleura_das')
    .input('iq_re', 'float32', [inputLength])
    .input('iq_im', 'float32', [inputLength])
    .output('envelope', 'float32', [plan.grid.rowCount, plan.grid.colCount])
    .initializer('tx', 'float32', [T, P, 1], tx)
    .initializer('rx', 'float32', [1, P, A], rx)
    .initializer('weight', 'float32', [1, P, A], weight)
    .initializer('e_base', 'int32', [1, P, A], eBase)
    .initializer('t_base', 'int32', [T, 1, 1], tBase)
    .initializer('one_i', 'int32', [], new Int32Array([1]))
    .initializer('reduce_axes', 'int64', [2], new BigInt64Array([0n, 2n]))
    .initializer('image_shape', 'int64', [2], new BigInt64Array([BigInt(plan.grid.rowCount), BigInt(plan.grid.colCount)]));
  scalar('zero', 0);
  scalar('one', 1);
  scalar('max_pos', S - 2);
  scalar('phi', phi);

  g.node('Add', ['tx', 'rx'], ['pos'])
    .node('GreaterOrEqual', ['pos', 'zero'], ['ge'])
    .node('LessOrEqual', ['pos', 'max_pos'], ['le'])
    .node('And', ['ge', 'le'], ['valid'])
    .node('Cast', ['valid'], ['valid_f'], { to: FLOAT })
    .node('Mul', ['valid_f', 'weight'], ['w'])
    .node('Clip', ['pos', 'zero', 'max_pos'], ['p'])
    .node('Floor', ['p'], ['s0_f'])
    .node('Sub', ['p', 's0_f'], ['f'])
    .node('Cast', ['s0_f'], ['s0'], { to: INT32 })
    .node('Add', ['s0', 'e_base'], ['idx_e'])
    .node('Add', ['idx_e', 't_base'], ['idx0'])
    .node('Add', ['idx0', 'one_i'], ['idx1']);
  for (const [part, input] of [['re', 'iq_re'], ['im', 'iq_im']] as const) {
    g.node('Gather', [input, 'idx0'], [`a0_${part}`], { axis: 0 }).node('Gather', [input, 'idx1'], [`a1_${part}`], { axis: 0 });
  }
  // Interpolation and rotation weights: w0 = (1-f)e^{jφf}, w1 = f e^{jφ(f-1)}.
  g.node('Mul', ['f', 'phi'], ['ph0'])
    .node('Sub', ['ph0', 'phi'], ['ph1'])
    .node('Sub', ['one', 'f'], ['omf'])
    .node('Cos', ['ph0'], ['c0'])
    .node('Sin', ['ph0'], ['s0n'])
    .node('Cos', ['ph1'], ['c1'])
    .node('Sin', ['ph1'], ['s1n'])
    .node('Mul', ['omf', 'c0'], ['w0r'])
    .node('Mul', ['omf', 's0n'], ['w0i'])
    .node('Mul', ['f', 'c1'], ['w1r'])
    .node('Mul', ['f', 's1n'], ['w1i']);
  // v = w0·a0 + w1·a1 (complex)
  const mul = (a: string, b: string, out: string) => g.node('Mul', [a, b], [out]);
  mul('w0r', 'a0_re', 'rr0').node('Mul', ['w0i', 'a0_im'], ['ii0']).node('Sub', ['rr0', 'ii0'], ['re0']);
  mul('w1r', 'a1_re', 'rr1').node('Mul', ['w1i', 'a1_im'], ['ii1']).node('Sub', ['rr1', 'ii1'], ['re1']);
  mul('w0r', 'a0_im', 'ri0').node('Mul', ['w0i', 'a0_re'], ['ir0']).node('Add', ['ri0', 'ir0'], ['im0']);
  mul('w1r', 'a1_im', 'ri1').node('Mul', ['w1i', 'a1_re'], ['ir1']).node('Add', ['ri1', 'ir1'], ['im1']);
  g.node('Add', ['re0', 're1'], ['v_re'])
    .node('Add', ['im0', 'im1'], ['v_im'])
    .node('Mul', ['v_re', 'w'], ['vw_re'])
    .node('Mul', ['v_im', 'w'], ['vw_im'])
    .node('ReduceSum', ['vw_re', 'reduce_axes'], ['sum_re'], { keepdims: 0 })
    .node('ReduceSum', ['vw_im', 'reduce_axes'], ['sum_im'], { keepdims: 0 })
    .node('Mul', ['sum_re', 'sum_re'], ['re2'])
    .node('Mul', ['sum_im', 'sum_im'], ['im2'])
    .node('Add', ['re2', 'im2'], ['mag2'])
    .node('Sqrt', ['mag2'], ['mag'])
    .node('Reshape', ['mag', 'image_shape'], ['envelope']);
  const model = g.toModel({ producer: 'pleura', docString: `delay-and-sum, ${plan.grid.kind} grid ${plan.grid.rowCount}×${plan.grid.colCount}, ${T} transmit(s), aperture ≤ ${A}` });
  return { model, shape: { pixels: P, aperture: A, transmits: T, inputLength } };
}
