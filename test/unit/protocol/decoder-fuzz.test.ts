/**
 * Property tests for the decoder's promises in docs/probe-protocol.md ("Receiving"): it never
 * throws, its buffer stays bounded by header + maximum payload, and every intact frame after any
 * damage is recovered, in order. The decoder runs with a small payload limit here so that the
 * bound is actually reached and lengths "at and beyond the maximum" are cheap to generate.
 * Run sizes are chosen so the whole protocol suite stays well under 20 s on 2 cores.
 */
import test from 'ava';
import fc from 'fast-check';
import { FrameDecoder } from '../../../drivers/protocol/decoder.js';
import { ProtocolEncoder } from '../../../drivers/protocol/encoder.js';
import { HEADER_BYTES } from '../../../drivers/protocol/header.js';
import { MessageType } from '../../../drivers/protocol/messages.js';
import { encodePayload, parsePayload } from '../../../drivers/protocol/payloads.js';
import { sampleMessages } from './fixtures.js';

const MAX = 512;

/** Splits `bytes` at the given (relative) cut sizes, cycling through them. */
function chunked(bytes: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes.length ? sizes[i % sizes.length]! : bytes.length;
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 0, maxLength: 8 });

/** Random bytes, spiced with magics, valid headers and slices of valid frames so that every path runs. */
const hostileBytes: fc.Arbitrary<Buffer> = (() => {
  const enc = new ProtocolEncoder();
  const frames = sampleMessages().map((m) => enc.encode(m).bytes);
  const piece = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.constant(Buffer.from('PLRA')),
    fc.tuple(fc.constantFrom(...frames), fc.nat(), fc.nat()).map(([f, a, b]) => f.subarray(Math.min(a, b) % f.length, Math.max(a, b) % (f.length + 1))),
    fc.constantFrom(...frames),
  );
  return fc.array(piece, { maxLength: 24 }).map((pieces) => Buffer.concat(pieces));
})();

test('hostile bytes in random chunks: never throws, buffer stays bounded, drains on end()', (t) => {
  fc.assert(
    fc.property(hostileBytes, chunkSizes, fc.boolean(), (bytes, sizes, parse) => {
      const d = new FrameDecoder({ maxPayloadBytes: MAX, parse });
      for (const chunk of chunked(bytes, sizes)) {
        d.push(chunk);
        if (d.bufferedBytes > HEADER_BYTES + MAX) return false;
      }
      d.end();
      const s = d.stats;
      return d.bufferedBytes === 0 && s.bytesIn === bytes.length && s.bytesSkipped <= bytes.length;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

type Damage =
  | { kind: 'none' }
  | { kind: 'truncate'; keepFraction: number }
  /** Header intact, payload cut short: the frames after it fall inside its claimed length. */
  | { kind: 'truncatePayload'; keepFraction: number }
  | { kind: 'flip'; atFraction: number; bit: number }
  | { kind: 'oversize' }; // an intact frame, but longer than this decoder accepts

const damage: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Damage>({ kind: 'none' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), keepFraction: fc.double({ min: 0, max: 0.999, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncatePayload' as const), keepFraction: fc.double({ min: 0, max: 0.999, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flip' as const), atFraction: fc.double({ min: 0, max: 0.999, noNaN: true }), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.constant<Damage>({ kind: 'oversize' }) },
);

const frameSpec = fc.record({
  // unknown and vendor types too: the decoder passes them on raw
  type: fc.constantFrom(MessageType.STATUS, MessageType.FRAME_RF, MessageType.ACK, 0x42, 0xe3),
  // lengths at the maximum included
  length: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: MAX - 4, max: MAX })),
  fill: fc.integer({ min: 0, max: 255 }),
  damage,
  garbageAfter: fc.uint8Array({ maxLength: 48 }),
});

test('valid frames with some damaged and garbage between: every undamaged frame comes out, in order', (t) => {
  fc.assert(
    fc.property(fc.array(frameSpec, { minLength: 1, maxLength: 12 }), chunkSizes, (specs, sizes) => {
      const enc = new ProtocolEncoder();
      const parts: Buffer[] = [];
      const expected: { seq: number; payload: Buffer }[] = [];
      for (const spec of specs) {
        const length = spec.damage.kind === 'oversize' ? MAX + 1 + spec.length : spec.length;
        // a payload without the magic in it, so that damage cannot fabricate frames
        const payload = Buffer.alloc(length, spec.fill === 0x50 ? 0x51 : spec.fill);
        for (let i = 0; i < payload.length; i += 7) payload[i] = (i * 31) & 0x3f;
        const { seq, bytes } = enc.encodeRaw(spec.type, payload);
        const d = spec.damage;
        if (d.kind === 'none') {
          expected.push({ seq, payload });
          parts.push(bytes);
        } else if (d.kind === 'truncate' || d.kind === 'truncatePayload') {
          const cut =
            d.kind === 'truncate'
              ? Math.floor(d.keepFraction * bytes.length)
              : // header intact; an empty payload has nothing to cut, so then the header loses its last byte
                Math.min(bytes.length - 1, HEADER_BYTES + Math.floor(d.keepFraction * (bytes.length - HEADER_BYTES)));
          // The byte after the cut must differ from the one cut away: otherwise the garbage that
          // follows can rebuild the frame exactly, and a rebuilt frame is intact, not damaged.
          parts.push(bytes.subarray(0, cut), Buffer.of(bytes[cut]! ^ 0xff));
        } else if (d.kind === 'flip') {
          const at = Math.floor(d.atFraction * bytes.length);
          bytes[at]! ^= 1 << d.bit;
          parts.push(bytes);
        } else parts.push(bytes);
        parts.push(Buffer.from(spec.garbageAfter));
      }
      const decoder = new FrameDecoder({ maxPayloadBytes: MAX });
      const got: { seq: number; payload: Buffer }[] = [];
      for (const chunk of chunked(Buffer.concat(parts), sizes)) {
        for (const f of decoder.push(chunk)) got.push({ seq: f.header.seq, payload: Buffer.from(f.payload) });
        if (decoder.bufferedBytes > HEADER_BYTES + MAX) return false;
      }
      for (const f of decoder.end()) got.push({ seq: f.header.seq, payload: Buffer.from(f.payload) });
      if (decoder.bufferedBytes !== 0) return false;
      // Random garbage could in principle fabricate a frame (needs 8 bytes of matching CRCs):
      // the expected frames must appear in order; nothing else is accepted either.
      return got.length === expected.length && got.every((g, i) => g.seq === expected[i]!.seq && g.payload.equals(expected[i]!.payload));
    }),
    { numRuns: 4000 },
  );
  t.pass();
});

test('parsePayload never throws: random payloads of every known type, and bit-flipped valid ones', (t) => {
  const types = Object.values(MessageType);
  fc.assert(
    fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 300 }), (type, bytes) => {
      const r = parsePayload(type, Buffer.from(bytes));
      return r.ok || r.error.kind === 'badPayload';
    }),
    { numRuns: 2000 },
  );
  const valid = sampleMessages().map((m) => ({ type: m.type, payload: encodePayload(m) }));
  fc.assert(
    fc.property(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 0, max: 7 }), fc.nat({ max: 3 }), ({ type, payload }, at, bit, cut) => {
      const p = Buffer.from(payload);
      if (p.length > 0) p[at % p.length]! ^= 1 << bit;
      const r = parsePayload(type, p.subarray(0, Math.max(0, p.length - cut)));
      return r.ok || r.error.kind === 'badPayload';
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
