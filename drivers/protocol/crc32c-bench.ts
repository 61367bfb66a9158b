/**
 * Prints CRC-32C throughput in MB/s (a benchmark, not a test): slicing-by-8 against the
 * byte-at-a-time loop, over a 3 MB buffer — the size of one RF frame.
 *   node dist/drivers/protocol/crc32c-bench.js
 */
import { randomFillSync } from 'node:crypto';
import { crc32c, crc32cBytewise } from './crc32c.js';

function measureMBps(fn: (b: Uint8Array) => number, data: Uint8Array, minMs = 1000): number {
  for (let i = 0; i < 5; i++) fn(data); // let the JIT settle before timing
  let bytes = 0;
  const t0 = performance.now();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    fn(data);
    bytes += data.length;
    elapsedMs = performance.now() - t0;
  }
  return bytes / 1e6 / (elapsedMs / 1000);
}

const frame = randomFillSync(Buffer.alloc(3_000_000));
console.log(`crc32c slicing-by-8: ${measureMBps((b) => crc32c(b), frame).toFixed(0)} MB/s`);
console.log(`crc32c byte-at-a-time: ${measureMBps(crc32cBytewise, frame).toFixed(0)} MB/s`);
