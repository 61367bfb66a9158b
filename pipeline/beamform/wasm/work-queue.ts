/**
 * How the calling thread and the beamform worker threads share one frame, through counters in
 * the kernels' shared memory (layout.ts CONTROL). Work is claimed with Atomics.add, so a thread
 * slowed by something else on its core simply takes fewer items:
 *   1. demodulation, one quad of channels per item;
 *   2. every thread waits until all demodulation items are done (DAS reads every channel);
 *   3. delay-and-sum, one chunk of image rows per item.
 * The caller starts a frame by bumping SEQ (waking the workers), works itself, and returns
 * when the last row chunk is done. A worker that wakes late finds the counters exhausted.
 */
import { dasFunction, demodFunction, type KernelExports } from './kernel-module.js';
import { CONTROL_OFFSET, HEADER_OFFSET } from './layout.js';

export const C = {
  seq: 0,
  stop: 1,
  demodNext: 2,
  demodCount: 3,
  demodDone: 4,
  rowNext: 5,
  chunkCount: 6,
  chunksDone: 7,
  rowsPerChunk: 8,
  rows: 9,
  weighted: 10,
  quads: 11,
  failed: 12,
  upsampled: 13,
  tabled: 14,
} as const;
export const CONTROL_WORDS = 16;

export class BeamformWorkerError extends Error {
  override name = 'BeamformWorkerError';
}

export function controlView(memory: WebAssembly.Memory): Int32Array {
  return new Int32Array(memory.buffer, CONTROL_OFFSET, CONTROL_WORDS);
}

function waitFor(ctl: Int32Array, word: number, target: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = Atomics.load(ctl, word);
    if (v >= target) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(ctl, word, v, Math.min(left, 100));
  }
}

/** This thread's share of the current frame (the caller is thread 0). */
export function runShare(memory: WebAssembly.Memory, kernels: KernelExports, thread: number): void {
  const ctl = controlView(memory);
  const demodCount = Atomics.load(ctl, C.demodCount);
  const interpolation = Atomics.load(ctl, C.upsampled) ? 'upsampled' : 'exact';
  const demod = demodFunction(kernels, interpolation);
  const quads = new Int32Array(memory.buffer, Atomics.load(ctl, C.quads), Math.max(1, demodCount));
  for (;;) {
    const i = Atomics.add(ctl, C.demodNext, 1);
    if (i >= demodCount) break;
    try {
      demod(HEADER_OFFSET, quads[i]!, thread);
    } catch (err) {
      Atomics.store(ctl, C.failed, 1);
      throw err;
    } finally {
      if (Atomics.add(ctl, C.demodDone, 1) + 1 >= demodCount) Atomics.notify(ctl, C.demodDone);
    }
  }
  if (!waitFor(ctl, C.demodDone, demodCount, 5000)) {
    Atomics.store(ctl, C.failed, 1);
    throw new BeamformWorkerError('demodulation did not finish within 5 s on the other threads');
  }
  const chunks = Atomics.load(ctl, C.chunkCount);
  const perChunk = Atomics.load(ctl, C.rowsPerChunk);
  const rows = Atomics.load(ctl, C.rows);
  const das = dasFunction(kernels, interpolation, Atomics.load(ctl, C.weighted) === 1, Atomics.load(ctl, C.tabled) === 1);
  for (;;) {
    const c = Atomics.add(ctl, C.rowNext, 1);
    if (c >= chunks) break;
    try {
      das(HEADER_OFFSET, c * perChunk, Math.min(rows, (c + 1) * perChunk));
    } catch (err) {
      Atomics.store(ctl, C.failed, 1);
      throw err;
    } finally {
      if (Atomics.add(ctl, C.chunksDone, 1) + 1 >= chunks) Atomics.notify(ctl, C.chunksDone);
    }
  }
}

/** Thread 0: publishes the frame's work, does its share, waits for the rest. */
export function runFrame(
  memory: WebAssembly.Memory,
  kernels: KernelExports,
  work: { demodItems: number; quadListAddress: number; rows: number; rowsPerChunk: number; weighted: boolean; interpolation: 'exact' | 'upsampled'; tabled: boolean },
): void {
  const ctl = controlView(memory);
  const chunks = Math.ceil(work.rows / work.rowsPerChunk);
  Atomics.store(ctl, C.failed, 0);
  Atomics.store(ctl, C.demodCount, work.demodItems);
  Atomics.store(ctl, C.quads, work.quadListAddress);
  Atomics.store(ctl, C.demodDone, 0);
  Atomics.store(ctl, C.rows, work.rows);
  Atomics.store(ctl, C.rowsPerChunk, work.rowsPerChunk);
  Atomics.store(ctl, C.chunkCount, chunks);
  Atomics.store(ctl, C.chunksDone, 0);
  Atomics.store(ctl, C.weighted, work.weighted ? 1 : 0);
  Atomics.store(ctl, C.upsampled, work.interpolation === 'upsampled' ? 1 : 0);
  Atomics.store(ctl, C.tabled, work.tabled ? 1 : 0);
  Atomics.store(ctl, C.rowNext, 0);
  Atomics.store(ctl, C.demodNext, 0);
  Atomics.add(ctl, C.seq, 1);
  Atomics.notify(ctl, C.seq);
  runShare(memory, kernels, 0);
  if (!waitFor(ctl, C.chunksDone, chunks, 5000)) throw new BeamformWorkerError('delay-and-sum did not finish within 5 s on the worker threads');
  if (Atomics.load(ctl, C.failed)) throw new BeamformWorkerError('a beamform worker thread failed on this frame; its error is in the log');
}
