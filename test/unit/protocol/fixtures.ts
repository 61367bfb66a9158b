/** One valid message of every type, with float values exactly representable in binary32. */
import { type FrameRf, type ProbeMessage, MessageType } from '../../../drivers/protocol/messages.js';

const f = Math.fround;

export function smallFrameRf(frameIndex = 7, t = 2, e = 4, s = 8): FrameRf {
  const delays = new Float32Array(t * e);
  for (let ti = 0; ti < t; ti++) for (let ei = 0; ei < e; ei++) delays[ti * e + ei] = f(ei * 1e-7 * (ti + 1));
  const samples = new Int16Array(t * e * s);
  for (let i = 0; i < samples.length; i++) samples[i] = ((i * 7919) % 65536) - 32768;
  return {
    frameIndex,
    soundSpeedMps: 1540,
    samplingRateHz: 20e6,
    centerFrequencyHz: f(3.5e6),
    t0S: f(1.25e-6),
    transmits: { kind: 'diverging', parameters: Array.from({ length: t }, (_, i) => f(-0.01 + 0.01 * i)) },
    transmitDelaysS: delays,
    transmitCount: t,
    elementCount: e,
    sampleCount: s,
    gainDb: 12,
    samples,
  };
}

export function sampleMessages(): ProbeMessage[] {
  return [
    { type: MessageType.IDENTIFY_REQUEST, body: { hostMinVersion: 1, hostMaxVersion: 3 } },
    {
      type: MessageType.IDENTIFY,
      body: {
        probeMinVersion: 1,
        probeMaxVersion: 2,
        selectedVersion: 1,
        model: 'C5-2v',
        serial: 'SIM-0001',
        firmwareVersion: '1.4.2-ü',
        geometry: {
          kind: 'convex',
          elementCount: 128,
          pitchM: f(0.000508),
          radiusM: f(0.04957),
          centerFrequencyHz: f(3.57e6),
          samplingRateHz: f(20.8e6),
          fractionalBandwidth: f(0.79),
        },
      },
    },
    {
      type: MessageType.CONFIGURE,
      body: { preset: 'lung', depthM: f(0.12), gainDb: 6, mode: 'rf', frameRateHz: 20, transmits: { kind: 'plane', parameters: [f(-0.1), 0, f(0.1)] } },
    },
    { type: MessageType.START, body: null },
    { type: MessageType.STOP, body: null },
    { type: MessageType.FREEZE, body: { frozen: true } },
    { type: MessageType.ACK, body: { requestSeq: 0xfffffffe, requestType: MessageType.CONFIGURE } },
    { type: MessageType.NACK, body: { requestSeq: 42, requestType: MessageType.CONFIGURE, code: 3, reason: 'depth 0.5 m > 0.3 m' } },
    { type: MessageType.ERROR, body: { code: 17, severity: 2, message: 'transmit fault on element 12' } },
    { type: MessageType.STATUS, body: { temperatureC: f(36.6), supplyVoltageV: f(4.95), errorFlags: 0b10001, batteryPercent: -1 } },
    { type: MessageType.FRAME_RF, body: smallFrameRf() },
    {
      type: MessageType.FRAME_BMODE,
      body: {
        frameIndex: 3,
        width: 5,
        height: 3,
        dynamicRangeDb: 60,
        geometry: { kind: 'polar', rMinM: 0, rMaxM: f(0.16), thetaMinRad: f(-0.6), thetaMaxRad: f(0.6), apothemM: f(0.0413) },
        pixels: Uint8Array.from({ length: 15 }, (_, i) => i * 17),
      },
    },
    {
      type: MessageType.FRAME_BMODE,
      body: {
        frameIndex: 4,
        width: 2,
        height: 2,
        dynamicRangeDb: 50,
        geometry: { kind: 'cartesian', xMinM: f(-0.02), xMaxM: f(0.02), zMinM: 0, zMaxM: f(0.05) },
        pixels: Uint8Array.of(0, 64, 128, 255),
      },
    },
  ];
}

/** Plain-array form of a message, so deepEqual compares values and not typed-array backing stores. */
export function comparable(msg: ProbeMessage): unknown {
  return JSON.parse(
    JSON.stringify(msg, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v)),
  );
}
