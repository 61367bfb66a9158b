/**
 * The compiled kernel module (DAS and demodulation, das-kernel.ts and demod-kernel.ts), built
 * once per process from TypeScript and instantiated on a shared WebAssembly.Memory by the
 * calling thread and by each beamform worker thread.
 */
import { WasmModuleBuilder } from './assembler.js';
import { addDasKernels, dasExportName, type KernelInterpolation } from './das-kernel.js';
import { addDemodKernels } from './demod-kernel.js';

/** 1 GiB of address space at most: a 1501 × 512 reference grid with 5 transmits needs ~60 MB. */
export const MAX_MEMORY_PAGES = 16384;

export type KernelFunction = (header: number, a: number, b: number) => void;

/**
 * demod / demod_upsampled (header, quad, thread) and das_{exact,upsampled}[_weighted]
 * (header, rowStart, rowEnd): see demod-kernel.ts and das-kernel.ts.
 */
export type KernelExports = Record<string, KernelFunction>;

export function dasFunction(kernels: KernelExports, interpolation: KernelInterpolation, weighted: boolean, tabled: boolean): KernelFunction {
  return kernels[dasExportName(interpolation, weighted, tabled)]!;
}

export function demodFunction(kernels: KernelExports, interpolation: KernelInterpolation): KernelFunction {
  return kernels[interpolation === 'exact' ? 'demod' : 'demod_upsampled']!;
}

export class WasmUnavailableError extends Error {
  override name = 'WasmUnavailableError';
}

let compiled: WebAssembly.Module | null = null;

export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  const m = new WasmModuleBuilder({ minPages: 1, maxPages: MAX_MEMORY_PAGES, shared: true });
  addDasKernels(m);
  addDemodKernels(m);
  return m.bytes();
}

export function kernelModule(): WebAssembly.Module {
  if (!compiled) {
    const bytes = kernelModuleBytes();
    if (!WebAssembly.validate(bytes)) {
      throw new WasmUnavailableError('the beamforming kernels did not validate: this Node.js lacks WebAssembly SIMD or threads (Node 20+ has both); use the JS Beamformer');
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
