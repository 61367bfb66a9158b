import test from 'ava';
import fc from 'fast-check';
import {
  decodeFrame,
  encodedFrameBytes,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FrameFormatError,
} from '../../../ui-kiosk/web/protocol.js';
import { rampFrame } from './kiosk-fixtures.js';

function encode(frame = rampFrame(7)): Uint8Array {
  return encodeFrame(frame, 1_700_000_000_123.25, new Uint8Array(encodedFrameBytes(frame.width, frame.height)));
}

test('header is 44 bytes with magic, version and documented field offsets', (t) => {
  const bytes = encode(rampFrame(0x01020304, 300, 200));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  t.is(FRAME_HEADER_BYTES, 44);
  t.is(bytes.length, 44 + 300 * 200);
  t.is(new TextDecoder().decode(bytes.subarray(0, 4)), 'PLKF');
  t.is(view.getUint8(4), 1);
  t.is(view.getUint8(5), 1, 'fps flag set');
  t.is(view.getUint16(6, true), 44);
  t.is(view.getUint32(8, true), 0x01020304);
  t.is(view.getUint16(12, true), 300);
  t.is(view.getUint16(14, true), 200);
  t.is(view.getFloat32(16, true), 0.25);
  t.is(view.getFloat32(20, true), 12.5);
  t.is(view.getFloat64(24, true), 1_700_000_000_123.25);
  t.is(view.getFloat32(32, true), 30);
  t.is(view.getUint32(36, true), 60_000);
  t.is(view.getFloat32(40, true), 0, 'topDepthMm defaults to 0');
});

test('topDepthMm travels for a convex sector whose top lies above the skin line', (t) => {
  const decoded = decodeFrame(encode({ ...rampFrame(1, 8, 8), topDepthMm: -10.25 }));
  t.is(decoded.topDepthMm, -10.25);
});

test('encode → decode round trip keeps every field and the pixels', (t) => {
  const frame = rampFrame(42, 33, 17);
  const decoded = decodeFrame(encode(frame));
  t.is(decoded.seq, 42);
  t.is(decoded.width, 33);
  t.is(decoded.height, 17);
  t.is(decoded.mmPerPixel, 0.25);
  t.is(decoded.latencyMs, 12.5);
  t.is(decoded.fps, 30);
  t.is(decoded.sentAtMs, 1_700_000_000_123.25);
  t.deepEqual(decoded.pixels, frame.pixels);
});

test('decodes from an ArrayBuffer (browser) and leaves fps out when the device gave none', (t) => {
  const { fps: _unused, ...withoutFps } = rampFrame(3);
  const bytes = encode(withoutFps);
  const decoded = decodeFrame(bytes.slice().buffer);
  t.false('fps' in decoded);
  t.is(decoded.seq, 3);
});

test('round trip holds for arbitrary sizes, seqs and float fields (property)', (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 64 }),
    fc.integer({ min: 1, max: 64 }),
    fc.nat({ max: 0xffffffff }),
    fc.float({ min: Math.fround(0.01), max: Math.fround(5), noNaN: true }),
    fc.float({ min: 0, max: Math.fround(1000), noNaN: true }),
    (width, height, seq, mmPerPixel, latencyMs) => {
      const pixels = Uint8Array.from({ length: width * height }, (_, i) => (i * 31 + seq) & 0xff);
      const frame = { seq, width, height, pixels, mmPerPixel, latencyMs };
      const decoded = decodeFrame(encode(frame));
      return decoded.seq === seq && decoded.width === width && decoded.height === height &&
        decoded.mmPerPixel === mmPerPixel && decoded.latencyMs === latencyMs &&
        Buffer.compare(Buffer.from(decoded.pixels), Buffer.from(pixels)) === 0;
    },
  ));
  t.pass();
});

test('decode rejects short, foreign, future-version and truncated messages', (t) => {
  t.throws(() => decodeFrame(new Uint8Array(10)), { instanceOf: FrameFormatError, message: /too short/ });

  const badMagic = encode();
  badMagic[0] = 0x58;
  t.throws(() => decodeFrame(badMagic), { instanceOf: FrameFormatError, message: /magic/ });

  const future = encode();
  future[4] = 2;
  t.throws(() => decodeFrame(future), { instanceOf: FrameFormatError, message: /version 2/ });

  const whole = encode();
  t.throws(() => decodeFrame(whole.subarray(0, whole.length - 1)), { instanceOf: FrameFormatError, message: /size mismatch/ });
});

test('encode rejects frames whose pixel count does not match width × height', (t) => {
  const frame = { ...rampFrame(1, 10, 10), pixels: new Uint8Array(99) };
  t.throws(() => encodeFrame(frame, 0, new Uint8Array(1000)), { instanceOf: FrameFormatError, message: /99 bytes, expected .* 100/ });
  t.throws(() => encodeFrame({ ...rampFrame(1, 10, 10), mmPerPixel: 0 }, 0, new Uint8Array(1000)), { message: /mmPerPixel/ });
  t.throws(() => encodeFrame(rampFrame(1, 10, 10), 0, new Uint8Array(50)), { message: /need 144/ });
});
