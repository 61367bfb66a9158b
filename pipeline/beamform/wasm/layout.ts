/**
 * Where everything lives in the beamformer's WebAssembly memory, shared by the kernels (which
 * read the header) and the TypeScript that fills it (kernel-arena.ts). One header of 32-bit words
 * at a fixed address describes the current plan and frame; the kernels take only the header
 * address and their slice of the work.
 *
 * Fixed part (bytes):
 *   [0, 64)               zeros: the masked-out lanes of the DAS kernel read here
 *   [64, TABLE)           zeros (a guard below the weight table)
 *   [TABLE, +32·1025)     interpolation weights, 8 floats per fraction step (das-kernel.ts)
 *   [HEADER, +512)        header words (H.*)
 *   [CONTROL, +256)       work-queue counters for the threads (work-queue.ts)
 * Then the plan and frame regions, allocated by kernel-arena.ts, each 64-byte aligned.
 */

export const FRACTION_STEPS_WASM = 1024;
export const ZERO_BYTES = 64;
export const TABLE_ENTRY_BYTES = 32;
export const TABLE_OFFSET = ZERO_BYTES + TABLE_ENTRY_BYTES * FRACTION_STEPS_WASM;
export const TABLE_BYTES = TABLE_ENTRY_BYTES * (FRACTION_STEPS_WASM + 1);
export const HEADER_OFFSET = align64(TABLE_OFFSET + TABLE_BYTES);
export const HEADER_BYTES = 512;
export const CONTROL_OFFSET = HEADER_OFFSET + HEADER_BYTES;
export const CONTROL_BYTES = 256;
export const DYNAMIC_OFFSET = CONTROL_OFFSET + CONTROL_BYTES;

/** Header word indices (i32 unless marked f32). */
export const H = {
  colStride: 0,
  elementCount: 1,
  sampleCount: 2,
  selectedCount: 3,
  px: 4,
  pz: 5,
  first: 6,
  last: 7,
  /** nSel × [txArrayPtr, iqTransmitByteOffset] */
  selected: 8,
  elementX: 9,
  elementZ: 10,
  table: 11,
  out: 12,
  /** f32: fs / c */
  samplesPerMetre: 13,
  /** highest valid quantised position: U·(S - 2)·2^fractionBits (das-kernel.ts) */
  maxIndex: 14,
  centre: 15,
  invHalfWidth: 16,
  /** 0 for no window (all weights 1) */
  windowTable: 17,
  /** f32 */
  halfWindowSteps: 18,
  /** per-pixel incoherent energy Σ_e |w·S_e|² (0: not wanted) */
  energyOut: 19,
  groupFirst: 20,
  groupLast: 21,
  /** index of the zero entry at the end of the window table */
  windowZeroIndex: 22,
  // demodulation
  rf: 24,
  rfIsInt16: 25,
  mix: 26,
  rotation: 27,
  scratch: 28,
  scratchStride: 29,
  iq: 30,
  channelCount: 31,
  edge: 32,
  /** f32 b0..b5 */
  b: 33,
  /** f32 a1..a5 */
  a: 39,
  /** f32 zi0..zi4 */
  zi: 44,
  /** bytes per channel of stored I/Q: 8 × samples × upsampling */
  channelBytes: 49,
  /** f32, per k = 1..U-1 (U <= 4): w0r, w0i, w1r, w1i at fraction k/U (demod_upsampled) */
  upWeights: 50,
  /** positions are quantised to 1/2^fractionBits of a stored sample (<= 10) */
  fractionBits: 64,
  /** per image row: address of its first block in the delay table (0: no table) */
  rowTable: 66,
  /** delay-table bytes per (group, element): 16 × transmits */
  elementTableBytes: 67,
} as const;

export function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

export const WASM_PAGE_BYTES = 65536;
