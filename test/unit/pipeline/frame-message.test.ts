import test from 'ava';
import { arrayOf, BadBusMessage, decodeFrame, encodeFrame, type FrameHeader } from '../../../pipeline/bus/frame-message.js';

const base: Omit<FrameHeader, 'arrays'> = {
  seq: 7,
  probeId: 'SIM-1',
  kind: 'rf',
  frameIndex: 3,
  deviceTimestampUs: 123456,
  frameCompleteMs: 1000.5,
  trace: [{ stage: 'acquire', inMs: 1000, outMs: 1001 }],
};

test('arrays survive a round trip at aligned offsets', (t) => {
  const delays = new Float32Array([0, 1e-6, 2e-6]);
  const samples = new Int16Array([1, -2, 3, -4, 5, -32768]);
  const pixels = new Uint8Array([9, 8, 7]);
  const parts = encodeFrame('rf', base, [
    { name: 'pixels', data: pixels, shape: [3] },
    { name: 'transmitDelaysS', data: delays, shape: [1, 3] },
    { name: 'samples', data: samples, shape: [1, 3, 2] },
  ]);
  const frame = decodeFrame(parts);
  t.is(frame.topic, 'rf');
  t.is(frame.header.seq, 7);
  for (const a of frame.header.arrays) t.is(a.byteOffset % 4, 0);
  t.deepEqual(Array.from(arrayOf(frame, 'transmitDelaysS', 'float32')), Array.from(delays));
  t.deepEqual(Array.from(arrayOf(frame, 'samples', 'int16')), Array.from(samples));
  t.deepEqual(Array.from(arrayOf(frame, 'pixels', 'uint8')), Array.from(pixels));
});

test('a misaligned payload is copied, not misread', (t) => {
  const parts = encodeFrame('rf', base, [{ name: 'samples', data: new Int16Array([1, 2, 3]), shape: [3] }]);
  const shifted = Buffer.alloc(parts[2].length + 1);
  parts[2].copy(shifted, 1);
  const frame = decodeFrame([parts[0], parts[1], shifted.subarray(1)]);
  t.deepEqual(Array.from(arrayOf(frame, 'samples', 'int16')), [1, 2, 3]);
});

test('malformed messages are rejected with a reason', (t) => {
  const parts = encodeFrame('rf', base, [{ name: 'samples', data: new Int16Array(4), shape: [4] }]);
  t.throws(() => decodeFrame([parts[0], parts[1]]), { instanceOf: BadBusMessage, message: /3 message parts/ });
  t.throws(() => decodeFrame([parts[0], Buffer.from('{nope'), parts[2]]), { instanceOf: BadBusMessage, message: /not JSON/ });
  t.throws(() => decodeFrame([parts[0], parts[1], parts[2].subarray(0, 4)]), { instanceOf: BadBusMessage, message: /exceeds/ });
  const frame = decodeFrame(parts);
  t.throws(() => arrayOf(frame, 'missing', 'int16'), { message: /no array "missing"/ });
  t.throws(() => arrayOf(frame, 'samples', 'float32'), { message: /is int16/ });
});

test('shape and data length must agree', (t) => {
  t.throws(() => encodeFrame('rf', base, [{ name: 'x', data: new Int16Array(5), shape: [2, 2] }]), { message: /does not match/ });
});
