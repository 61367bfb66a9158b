import test from 'ava';
import { ACK_REQUESTED, HEADER_BYTES, MAGIC, MAX_PAYLOAD_BYTES, encodeHeader, parseHeader, writeHeader } from '../../../drivers/protocol/header.js';
import { crc32c } from '../../../drivers/protocol/crc32c.js';

const fields = {
  version: 1,
  type: 0x20,
  flags: ACK_REQUESTED,
  seq: 0xfffffffe,
  timestampUs: 0x0123456789abcdefn,
  payloadLength: MAX_PAYLOAD_BYTES,
  payloadCrc: 0xdeadbeef,
};

test('constants match the spec', (t) => {
  t.deepEqual([...MAGIC], [0x50, 0x4c, 0x52, 0x41]);
  t.is(Buffer.from(MAGIC).toString('ascii'), 'PLRA');
  t.is(HEADER_BYTES, 32);
  t.is(MAX_PAYLOAD_BYTES, 16_777_216);
  t.is(ACK_REQUESTED, 1);
});

test('round trip, with the byte layout of the spec', (t) => {
  const b = encodeHeader(fields);
  t.is(b.length, 32);
  t.is(b.readUInt8(4), 1);
  t.is(b.readUInt8(5), 0x20);
  t.is(b.readUInt16LE(6), 1);
  t.is(b.readUInt32LE(8), 0xfffffffe);
  t.is(b.readBigUInt64LE(12), 0x0123456789abcdefn);
  t.is(b.readUInt32LE(20), MAX_PAYLOAD_BYTES);
  t.is(b.readUInt32LE(24), 0xdeadbeef);
  t.is(b.readUInt32LE(28), crc32c(b.subarray(0, 28)));
  const r = parseHeader(b);
  t.true(r.ok);
  if (r.ok) t.deepEqual(r.header, { ...fields, headerCrc: b.readUInt32LE(28) });
});

test('writes and parses at an offset', (t) => {
  const b = Buffer.alloc(40);
  writeHeader(fields, b, 5);
  const r = parseHeader(b, 5);
  t.true(r.ok && r.header.seq === fields.seq);
});

test('rejects short input, wrong magic and a bad header CRC', (t) => {
  const b = encodeHeader(fields);
  t.deepEqual(parseHeader(b.subarray(0, 31)), { ok: false, reason: 'short' });
  const noMagic = Buffer.from(b);
  noMagic[0] = 0x51;
  t.deepEqual(parseHeader(noMagic), { ok: false, reason: 'magic' });
  for (const at of [4, 12, 20, 27, 28, 31]) {
    const flipped = Buffer.from(b);
    flipped[at]! ^= 0x10;
    t.deepEqual(parseHeader(flipped), { ok: false, reason: 'headerCrc' }, `bit flip at byte ${at}`);
  }
});

test('refuses to write fields that do not fit their wire width', (t) => {
  t.throws(() => encodeHeader({ ...fields, seq: 2 ** 32 }), { instanceOf: RangeError });
  t.throws(() => encodeHeader({ ...fields, payloadLength: MAX_PAYLOAD_BYTES + 1 }), { instanceOf: RangeError });
  t.throws(() => encodeHeader({ ...fields, timestampUs: -1n }), { instanceOf: RangeError });
  t.throws(() => encodeHeader({ ...fields, type: 256 }), { instanceOf: RangeError });
});
