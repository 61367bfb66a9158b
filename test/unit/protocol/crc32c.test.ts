import { randomBytes } from 'node:crypto';
import test from 'ava';
import { crc32c, crc32cBytewise } from '../../../drivers/protocol/crc32c.js';

test('check value of "123456789" is 0xE3069283', (t) => {
  t.is(crc32c(Buffer.from('123456789')), 0xe3069283);
});

test('empty input gives 0 and leaves a running CRC unchanged', (t) => {
  t.is(crc32c(new Uint8Array(0)), 0);
  t.is(crc32c(new Uint8Array(0), 0x12345678), 0x12345678);
});

test('known vector: 32 bytes of zeros (RFC 3720 B.4) is 0x8A9136AA', (t) => {
  t.is(crc32c(Buffer.alloc(32)), 0x8a9136aa);
});

test('slicing-by-8 equals the byte-at-a-time reference at every length and offset', (t) => {
  const data = randomBytes(300);
  for (let start = 0; start < 9; start++) {
    for (let end = start; end <= data.length; end += 7) {
      const view = data.subarray(start, end);
      t.is(crc32c(data, 0, start, end), crc32cBytewise(view));
    }
  }
});

test('incremental: crc32c(b, crc32c(a)) equals crc32c(a + b)', (t) => {
  const a = randomBytes(1001);
  const b = randomBytes(4099);
  t.is(crc32c(b, crc32c(a)), crc32c(Buffer.concat([a, b])));
  // and split anywhere inside one buffer
  const whole = Buffer.concat([a, b]);
  for (const cut of [0, 1, 7, 8, 9, 1000, 5099, 5100]) t.is(crc32c(whole, crc32c(whole, 0, 0, cut), cut), crc32c(whole));
});
