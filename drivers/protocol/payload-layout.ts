/**
 * What encoding and parsing agree on for every payload of protocol v1: fixed sizes, enum codes,
 * and the value ranges of docs/probe-protocol.md. The encoder refuses what `problemIn` objects
 * to and the parser reports it as a bad payload, so both directions accept exactly the same
 * messages.
 */
import { MAX_PAYLOAD_BYTES } from './header.js';
import {
  type Ack,
  type Configure,
  type FrameBmode,
  type FrameRf,
  type Identify,
  type ImageGeometry,
  type Nack,
  type ProbeError,
  type ProbeMessage,
  type Status,
  type TransmitSequence,
  ErrorSeverity,
  MessageType,
  NackCode,
} from './messages.js';
import { MAX_STR_BYTES, PayloadLayoutError, strBytes } from './wire.js';

export const MAX_TRANSMITS = 64;
export const FRAME_RF_FIXED_BYTES = 36;
export const FRAME_BMODE_FIXED_BYTES = 36;
export const IDENTIFY_FIXED_BYTES = 28;
export const CONFIGURE_FIXED_BYTES = 16;

// ---- enum codes ----------------------------------------------------------------------------

export const ARRAY_KINDS = ['linear', 'convex'] as const;
export const MODES = ['rf', 'bmode'] as const;
export const TRANSMIT_KINDS = ['diverging', 'plane'] as const;
const NACK_CODES = new Set<number>(Object.values(NackCode));
const SEVERITIES = new Set<number>(Object.values(ErrorSeverity));

export function codeOf<T extends string>(names: readonly T[], name: T): number {
  return names.indexOf(name);
}
export function nameOf<T extends string>(names: readonly T[], code: number, field: string): T {
  const name = names[code];
  if (name === undefined) throw new PayloadLayoutError(`${field} code ${code} is not one of 0..${names.length - 1}`);
  return name;
}

// ---- shared range checks -------------------------------------------------------------------

const isUint = (v: number, max: number): boolean => Number.isInteger(v) && v >= 0 && v <= max;
/** Finite after rounding to binary32, i.e. representable on the wire. */
const isF32 = (v: number): boolean => Number.isFinite(Math.fround(v));
const isPositiveF32 = (v: number): boolean => isF32(v) && Math.fround(v) > 0;
const strProblem = (field: string, s: string): string | null =>
  typeof s !== 'string'
    ? `${field} is not a string`
    : Buffer.byteLength(s, 'utf8') > MAX_STR_BYTES
      ? `${field} is ${Buffer.byteLength(s, 'utf8')} bytes of UTF-8, more than ${MAX_STR_BYTES}`
      : null;

function versionRangeProblem(what: string, min: number, max: number): string | null {
  if (!isUint(min, 255) || !isUint(max, 255) || min < 1 || min > max) {
    return `${what} version range ${min}..${max} must satisfy 1 <= min <= max <= 255`;
  }
  return null;
}

function transmitsProblem(t: TransmitSequence): string | null {
  if (!TRANSMIT_KINDS.includes(t.kind)) return `transmit kind ${String(t.kind)} is not diverging or plane`;
  const n = t.parameters.length;
  if (n < 1 || n > MAX_TRANSMITS) return `transmit count ${n} is outside 1..${MAX_TRANSMITS}`;
  for (let i = 0; i < n; i++) if (!isF32(t.parameters[i]!)) return `transmit parameter ${i} (${t.parameters[i]}) is not finite`;
  return null;
}

function identifyProblem(m: Identify): string | null {
  const g = m.geometry;
  return (
    versionRangeProblem('probe', m.probeMinVersion, m.probeMaxVersion) ??
    (m.selectedVersion !== 0 && !(m.selectedVersion >= m.probeMinVersion && m.selectedVersion <= m.probeMaxVersion)
      ? `selectedVersion ${m.selectedVersion} is neither 0 nor inside the probe's range ${m.probeMinVersion}..${m.probeMaxVersion}`
      : null) ??
    (!isUint(m.selectedVersion, 255) ? `selectedVersion ${m.selectedVersion} is not a u8` : null) ??
    (!ARRAY_KINDS.includes(g.kind) ? `array kind ${String(g.kind)} is not linear or convex` : null) ??
    (!isUint(g.elementCount, 0xffff) || g.elementCount < 1 ? `elementCount ${g.elementCount} is outside 1..65535` : null) ??
    (!isPositiveF32(g.pitchM) ? `pitchM ${g.pitchM} must be > 0` : null) ??
    (g.kind === 'linear' && g.radiusM !== 0 ? `radiusM ${g.radiusM} must be 0 for a linear array` : null) ??
    (g.kind === 'convex' && !isPositiveF32(g.radiusM) ? `radiusM ${g.radiusM} must be > 0 for a convex array` : null) ??
    (!isPositiveF32(g.centerFrequencyHz) ? `centerFrequencyHz ${g.centerFrequencyHz} must be > 0` : null) ??
    (!isPositiveF32(g.samplingRateHz) ? `samplingRateHz ${g.samplingRateHz} must be > 0` : null) ??
    (!isPositiveF32(g.fractionalBandwidth) ? `fractionalBandwidth ${g.fractionalBandwidth} must be > 0` : null) ??
    strProblem('model', m.model) ??
    strProblem('serial', m.serial) ??
    strProblem('firmwareVersion', m.firmwareVersion)
  );
}

function configureProblem(c: Configure): string | null {
  return (
    (!MODES.includes(c.mode) ? `mode ${String(c.mode)} is not rf or bmode` : null) ??
    transmitsProblem(c.transmits) ??
    (!isPositiveF32(c.depthM) ? `depthM ${c.depthM} must be > 0` : null) ??
    (!isF32(c.gainDb) ? `gainDb ${c.gainDb} is not finite` : null) ??
    (!isPositiveF32(c.frameRateHz) ? `frameRateHz ${c.frameRateHz} must be > 0` : null) ??
    strProblem('preset', c.preset)
  );
}

function ackProblem(a: Ack): string | null {
  if (!isUint(a.requestSeq, 0xffffffff)) return `requestSeq ${a.requestSeq} is not a u32`;
  if (!isUint(a.requestType, 0xff)) return `requestType ${a.requestType} is not a u8`;
  return null;
}

function nackProblem(n: Nack): string | null {
  return ackProblem(n) ?? (!NACK_CODES.has(n.code) ? `NACK code ${n.code} is not one of 1..6` : null) ?? strProblem('reason', n.reason);
}

function probeErrorProblem(e: ProbeError): string | null {
  if (!isUint(e.code, 0xffff)) return `error code ${e.code} is not a u16`;
  if (!SEVERITIES.has(e.severity)) return `severity ${e.severity} is not 0 (info), 1 (warning) or 2 (fault)`;
  return strProblem('message', e.message);
}

function statusProblem(s: Status): string | null {
  if (!isF32(s.temperatureC)) return `temperatureC ${s.temperatureC} is not finite`;
  if (!isF32(s.supplyVoltageV)) return `supplyVoltageV ${s.supplyVoltageV} is not finite`;
  if (!isUint(s.errorFlags, 0xffffffff)) return `errorFlags ${s.errorFlags} is not a u32`;
  if (!Number.isInteger(s.batteryPercent) || s.batteryPercent < -1 || s.batteryPercent > 100) {
    return `batteryPercent ${s.batteryPercent} is outside -1..100`;
  }
  return null;
}

function frameRfProblem(f: FrameRf): string | null {
  const { transmitCount: t, elementCount: e, sampleCount: s } = f;
  const basic =
    (!isUint(f.frameIndex, 0xffffffff) ? `frameIndex ${f.frameIndex} is not a u32` : null) ??
    transmitsProblem(f.transmits) ??
    (t !== f.transmits.parameters.length ? `transmitCount ${t} differs from ${f.transmits.parameters.length} transmit parameters` : null) ??
    (!isUint(e, 0xffff) || e < 1 ? `elementCount ${e} is outside 1..65535` : null) ??
    (!isUint(s, 0xffffffff) || s < 1 ? `sampleCount ${s} is outside 1..2^32-1` : null) ??
    (!isPositiveF32(f.soundSpeedMps) ? `soundSpeedMps ${f.soundSpeedMps} must be > 0` : null) ??
    (!isPositiveF32(f.samplingRateHz) ? `samplingRateHz ${f.samplingRateHz} must be > 0` : null) ??
    (!isPositiveF32(f.centerFrequencyHz) ? `centerFrequencyHz ${f.centerFrequencyHz} must be > 0` : null) ??
    (!isF32(f.t0S) ? `t0S ${f.t0S} is not finite` : null) ??
    (!isF32(f.gainDb) ? `gainDb ${f.gainDb} is not finite` : null) ??
    (f.transmitDelaysS.length !== t * e ? `transmitDelaysS has ${f.transmitDelaysS.length} values, expected T*E = ${t * e}` : null) ??
    (f.samples.length !== t * e * s ? `samples has ${f.samples.length} values, expected T*E*S = ${t * e * s}` : null) ??
    (frameRfBytes(t, e, s) > MAX_PAYLOAD_BYTES ? `payload of ${frameRfBytes(t, e, s)} bytes exceeds ${MAX_PAYLOAD_BYTES}` : null);
  if (basic) return basic;
  // The spec makes each transmit's delays start at 0: a beamformer relies on it for t0S.
  const d = f.transmitDelaysS;
  for (let ti = 0; ti < t; ti++) {
    let min = Infinity;
    for (let ei = ti * e; ei < (ti + 1) * e; ei++) {
      const v = d[ei]!;
      if (!Number.isFinite(v) || v < 0) return `transmit delay [${ti}][${ei - ti * e}] = ${v} s is not finite and >= 0`;
      if (v < min) min = v;
    }
    if (min !== 0) return `transmit ${ti}: minimum delay is ${min} s, must be exactly 0`;
  }
  return null;
}

function geometryProblem(g: ImageGeometry): string | null {
  const values =
    g.kind === 'polar' ? [g.rMinM, g.rMaxM, g.thetaMinRad, g.thetaMaxRad, g.apothemM] : g.kind === 'cartesian' ? [g.xMinM, g.xMaxM, g.zMinM, g.zMaxM] : null;
  if (!values) return `geometry kind ${String((g as { kind: unknown }).kind)} is not polar or cartesian`;
  if (!values.every(isF32)) return `${g.kind} geometry has a non-finite value`;
  if (g.kind === 'polar') {
    if (!(g.rMinM >= 0 && g.rMinM < g.rMaxM)) return `polar radii ${g.rMinM}..${g.rMaxM} m must satisfy 0 <= rMin < rMax`;
    if (!(g.thetaMinRad < g.thetaMaxRad)) return `polar angles ${g.thetaMinRad}..${g.thetaMaxRad} rad must increase`;
    if (!(g.apothemM >= 0)) return `apothemM ${g.apothemM} must be >= 0`;
  } else {
    if (!(g.xMinM < g.xMaxM)) return `cartesian x ${g.xMinM}..${g.xMaxM} m must increase`;
    if (!(g.zMinM < g.zMaxM)) return `cartesian z ${g.zMinM}..${g.zMaxM} m must increase`;
  }
  return null;
}

function frameBmodeProblem(f: FrameBmode): string | null {
  return (
    (!isUint(f.frameIndex, 0xffffffff) ? `frameIndex ${f.frameIndex} is not a u32` : null) ??
    (!isUint(f.width, 0xffff) || f.width < 1 ? `width ${f.width} is outside 1..65535` : null) ??
    (!isUint(f.height, 0xffff) || f.height < 1 ? `height ${f.height} is outside 1..65535` : null) ??
    (!isPositiveF32(f.dynamicRangeDb) ? `dynamicRangeDb ${f.dynamicRangeDb} must be > 0` : null) ??
    geometryProblem(f.geometry) ??
    (f.pixels.length !== f.width * f.height ? `pixels has ${f.pixels.length} values, expected width*height = ${f.width * f.height}` : null) ??
    (FRAME_BMODE_FIXED_BYTES + f.width * f.height > MAX_PAYLOAD_BYTES ? `image of ${f.width}x${f.height} exceeds ${MAX_PAYLOAD_BYTES} bytes` : null)
  );
}

/** The first thing wrong with a message's values, or null if it can go on the wire. */
export function problemIn(msg: ProbeMessage): string | null {
  switch (msg.type) {
    case MessageType.IDENTIFY_REQUEST:
      return versionRangeProblem('host', msg.body.hostMinVersion, msg.body.hostMaxVersion);
    case MessageType.IDENTIFY:
      return identifyProblem(msg.body);
    case MessageType.CONFIGURE:
      return configureProblem(msg.body);
    case MessageType.START:
    case MessageType.STOP:
      return null;
    case MessageType.FREEZE:
      return typeof msg.body.frozen === 'boolean' ? null : 'frozen is not a boolean';
    case MessageType.ACK:
      return ackProblem(msg.body);
    case MessageType.NACK:
      return nackProblem(msg.body);
    case MessageType.ERROR:
      return probeErrorProblem(msg.body);
    case MessageType.STATUS:
      return statusProblem(msg.body);
    case MessageType.FRAME_RF:
      return frameRfProblem(msg.body);
    case MessageType.FRAME_BMODE:
      return frameBmodeProblem(msg.body);
  }
}

// ---- sizes ---------------------------------------------------------------------------------

export function frameRfBytes(t: number, e: number, s: number): number {
  return FRAME_RF_FIXED_BYTES + 4 * t + 4 * t * e + 2 * t * e * s;
}

/** Exact payload size of a message on the wire (the message must be valid). */
export function payloadByteLength(msg: ProbeMessage): number {
  switch (msg.type) {
    case MessageType.IDENTIFY_REQUEST:
      return 2;
    case MessageType.IDENTIFY:
      return IDENTIFY_FIXED_BYTES + strBytes(msg.body.model) + strBytes(msg.body.serial) + strBytes(msg.body.firmwareVersion);
    case MessageType.CONFIGURE:
      return CONFIGURE_FIXED_BYTES + 4 * msg.body.transmits.parameters.length + strBytes(msg.body.preset);
    case MessageType.START:
    case MessageType.STOP:
      return 0;
    case MessageType.FREEZE:
      return 1;
    case MessageType.ACK:
      return 5;
    case MessageType.NACK:
      return 7 + strBytes(msg.body.reason);
    case MessageType.ERROR:
      return 3 + strBytes(msg.body.message);
    case MessageType.STATUS:
      return 14;
    case MessageType.FRAME_RF:
      return frameRfBytes(msg.body.transmitCount, msg.body.elementCount, msg.body.sampleCount);
    case MessageType.FRAME_BMODE:
      return FRAME_BMODE_FIXED_BYTES + msg.body.width * msg.body.height;
  }
}
