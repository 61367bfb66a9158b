import test from 'ava';
import { FrameDecoder } from '../../../drivers/protocol/decoder.js';
import { ProtocolEncoder } from '../../../drivers/protocol/encoder.js';
import { ACK_REQUESTED, HEADER_BYTES, parseHeader } from '../../../drivers/protocol/header.js';
import { MessageType } from '../../../drivers/protocol/messages.js';
import { PayloadEncodeError } from '../../../drivers/protocol/payloads.js';
import { comparable, sampleMessages, smallFrameRf } from './fixtures.js';

test('encode produces header + payload with seq, flags, timestamp and CRCs', (t) => {
  const enc = new ProtocolEncoder({ initialSeq: 10 });
  const { seq, bytes } = enc.encode({ type: MessageType.START, body: null }, { timestampUs: 123456789, flags: ACK_REQUESTED });
  t.is(seq, 10);
  t.is(bytes.length, HEADER_BYTES);
  const h = parseHeader(bytes);
  if (!h.ok) return t.fail();
  t.like(h.header, { version: 1, type: MessageType.START, flags: ACK_REQUESTED, seq: 10, timestampUs: 123456789n, payloadLength: 0, payloadCrc: 0 });
  t.is(enc.nextSeq, 11);
});

test('seq increments per frame and wraps at 2^32', (t) => {
  const enc = new ProtocolEncoder({ initialSeq: 0xffffffff });
  t.is(enc.encode({ type: MessageType.STOP, body: null }).seq, 0xffffffff);
  t.is(enc.encode({ type: MessageType.STOP, body: null }).seq, 0);
  t.is(enc.encode({ type: MessageType.STOP, body: null }).seq, 1);
});

test('an invalid message throws and does not consume a seq', (t) => {
  const enc = new ProtocolEncoder();
  t.throws(() => enc.encode({ type: MessageType.FRAME_RF, body: { ...smallFrameRf(), samples: new Int16Array(1) } }), { instanceOf: PayloadEncodeError });
  t.is(enc.nextSeq, 0);
});

test('default timestamps come from a monotonic µs clock', (t) => {
  let now = 1000n;
  const enc = new ProtocolEncoder({ clockUs: () => (now += 5n) });
  const a = parseHeader(enc.encode({ type: MessageType.START, body: null }).bytes);
  const b = parseHeader(enc.encode({ type: MessageType.START, body: null }).bytes);
  t.true(a.ok && b.ok && a.header.timestampUs === 1005n && b.header.timestampUs === 1010n);
});

test('setVersion and per-frame version override', (t) => {
  const enc = new ProtocolEncoder();
  enc.setVersion(2);
  const h2 = parseHeader(enc.encode({ type: MessageType.STOP, body: null }).bytes);
  const h1 = parseHeader(enc.encode({ type: MessageType.STOP, body: null }, { version: 1 }).bytes);
  t.true(h2.ok && h2.header.version === 2);
  t.true(h1.ok && h1.header.version === 1);
});

test('encoder → decoder round trip of every message over random chunkings', (t) => {
  const enc = new ProtocolEncoder();
  const messages = sampleMessages();
  const frames = messages.map((m, i) => enc.encode(m, { timestampUs: BigInt(i) * 1000n }));
  const stream = Buffer.concat(frames.map((f) => f.bytes));
  let seed = 12345;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let round = 0; round < 50; round++) {
    const decoder = new FrameDecoder({ parse: true });
    const out = [];
    for (let at = 0; at < stream.length; ) {
      const size = round === 0 ? 1 : 1 + Math.floor(random() * (round < 25 ? 40 : 600));
      out.push(...decoder.push(stream.subarray(at, at + size)));
      at += size;
    }
    out.push(...decoder.end());
    t.is(out.length, messages.length, `round ${round}`);
    out.forEach((f, i) => {
      t.is(f.header.seq, frames[i]!.seq);
      t.deepEqual(comparable(f.message!), comparable(messages[i]!));
    });
    const s = decoder.stats;
    t.is(s.bytesSkipped + s.crcErrors + s.headerErrors + s.badPayload, 0);
  }
});

test('encodeRaw frames any type code with an arbitrary payload', (t) => {
  const enc = new ProtocolEncoder();
  const { bytes } = enc.encodeRaw(0xe5, Buffer.from('debug'));
  const [frame] = new FrameDecoder().push(bytes);
  t.is(frame?.header.type, 0xe5);
  t.is(frame?.payload.toString(), 'debug');
});
