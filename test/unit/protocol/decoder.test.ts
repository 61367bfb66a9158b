import { randomFillSync } from 'node:crypto';
import { Readable } from 'node:stream';
import test from 'ava';
import { FrameDecoder, ProtocolDecoder, type RawFrame, summarizeStream } from '../../../drivers/protocol/decoder.js';
import { crc32c } from '../../../drivers/protocol/crc32c.js';
import { ProtocolEncoder } from '../../../drivers/protocol/encoder.js';
import { HEADER_BYTES, MAX_PAYLOAD_BYTES, encodeHeader } from '../../../drivers/protocol/header.js';
import { MessageType } from '../../../drivers/protocol/messages.js';
import { smallFrameRf } from './fixtures.js';

const enc = (): ProtocolEncoder => new ProtocolEncoder();
const status = { type: MessageType.STATUS, body: { temperatureC: 30, supplyVoltageV: 5, errorFlags: 0, batteryPercent: 80 } } as const;

function decodeAll(bytes: Buffer, options = {}): { frames: RawFrame[]; decoder: FrameDecoder } {
  const decoder = new FrameDecoder(options);
  const frames = [...decoder.push(bytes), ...decoder.end()];
  return { frames, decoder };
}

test('clean stream: frames counted by type name, nothing skipped', (t) => {
  const e = enc();
  const bytes = Buffer.concat([e.encode(status).bytes, e.encode({ type: MessageType.START, body: null }).bytes, e.encode(status).bytes]);
  const { frames, decoder } = decodeAll(bytes);
  t.is(frames.length, 3);
  t.deepEqual(decoder.stats.frames, { STATUS: 2, START: 1 });
  t.like(decoder.stats, { bytesIn: bytes.length, bytesSkipped: 0, resyncs: 0 });
  t.is(decoder.bufferedBytes, 0);
});

test('garbage before and between frames: bytesSkipped and resyncs', (t) => {
  const e = enc();
  const bytes = Buffer.concat([Buffer.from('garbage!'), e.encode(status).bytes, Buffer.from('PLR'), Buffer.from('xx'), e.encode(status).bytes]);
  const { frames, decoder } = decodeAll(bytes);
  t.is(frames.length, 2);
  t.like(decoder.stats, { bytesSkipped: 8 + 5, resyncs: 2 });
});

test('bad header CRC: skip one byte, count headerErrors, find the next frame', (t) => {
  const e = enc();
  const bad = e.encode(status).bytes;
  bad[10]! ^= 1; // seq byte: header CRC no longer matches
  const good = e.encode(status).bytes;
  const { frames, decoder } = decodeAll(Buffer.concat([bad, good]));
  t.deepEqual(frames.map((f) => f.header.seq), [1]);
  t.like(decoder.stats, { headerErrors: 1, resyncs: 1, bytesSkipped: bad.length });
});

test('bad payload CRC: frame dropped, crcErrors counted', (t) => {
  const e = enc();
  const bad = e.encode(status).bytes;
  bad[HEADER_BYTES + 2]! ^= 0x80;
  const { frames, decoder } = decodeAll(Buffer.concat([bad, e.encode(status).bytes]));
  t.deepEqual(frames.map((f) => f.header.seq), [1]);
  t.like(decoder.stats, { crcErrors: 1, resyncs: 1 });
});

test('truncated frame: intact frames inside its claimed length are still recovered', (t) => {
  const e = enc();
  const rf = e.encode({ type: MessageType.FRAME_RF, body: smallFrameRf(1, 2, 8, 64) }).bytes;
  const truncated = rf.subarray(0, 100); // header says ~2 KB, only 68 payload bytes follow
  const after = [e.encode(status).bytes, e.encode(status).bytes, e.encode({ type: MessageType.FRAME_RF, body: smallFrameRf(2, 2, 8, 64) }).bytes];
  const { frames, decoder } = decodeAll(Buffer.concat([truncated, ...after]));
  t.deepEqual(frames.map((f) => f.header.seq), [1, 2, 3]);
  t.like(decoder.stats, { crcErrors: 1, frames: { STATUS: 2, FRAME_RF: 1 } });
});

/**
 * A header with a valid CRC claiming `payloadLength`. writeHeader refuses lengths above the
 * maximum (an encoder must never send them), so this patches and re-signs one by hand, the way
 * a broken or hostile sender would.
 */
function headerClaiming(payloadLength: number): Buffer {
  const b = encodeHeader({ version: 1, type: MessageType.FRAME_RF, flags: 0, seq: 0, timestampUs: 0n, payloadLength: 0, payloadCrc: 0 });
  b.writeUInt32LE(payloadLength, 20);
  b.writeUInt32LE(crc32c(b, 0, 0, 28), 28);
  return b;
}

test('oversize: a valid header claiming more than the maximum is skipped without buffering', (t) => {
  const d = new FrameDecoder();
  d.push(headerClaiming(MAX_PAYLOAD_BYTES + 1));
  d.push(Buffer.alloc(4096));
  t.is(d.stats.oversize, 1);
  t.is(d.stats.headerErrors, 0);
  t.true(d.bufferedBytes < 4, `buffered ${d.bufferedBytes}`);
  const huge = new FrameDecoder();
  huge.push(headerClaiming(0xffffffff));
  t.is(huge.stats.oversize, 1);
});

test('a header claiming exactly the maximum is accepted and waited for', (t) => {
  const d = new FrameDecoder();
  d.push(headerClaiming(MAX_PAYLOAD_BYTES));
  d.push(Buffer.alloc(1000));
  t.is(d.stats.oversize, 0);
  t.is(d.bufferedBytes, HEADER_BYTES + 1000);
});

test('a 16 MiB frame arriving in 64 KiB chunks decodes in linear time', (t) => {
  const payload = randomFillSync(Buffer.allocUnsafe(MAX_PAYLOAD_BYTES));
  const { bytes } = enc().encodeRaw(0xe0, payload);
  const d = new FrameDecoder();
  const t0 = performance.now();
  const out: RawFrame[] = [];
  for (let at = 0; at < bytes.length; at += 65536) out.push(...d.push(bytes.subarray(at, at + 65536)));
  const ms = performance.now() - t0;
  t.is(out.length, 1);
  t.true(out[0]!.payload.equals(payload));
  t.true(ms < 2000, `took ${ms.toFixed(0)} ms`);
  t.is(d.bufferedBytes, 0);
});

test('unsupported version: an intact frame is skipped whole', (t) => {
  const e = enc();
  const v2 = e.encode(status, { version: 2 }).bytes;
  const { frames, decoder } = decodeAll(Buffer.concat([v2, e.encode(status).bytes]));
  t.deepEqual(frames.map((f) => f.header.seq), [1]);
  t.like(decoder.stats, { unsupportedVersion: 1, bytesSkipped: 0, resyncs: 0 });
  // and a decoder configured for v2 passes it on
  t.is(decodeAll(v2, { versions: [1, 2] }).frames.length, 1);
});

test('unknown type: passed on raw and counted', (t) => {
  const e = enc();
  const { frames, decoder } = decodeAll(Buffer.concat([e.encodeRaw(0xe1, Buffer.of(1, 2)).bytes, e.encodeRaw(0x42, Buffer.alloc(0)).bytes]));
  t.deepEqual(frames.map((f) => f.header.type), [0xe1, 0x42]);
  t.like(decoder.stats, { unknownType: 2, frames: { VENDOR_0xe1: 1, UNKNOWN_0x42: 1 } });
  // with parsing on too
  const parsed = decodeAll(e.encodeRaw(0xe1, Buffer.of(1)).bytes, { parse: true });
  t.is(parsed.frames.length, 1);
  t.is(parsed.frames[0]!.message, undefined);
  t.is(parsed.decoder.stats.unknownType, 1);
});

test('badPayload: with parse on, a frame whose payload does not fit its type is dropped and counted', (t) => {
  const e = enc();
  const seen: string[] = [];
  const { frames, decoder } = decodeAll(Buffer.concat([e.encodeRaw(MessageType.STATUS, Buffer.alloc(3)).bytes, e.encode(status).bytes]), {
    parse: true,
    onBadPayload: (bad: { reason: string }) => seen.push(bad.reason),
  });
  t.is(frames.length, 1);
  t.is(frames[0]!.message?.type, MessageType.STATUS);
  t.like(decoder.stats, { badPayload: 1, frames: { STATUS: 1 } });
  t.is(seen.length, 1);
});

test('truncated at end of stream: counted, and its bytes rescanned', (t) => {
  const e = enc();
  const rf = e.encode({ type: MessageType.FRAME_RF, body: smallFrameRf() }).bytes;
  const d = new FrameDecoder();
  const out = [...d.push(Buffer.concat([rf.subarray(0, rf.length - 10)]))];
  t.is(out.length, 0);
  t.true(d.bufferedBytes > 0);
  out.push(...d.end());
  t.is(out.length, 0);
  t.is(d.stats.truncated, 1);
  t.is(d.bufferedBytes, 0);
  // a partial header counts as truncated too
  const d2 = new FrameDecoder();
  d2.push(rf.subarray(0, 20));
  d2.end();
  t.is(d2.stats.truncated, 1);
});

test('a truncated frame at the end hides no intact frame: they are found by the end-of-stream rescan', (t) => {
  const e = enc();
  const big = e.encode({ type: MessageType.FRAME_RF, body: smallFrameRf(1, 2, 8, 256) }).bytes;
  const small = e.encode(status).bytes;
  const { frames, decoder } = decodeAll(Buffer.concat([big.subarray(0, 200), small]));
  t.deepEqual(frames.map((f) => f.header.seq), [1]);
  t.is(decoder.stats.truncated, 1);
});

test('magic split across chunks is found', (t) => {
  const bytes = Buffer.concat([Buffer.from('zz'), enc().encode(status).bytes]);
  for (let cut = 1; cut < 8; cut++) {
    const d = new FrameDecoder();
    const out = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
    t.is(out.length, 1, `cut at ${cut}`);
    t.is(d.stats.bytesSkipped, 2);
  }
});

test('never throws on non-Buffer Uint8Array input', (t) => {
  const d = new FrameDecoder();
  t.notThrows(() => d.push(new Uint8Array(enc().encode(status).bytes)));
  t.is(d.stats.frames['STATUS'], 1);
});

test('ProtocolDecoder is a Transform: bytes in, frames out, stats exposed', async (t) => {
  const e = enc();
  const bytes = Buffer.concat([Buffer.from('junk'), e.encode(status).bytes, e.encode({ type: MessageType.FRAME_RF, body: smallFrameRf() }).bytes]);
  const chunks = Array.from({ length: Math.ceil(bytes.length / 33) }, (_, i) => bytes.subarray(i * 33, i * 33 + 33));
  const decoder = new ProtocolDecoder({ parse: true });
  const frames: RawFrame[] = [];
  for await (const f of Readable.from(chunks).pipe(decoder)) frames.push(f as RawFrame);
  t.deepEqual(frames.map((f) => f.message?.type), [MessageType.STATUS, MessageType.FRAME_RF]);
  t.like(decoder.stats, { bytesSkipped: 4, resyncs: 1 });
  t.is(decoder.bufferedBytes, 0);
});

test('ProtocolDecoder counts a truncated frame when the input ends', async (t) => {
  const rf = enc().encode({ type: MessageType.FRAME_RF, body: smallFrameRf() }).bytes;
  const decoder = new ProtocolDecoder();
  const frames: unknown[] = [];
  for await (const f of Readable.from([rf.subarray(0, 50)]).pipe(decoder)) frames.push(f);
  t.is(frames.length, 0);
  t.is(decoder.stats.truncated, 1);
});

test('summarizeStream over a Buffer and over an async iterable gives the same counters', async (t) => {
  const e = enc();
  const bad = e.encode(status).bytes;
  bad[HEADER_BYTES]! ^= 1;
  const bytes = Buffer.concat([
    Buffer.from('noise'),
    e.encode(status).bytes,
    bad,
    e.encodeRaw(MessageType.FREEZE, Buffer.of(7)).bytes,
    e.encode({ type: MessageType.FRAME_RF, body: smallFrameRf() }).bytes.subarray(0, 60),
  ]);
  const fromBuffer = await summarizeStream(bytes);
  async function* chunks(): AsyncIterable<Buffer> {
    for (let at = 0; at < bytes.length; at += 17) yield bytes.subarray(at, at + 17);
  }
  const fromIterable = await summarizeStream(chunks());
  t.deepEqual(fromBuffer, fromIterable);
  t.like(fromBuffer, { frames: { STATUS: 1 }, crcErrors: 1, badPayload: 1, truncated: 1, bytesIn: bytes.length });
  t.true(fromBuffer.bytesSkipped >= 5);
  t.deepEqual(Object.keys(fromBuffer).sort(), [
    'badPayload', 'bytesIn', 'bytesSkipped', 'crcErrors', 'frames', 'headerErrors', 'oversize', 'resyncs', 'truncated', 'unknownType', 'unsupportedVersion',
  ]);
});
