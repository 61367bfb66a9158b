/**
 * Payload codecs for every message type of protocol v1 (layouts: docs/probe-protocol.md).
 *
 * Parsing never throws: a payload whose length or values do not match its type comes back as a
 * `BadPayload` result that says what is wrong. Encoding throws `PayloadEncodeError` instead,
 * because a message the host or simulator builds wrongly is a bug to fix, not input to survive.
 * Both directions share one set of sizes and range checks (payload-layout.ts), so whatever the
 * encoder accepts the parser accepts too.
 *
 * Zero-copy: FRAME_RF samples/delays and FRAME_BMODE pixels are views into the payload Buffer
 * where alignment allows (Int16Array needs an even byte offset, Float32Array a multiple of 4);
 * otherwise they are copied. A view keeps the whole underlying chunk alive and must not be
 * mutated by consumers that share the frame.
 */
import {
  type Ack,
  type Configure,
  type FrameBmode,
  type FrameRf,
  type Identify,
  type IdentifyRequest,
  type ImageGeometry,
  type Nack,
  type ProbeError,
  type ProbeMessage,
  type Status,
  MessageType,
  messageTypeName,
} from './messages.js';
import {
  ARRAY_KINDS,
  CONFIGURE_FIXED_BYTES,
  FRAME_BMODE_FIXED_BYTES,
  FRAME_RF_FIXED_BYTES,
  IDENTIFY_FIXED_BYTES,
  MAX_TRANSMITS,
  MODES,
  TRANSMIT_KINDS,
  codeOf,
  frameRfBytes,
  nameOf,
  payloadByteLength,
  problemIn,
} from './payload-layout.js';
import { HOST_IS_LITTLE_ENDIAN, PayloadLayoutError, PayloadReader, PayloadWriter } from './wire.js';

export { MAX_TRANSMITS, payloadByteLength, problemIn };

/** A frame whose payload does not match the layout or value ranges of its type. */
export interface BadPayload {
  kind: 'badPayload';
  type: number;
  typeName: string;
  reason: string;
}

/** A frame of a type this host does not know (vendor debug, bootloader, a later version). */
export interface UnknownType {
  kind: 'unknownType';
  type: number;
  typeName: string;
  reason: string;
}

export type MessageParseResult = { ok: true; message: ProbeMessage } | { ok: false; error: BadPayload | UnknownType };

/** Thrown by the encoders for a message that violates the spec: fix the code that built it. */
export class PayloadEncodeError extends Error {
  override name = 'PayloadEncodeError';
  constructor(
    readonly typeName: string,
    readonly problem: string,
  ) {
    super(`cannot encode ${typeName}: ${problem}; fix the message before sending it (docs/probe-protocol.md)`);
  }
}

// ---- encode --------------------------------------------------------------------------------

/**
 * Validates `msg` and writes its payload into `target` at `offset` (which must have room for
 * `payloadByteLength(msg)` bytes). Returns the offset after the payload. This is what the
 * encoder uses to put header and payload into one Buffer without an intermediate copy.
 */
export function writePayload(msg: ProbeMessage, target: Buffer, offset: number): number {
  const problem = problemIn(msg);
  if (problem !== null) throw new PayloadEncodeError(messageTypeName(msg.type), problem);
  const w = new PayloadWriter(target, offset);
  switch (msg.type) {
    case MessageType.IDENTIFY_REQUEST:
      w.u8(msg.body.hostMinVersion);
      w.u8(msg.body.hostMaxVersion);
      break;
    case MessageType.IDENTIFY: {
      const m = msg.body;
      const g = m.geometry;
      w.u8(m.probeMinVersion);
      w.u8(m.probeMaxVersion);
      w.u8(m.selectedVersion);
      w.u8(codeOf(ARRAY_KINDS, g.kind));
      w.u16(g.elementCount);
      w.zeros(2);
      w.f32(g.pitchM);
      w.f32(g.radiusM);
      w.f32(g.centerFrequencyHz);
      w.f32(g.samplingRateHz);
      w.f32(g.fractionalBandwidth);
      w.str(m.model);
      w.str(m.serial);
      w.str(m.firmwareVersion);
      break;
    }
    case MessageType.CONFIGURE: {
      const c = msg.body;
      w.u8(codeOf(MODES, c.mode));
      w.u8(codeOf(TRANSMIT_KINDS, c.transmits.kind));
      w.u16(c.transmits.parameters.length);
      w.f32(c.depthM);
      w.f32(c.gainDb);
      w.f32(c.frameRateHz);
      for (const p of c.transmits.parameters) w.f32(p);
      w.str(c.preset);
      break;
    }
    case MessageType.START:
    case MessageType.STOP:
      break;
    case MessageType.FREEZE:
      w.u8(msg.body.frozen ? 1 : 0);
      break;
    case MessageType.ACK:
      w.u32(msg.body.requestSeq);
      w.u8(msg.body.requestType);
      break;
    case MessageType.NACK:
      w.u32(msg.body.requestSeq);
      w.u8(msg.body.requestType);
      w.u16(msg.body.code);
      w.str(msg.body.reason);
      break;
    case MessageType.ERROR:
      w.u16(msg.body.code);
      w.u8(msg.body.severity);
      w.str(msg.body.message);
      break;
    case MessageType.STATUS:
      w.f32(msg.body.temperatureC);
      w.f32(msg.body.supplyVoltageV);
      w.u32(msg.body.errorFlags);
      w.i16(msg.body.batteryPercent);
      break;
    case MessageType.FRAME_RF:
      writeFrameRf(w, msg.body);
      break;
    case MessageType.FRAME_BMODE:
      writeFrameBmode(w, msg.body);
      break;
  }
  return w.pos;
}

function writeFrameRf(w: PayloadWriter, f: FrameRf): void {
  w.u32(f.frameIndex);
  w.u16(f.transmitCount);
  w.u16(f.elementCount);
  w.u32(f.sampleCount);
  w.u8(codeOf(TRANSMIT_KINDS, f.transmits.kind));
  w.zeros(3);
  w.f32(f.soundSpeedMps);
  w.f32(f.samplingRateHz);
  w.f32(f.centerFrequencyHz);
  w.f32(f.t0S);
  w.f32(f.gainDb);
  for (const p of f.transmits.parameters) w.f32(p);
  if (HOST_IS_LITTLE_ENDIAN) {
    // One memcpy each for delays and samples: the bulk of a multi-MB frame.
    w.raw(f.transmitDelaysS);
    w.raw(f.samples);
  } else {
    for (const d of f.transmitDelaysS) w.f32(d);
    for (const s of f.samples) w.i16(s);
  }
}

function writeFrameBmode(w: PayloadWriter, f: FrameBmode): void {
  const g = f.geometry;
  w.u32(f.frameIndex);
  w.u16(f.width);
  w.u16(f.height);
  w.u8(g.kind === 'polar' ? 0 : 1);
  w.zeros(3);
  w.f32(f.dynamicRangeDb);
  const five = g.kind === 'polar' ? [g.rMinM, g.rMaxM, g.thetaMinRad, g.thetaMaxRad, g.apothemM] : [g.xMinM, g.xMaxM, g.zMinM, g.zMaxM, 0];
  for (const v of five) w.f32(v);
  w.raw(f.pixels);
}

/** Allocates and returns the payload alone (tests, tools). The encoder avoids this extra copy. */
export function encodePayload(msg: ProbeMessage): Buffer {
  const b = Buffer.allocUnsafe(payloadByteLength(msg));
  writePayload(msg, b, 0);
  return b;
}

// ---- parse ---------------------------------------------------------------------------------

/** Turns a raw frame from the decoder into a typed message, or says why it cannot. */
export function parseMessage(raw: { header: { type: number }; payload: Buffer }): MessageParseResult {
  return parsePayload(raw.header.type, raw.payload);
}

export function parsePayload(type: number, payload: Buffer): MessageParseResult {
  const typeName = messageTypeName(type);
  let message: ProbeMessage | null;
  try {
    message = decodeBody(type, new PayloadReader(payload));
  } catch (err) {
    if (err instanceof PayloadLayoutError) return { ok: false, error: { kind: 'badPayload', type, typeName, reason: err.message } };
    throw err; // a bug in this file, not bad input
  }
  if (message === null) {
    return { ok: false, error: { kind: 'unknownType', type, typeName, reason: `type 0x${type.toString(16).padStart(2, '0')} is not part of protocol v1` } };
  }
  const problem = problemIn(message);
  if (problem !== null) return { ok: false, error: { kind: 'badPayload', type, typeName, reason: problem } };
  return { ok: true, message };
}

function decodeBody(type: number, r: PayloadReader): ProbeMessage | null {
  switch (type) {
    case MessageType.IDENTIFY_REQUEST: {
      const body: IdentifyRequest = { hostMinVersion: r.u8(), hostMaxVersion: r.u8() };
      r.end();
      return { type, body };
    }
    case MessageType.IDENTIFY:
      return { type, body: decodeIdentify(r) };
    case MessageType.CONFIGURE:
      return { type, body: decodeConfigure(r) };
    case MessageType.START:
    case MessageType.STOP:
      r.end();
      return { type, body: null };
    case MessageType.FREEZE: {
      const v = r.u8();
      r.end();
      if (v > 1) throw new PayloadLayoutError(`frozen byte ${v} is not 0 or 1`);
      return { type, body: { frozen: v === 1 } };
    }
    case MessageType.ACK: {
      const body: Ack = { requestSeq: r.u32(), requestType: r.u8() };
      r.end();
      return { type, body };
    }
    case MessageType.NACK: {
      const body: Nack = { requestSeq: r.u32(), requestType: r.u8(), code: r.u16(), reason: r.str('reason') };
      r.end();
      return { type, body };
    }
    case MessageType.ERROR: {
      const body: ProbeError = { code: r.u16(), severity: r.u8(), message: r.str('message') };
      r.end();
      return { type, body };
    }
    case MessageType.STATUS: {
      const body: Status = { temperatureC: r.f32(), supplyVoltageV: r.f32(), errorFlags: r.u32(), batteryPercent: r.i16() };
      r.end();
      return { type, body };
    }
    case MessageType.FRAME_RF:
      return { type, body: decodeFrameRf(r) };
    case MessageType.FRAME_BMODE:
      return { type, body: decodeFrameBmode(r) };
    default:
      return null;
  }
}

function decodeIdentify(r: PayloadReader): Identify {
  r.need(IDENTIFY_FIXED_BYTES, 'IDENTIFY fixed fields');
  const probeMinVersion = r.u8();
  const probeMaxVersion = r.u8();
  const selectedVersion = r.u8();
  const kind = nameOf(ARRAY_KINDS, r.u8(), 'arrayKind');
  const elementCount = r.u16();
  r.skip(2); // reserved: ignored so that a later version may use it
  const pitchM = r.f32();
  const radiusM = r.f32();
  const centerFrequencyHz = r.f32();
  const samplingRateHz = r.f32();
  const fractionalBandwidth = r.f32();
  const model = r.str('model');
  const serial = r.str('serial');
  const firmwareVersion = r.str('firmwareVersion');
  r.end();
  return {
    probeMinVersion,
    probeMaxVersion,
    selectedVersion,
    model,
    serial,
    firmwareVersion,
    geometry: { kind, elementCount, pitchM, radiusM, centerFrequencyHz, samplingRateHz, fractionalBandwidth },
  };
}

function decodeConfigure(r: PayloadReader): Configure {
  r.need(CONFIGURE_FIXED_BYTES, 'CONFIGURE fixed fields');
  const mode = nameOf(MODES, r.u8(), 'mode');
  const kind = nameOf(TRANSMIT_KINDS, r.u8(), 'transmitKind');
  const count = r.u16();
  if (count < 1 || count > MAX_TRANSMITS) throw new PayloadLayoutError(`transmitCount ${count} is outside 1..${MAX_TRANSMITS}`);
  const depthM = r.f32();
  const gainDb = r.f32();
  const frameRateHz = r.f32();
  const parameters: number[] = [];
  for (let i = 0; i < count; i++) parameters.push(r.f32());
  const preset = r.str('preset');
  r.end();
  return { preset, depthM, gainDb, mode, frameRateHz, transmits: { kind, parameters } };
}

function decodeFrameRf(r: PayloadReader): FrameRf {
  r.need(FRAME_RF_FIXED_BYTES, 'FRAME_RF fixed fields');
  const frameIndex = r.u32();
  const transmitCount = r.u16();
  const elementCount = r.u16();
  const sampleCount = r.u32();
  const kind = nameOf(TRANSMIT_KINDS, r.u8(), 'transmitKind');
  r.skip(3);
  const soundSpeedMps = r.f32();
  const samplingRateHz = r.f32();
  const centerFrequencyHz = r.f32();
  const t0S = r.f32();
  const gainDb = r.f32();
  const t = transmitCount;
  const e = elementCount;
  if (t < 1 || t > MAX_TRANSMITS) throw new PayloadLayoutError(`transmitCount ${t} is outside 1..${MAX_TRANSMITS}`);
  if (e < 1 || sampleCount < 1) throw new PayloadLayoutError(`elementCount ${e} and sampleCount ${sampleCount} must both be >= 1`);
  // Check the length before building any view: a lying header must not size an allocation.
  // The product may exceed 2^53 for absurd counts; it then cannot equal a real payload length.
  const expected = frameRfBytes(t, e, sampleCount);
  if (r.buf.length !== expected) {
    throw new PayloadLayoutError(`FRAME_RF payload is ${r.buf.length} bytes; T=${t}, E=${e}, S=${sampleCount} needs exactly ${expected}`);
  }
  const parameters: number[] = [];
  for (let i = 0; i < t; i++) parameters.push(r.f32());
  const transmitDelaysS = float32s(r, t * e);
  const samples = int16s(r, t * e * sampleCount);
  r.end();
  return {
    frameIndex,
    soundSpeedMps,
    samplingRateHz,
    centerFrequencyHz,
    t0S,
    transmits: { kind, parameters },
    transmitDelaysS,
    transmitCount,
    elementCount,
    sampleCount,
    gainDb,
    samples,
  };
}

function decodeFrameBmode(r: PayloadReader): FrameBmode {
  r.need(FRAME_BMODE_FIXED_BYTES, 'FRAME_BMODE fixed fields');
  const frameIndex = r.u32();
  const width = r.u16();
  const height = r.u16();
  const geometryCode = r.u8();
  r.skip(3);
  const dynamicRangeDb = r.f32();
  const a = r.f32();
  const b = r.f32();
  const c = r.f32();
  const d = r.f32();
  const fifth = r.f32();
  let geometry: ImageGeometry;
  if (geometryCode === 0) geometry = { kind: 'polar', rMinM: a, rMaxM: b, thetaMinRad: c, thetaMaxRad: d, apothemM: fifth };
  else if (geometryCode === 1) geometry = { kind: 'cartesian', xMinM: a, xMaxM: b, zMinM: c, zMaxM: d };
  else throw new PayloadLayoutError(`geometryKind code ${geometryCode} is not 0 (polar) or 1 (cartesian)`);
  const expected = FRAME_BMODE_FIXED_BYTES + width * height;
  if (r.buf.length !== expected) {
    throw new PayloadLayoutError(`FRAME_BMODE payload is ${r.buf.length} bytes; ${width}x${height} needs exactly ${expected}`);
  }
  const pixels = new Uint8Array(r.buf.buffer, r.buf.byteOffset + r.pos, width * height);
  r.pos += width * height;
  return { frameIndex, width, height, dynamicRangeDb, geometry, pixels };
}

/** A Float32Array over the next `count` values: a view when aligned, else a copy. */
function float32s(r: PayloadReader, count: number): Float32Array {
  r.need(count * 4, 'f32 array');
  const at = r.buf.byteOffset + r.pos;
  let out: Float32Array;
  if (HOST_IS_LITTLE_ENDIAN && at % 4 === 0) out = new Float32Array(r.buf.buffer, at, count);
  else {
    out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = r.buf.readFloatLE(r.pos + 4 * i);
  }
  r.pos += count * 4;
  return out;
}

/** An Int16Array over the next `count` values: a view when the offset is even, else one copy. */
function int16s(r: PayloadReader, count: number): Int16Array {
  r.need(count * 2, 'i16 array');
  const at = r.buf.byteOffset + r.pos;
  let out: Int16Array;
  if (HOST_IS_LITTLE_ENDIAN && at % 2 === 0) out = new Int16Array(r.buf.buffer, at, count);
  else if (HOST_IS_LITTLE_ENDIAN) {
    // Odd offset: copy the bytes into a fresh (aligned) buffer; still one memcpy.
    out = new Int16Array(count);
    new Uint8Array(out.buffer).set(r.buf.subarray(r.pos, r.pos + count * 2));
  } else {
    out = new Int16Array(count);
    for (let i = 0; i < count; i++) out[i] = r.buf.readInt16LE(r.pos + 2 * i);
  }
  r.pos += count * 2;
  return out;
}
