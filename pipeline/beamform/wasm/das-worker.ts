/**
 * A beamform worker thread: instantiates the kernels on the shared memory and, for every frame
 * the calling thread publishes (work-queue.ts), does its share. Blocks in Atomics.wait between
 * frames; exits when STOP is set.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { instantiateKernels } from './kernel-module.js';
import { C, controlView, runShare } from './work-queue.js';

export interface DasWorkerData {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  thread: number;
}

const { memory, module, thread } = workerData as DasWorkerData;
const kernels = instantiateKernels(module, memory);
const ctl = controlView(memory);
parentPort?.postMessage({ ready: thread });
// Frames are numbered from 1, so a worker that starts after the first frame was published
// still sees it.
let seen = 0;
for (;;) {
  Atomics.wait(ctl, C.seq, seen);
  if (Atomics.load(ctl, C.stop)) break;
  seen = Atomics.load(ctl, C.seq);
  try {
    runShare(memory, kernels, thread);
  } catch (err) {
    parentPort?.postMessage({ error: (err as Error).message });
  }
}
