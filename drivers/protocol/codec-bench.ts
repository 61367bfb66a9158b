/**
 * Prints encoder and decoder cost per frame (a benchmark, not a test): a 3 MB RF frame encoded,
 * then decoded and parsed from 64 KiB chunks, and a 16 MiB frame (the maximum) decoded.
 *   node dist/drivers/protocol/codec-bench.js
 */
import { randomFillSync } from 'node:crypto';
import { FrameDecoder } from './decoder.js';
import { ProtocolEncoder } from './encoder.js';
import { type FrameRf, MessageType } from './messages.js';

const CHUNK_BYTES = 64 * 1024;

function msPerRun(runs: number, fn: () => void): number {
  fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return (performance.now() - t0) / runs;
}

function decodeInChunks(decoder: FrameDecoder, bytes: Buffer): number {
  let frames = 0;
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) frames += decoder.push(bytes.subarray(at, at + CHUNK_BYTES)).length;
  return frames;
}

const [t, e, s] = [3, 128, 4096];
const rf: FrameRf = {
  frameIndex: 0,
  soundSpeedMps: 1540,
  samplingRateHz: 20e6,
  centerFrequencyHz: 3.5e6,
  t0S: 0,
  transmits: { kind: 'diverging', parameters: [-0.01, 0, 0.01] },
  transmitDelaysS: new Float32Array(t * e),
  transmitCount: t,
  elementCount: e,
  sampleCount: s,
  gainDb: 0,
  samples: new Int16Array(randomFillSync(Buffer.alloc(2 * t * e * s)).buffer),
};
const encoder = new ProtocolEncoder();
let frame: Buffer = Buffer.alloc(0);
const encodeMs = msPerRun(30, () => (frame = encoder.encode({ type: MessageType.FRAME_RF, body: rf }).bytes));
console.log(`encode FRAME_RF ${(frame.length / 1e6).toFixed(2)} MB: ${encodeMs.toFixed(2)} ms/frame`);

const parsing = new FrameDecoder({ parse: true });
const decodeMs = msPerRun(30, () => decodeInChunks(parsing, frame));
console.log(`decode + parse FRAME_RF from 64 KiB chunks: ${decodeMs.toFixed(2)} ms/frame`);

const max = encoder.encodeRaw(0xe0, randomFillSync(Buffer.allocUnsafe(16 * 1024 * 1024))).bytes;
const raw = new FrameDecoder();
const maxMs = msPerRun(5, () => decodeInChunks(raw, max));
console.log(`decode 16 MiB frame from 64 KiB chunks: ${maxMs.toFixed(1)} ms (${(max.length / 1e6 / (maxMs / 1000)).toFixed(0)} MB/s)`);
