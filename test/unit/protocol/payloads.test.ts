import test from 'ava';
import { type ProbeMessage, MessageType, messageTypeName } from '../../../drivers/protocol/messages.js';
import {
  PayloadEncodeError,
  encodePayload,
  parseMessage,
  parsePayload,
  payloadByteLength,
  writePayload,
} from '../../../drivers/protocol/payloads.js';
import { comparable, sampleMessages, smallFrameRf } from './fixtures.js';

const label = (msg: ProbeMessage): string => messageTypeName(msg.type) + (msg.type === MessageType.FRAME_BMODE ? ` (${msg.body.geometry.kind})` : '');

for (const msg of sampleMessages()) {
  test(`${label(msg)} round trip`, (t) => {
    const payload = encodePayload(msg);
    t.is(payload.length, payloadByteLength(msg));
    const r = parsePayload(msg.type, payload);
    if (!r.ok) return t.fail(r.error.reason);
    t.deepEqual(comparable(r.message), comparable(msg));
    // parseMessage takes the decoder's raw frame shape
    t.true(parseMessage({ header: { type: msg.type }, payload }).ok);
  });

  test(`${label(msg)}: one byte short or one byte long is badPayload`, (t) => {
    const payload = encodePayload(msg);
    if (payload.length > 0) {
      const short = parsePayload(msg.type, payload.subarray(0, payload.length - 1));
      t.false(short.ok);
      if (!short.ok) t.is(short.error.kind, 'badPayload');
    }
    const long = parsePayload(msg.type, Buffer.concat([payload, Buffer.of(0)]));
    t.false(long.ok);
    if (!long.ok) {
      t.is(long.error.kind, 'badPayload');
      t.is(long.error.typeName, messageTypeName(msg.type));
    }
  });
}

test('IDENTIFY_REQUEST byte layout: u8 min, u8 max', (t) => {
  t.deepEqual([...encodePayload({ type: MessageType.IDENTIFY_REQUEST, body: { hostMinVersion: 1, hostMaxVersion: 2 } })], [1, 2]);
});

test('NACK byte layout: u32 seq, u8 type, u16 code, str reason', (t) => {
  const p = encodePayload({ type: MessageType.NACK, body: { requestSeq: 0x01020304, requestType: 3, code: 4, reason: 'ab' } });
  t.deepEqual([...p], [4, 3, 2, 1, 3, 4, 0, 2, 0, 0x61, 0x62]);
});

test('FRAME_RF layout: fixed fields, then parameters, delays, samples', (t) => {
  const rf = smallFrameRf(9, 2, 3, 4);
  const p = encodePayload({ type: MessageType.FRAME_RF, body: rf });
  t.is(p.length, 36 + 4 * 2 + 4 * 6 + 2 * 24);
  t.is(p.readUInt32LE(0), 9);
  t.is(p.readUInt16LE(4), 2);
  t.is(p.readUInt16LE(6), 3);
  t.is(p.readUInt32LE(8), 4);
  t.is(p.readUInt8(12), 0); // diverging
  t.is(p.readFloatLE(16), 1540);
  t.is(p.readFloatLE(36 + 8 + 4), rf.transmitDelaysS[1]);
  t.is(p.readInt16LE(36 + 8 + 24 + 2 * 5), rf.samples[5]);
});

test('FRAME_RF samples are a zero-copy view when aligned, a correct copy when the offset is odd', (t) => {
  const msg: ProbeMessage = { type: MessageType.FRAME_RF, body: smallFrameRf() };
  const payload = encodePayload(msg);
  // even: an aligned standalone buffer
  const aligned = Buffer.alloc(payload.length + 8);
  payload.copy(aligned, 8);
  const even = parsePayload(MessageType.FRAME_RF, aligned.subarray(8));
  if (!even.ok || even.message.type !== MessageType.FRAME_RF) return t.fail();
  t.is(even.message.body.samples.buffer, aligned.buffer, 'samples alias the payload');
  // odd: the payload starts one byte into its ArrayBuffer
  const oddBacking = Buffer.alloc(payload.length + 1);
  payload.copy(oddBacking, 1);
  const odd = parsePayload(MessageType.FRAME_RF, oddBacking.subarray(1));
  if (!odd.ok || odd.message.type !== MessageType.FRAME_RF) return t.fail();
  t.not(odd.message.body.samples.buffer, oddBacking.buffer, 'samples were copied');
  t.deepEqual(Array.from(odd.message.body.samples), Array.from(msg.body.samples));
  t.deepEqual(Array.from(odd.message.body.transmitDelaysS), Array.from(msg.body.transmitDelaysS));
});

test('FRAME_RF whose counts claim more than the payload holds is badPayload, without allocating for it', (t) => {
  const p = encodePayload({ type: MessageType.FRAME_RF, body: smallFrameRf() });
  p.writeUInt32LE(0xffffffff, 8); // sampleCount
  p.writeUInt16LE(0xffff, 6); // elementCount
  const r = parsePayload(MessageType.FRAME_RF, p);
  t.false(r.ok);
  if (!r.ok) t.regex(r.error.reason, /needs exactly/);
});

function corrupt(msg: ProbeMessage, mutate: (p: Buffer) => void): string | null {
  const p = encodePayload(msg);
  mutate(p);
  const r = parsePayload(msg.type, p);
  return r.ok ? null : r.error.reason;
}

test('values out of range are badPayload with a reason', (t) => {
  const [idReq, identify, configure, , , freeze, , nack, error, status, rf, bmode] = sampleMessages() as [ProbeMessage, ...ProbeMessage[]];
  t.regex(corrupt(idReq, (p) => p.writeUInt8(0, 0)) ?? '', /version range/);
  t.regex(corrupt(identify!, (p) => p.writeUInt8(2, 3)) ?? '', /arrayKind/);
  t.regex(corrupt(identify!, (p) => p.writeUInt8(9, 2)) ?? '', /selectedVersion/);
  t.regex(corrupt(identify!, (p) => p.writeFloatLE(NaN, 8)) ?? '', /pitchM/);
  t.regex(corrupt(configure!, (p) => p.writeUInt16LE(0, 2)) ?? '', /transmitCount/);
  t.regex(corrupt(configure!, (p) => p.writeFloatLE(-1, 4)) ?? '', /depthM/);
  t.regex(corrupt(configure!, (p) => p.writeUInt8(7, 0)) ?? '', /mode/);
  t.regex(corrupt(freeze!, (p) => p.writeUInt8(2, 0)) ?? '', /frozen/);
  t.regex(corrupt(nack!, (p) => p.writeUInt16LE(99, 5)) ?? '', /NACK code/);
  t.regex(corrupt(error!, (p) => p.writeUInt8(3, 2)) ?? '', /severity/);
  t.regex(corrupt(status!, (p) => p.writeInt16LE(101, 12)) ?? '', /batteryPercent/);
  t.regex(corrupt(rf!, (p) => p.writeFloatLE(1e-9, 36 + 8)) ?? '', /minimum delay/);
  t.regex(corrupt(rf!, (p) => p.writeUInt8(5, 12)) ?? '', /transmitKind/);
  t.regex(corrupt(bmode!, (p) => p.writeUInt8(2, 8)) ?? '', /geometryKind/);
  t.regex(corrupt(bmode!, (p) => p.writeFloatLE(1, 16)) ?? '', /rMin < rMax/);
});

test('strings: invalid UTF-8 and over-long length prefixes are badPayload', (t) => {
  const err: ProbeMessage = { type: MessageType.ERROR, body: { code: 1, severity: 0, message: 'ab' } };
  t.regex(corrupt(err, (p) => p.writeUInt8(0xff, 5)) ?? '', /UTF-8/);
  const long = Buffer.alloc(3 + 2 + 300);
  long.writeUInt16LE(300, 3);
  const r = parsePayload(MessageType.ERROR, long);
  t.false(r.ok);
  if (!r.ok) t.regex(r.error.reason, /exceeds 255/);
});

test('an unknown type is reported as unknownType, not badPayload', (t) => {
  const r = parsePayload(0xe1, Buffer.of(1, 2, 3));
  t.false(r.ok);
  if (!r.ok) {
    t.is(r.error.kind, 'unknownType');
    t.is(r.error.typeName, 'VENDOR_0xe1');
  }
});

test('encoding an invalid message throws PayloadEncodeError saying what to fix', (t) => {
  const rf = smallFrameRf();
  const bad: ProbeMessage[] = [
    { type: MessageType.FRAME_RF, body: { ...rf, samples: new Int16Array(3) } },
    { type: MessageType.FRAME_RF, body: { ...rf, transmitCount: 3 } },
    { type: MessageType.CONFIGURE, body: { preset: 'x'.repeat(256), depthM: 0.1, gainDb: 0, mode: 'rf', frameRateHz: 10, transmits: { kind: 'plane', parameters: [0] } } },
    { type: MessageType.CONFIGURE, body: { preset: 'lung', depthM: 0.1, gainDb: 0, mode: 'rf', frameRateHz: 10, transmits: { kind: 'plane', parameters: [] } } },
    { type: MessageType.STATUS, body: { temperatureC: Infinity, supplyVoltageV: 5, errorFlags: 0, batteryPercent: 50 } },
    { type: MessageType.ACK, body: { requestSeq: -1, requestType: 3 } },
  ];
  for (const msg of bad) {
    const e = t.throws(() => encodePayload(msg), { instanceOf: PayloadEncodeError });
    t.regex(e?.message ?? '', /^cannot encode [A-Z_]+: .+; fix the message/);
  }
});

test('writePayload writes at an offset and returns the end', (t) => {
  const msg: ProbeMessage = { type: MessageType.ACK, body: { requestSeq: 5, requestType: 4 } };
  const b = Buffer.alloc(10, 0xaa);
  t.is(writePayload(msg, b, 3), 8);
  t.deepEqual([...b], [0xaa, 0xaa, 0xaa, 5, 0, 0, 0, 4, 0xaa, 0xaa]);
});
