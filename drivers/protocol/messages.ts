/**
 * Probe wire protocol v1: message types and their decoded payloads.
 * The byte layout of every payload is specified in docs/probe-protocol.md; the codecs that
 * implement it are in payloads.ts. Units are in the names (SI unless the name says otherwise).
 */

export const MessageType = {
  IDENTIFY_REQUEST: 0x01,
  IDENTIFY: 0x02,
  CONFIGURE: 0x03,
  START: 0x04,
  STOP: 0x05,
  FREEZE: 0x06,
  ACK: 0x08,
  NACK: 0x09,
  ERROR: 0x0a,
  STATUS: 0x10,
  FRAME_RF: 0x20,
  FRAME_BMODE: 0x21,
} as const;
export type MessageTypeName = keyof typeof MessageType;
export type MessageTypeCode = (typeof MessageType)[MessageTypeName];

/** 0x80..0x9f: bootloader (firmware update, issue "Field updates"). 0xe0..0xff: vendor debug. */
export const BOOTLOADER_RANGE = { first: 0x80, last: 0x9f } as const;
export const VENDOR_DEBUG_RANGE = { first: 0xe0, last: 0xff } as const;

export function messageTypeName(code: number): string {
  for (const [name, value] of Object.entries(MessageType)) if (value === code) return name;
  if (code >= BOOTLOADER_RANGE.first && code <= BOOTLOADER_RANGE.last) return `BOOTLOADER_0x${code.toString(16)}`;
  if (code >= VENDOR_DEBUG_RANGE.first && code <= VENDOR_DEBUG_RANGE.last) return `VENDOR_0x${code.toString(16)}`;
  return `UNKNOWN_0x${code.toString(16).padStart(2, '0')}`;
}

export type ArrayKind = 'linear' | 'convex';

/** Transducer geometry as the probe reports it in IDENTIFY. */
export interface TransducerGeometry {
  kind: ArrayKind;
  elementCount: number;
  pitchM: number;
  /** Radius of curvature; 0 for a linear array. */
  radiusM: number;
  centerFrequencyHz: number;
  /** RF sampling rate of the probe's ADCs. */
  samplingRateHz: number;
  /** -6 dB fractional bandwidth, e.g. 0.79 for 79 %. */
  fractionalBandwidth: number;
}

export interface IdentifyRequest {
  hostMinVersion: number;
  hostMaxVersion: number;
}

export interface Identify {
  probeMinVersion: number;
  probeMaxVersion: number;
  /** The version the probe will speak from now on: the highest both sides support. */
  selectedVersion: number;
  model: string;
  serial: string;
  firmwareVersion: string;
  geometry: TransducerGeometry;
}

export type AcquisitionMode = 'rf' | 'bmode';
export type TransmitKind = 'diverging' | 'plane';

/**
 * The transmit sequence of one frame. Diverging waves: virtual sources at (x, -apothem), one
 * per entry of `parameters` (metres). Plane waves: steering angles (radians), one per entry.
 */
export interface TransmitSequence {
  kind: TransmitKind;
  parameters: number[];
}

export interface Configure {
  preset: string;
  depthM: number;
  gainDb: number;
  mode: AcquisitionMode;
  frameRateHz: number;
  transmits: TransmitSequence;
}

export interface Freeze {
  frozen: boolean;
}

export interface Ack {
  /** Sequence number of the request being acknowledged. */
  requestSeq: number;
  requestType: number;
}

export const NackCode = {
  UNSUPPORTED_VERSION: 1,
  BAD_PAYLOAD: 2,
  OUT_OF_RANGE: 3,
  BUSY: 4,
  UNKNOWN_TYPE: 5,
  INTERNAL: 6,
  IMAGE_REJECTED: 7,
} as const;

export interface Nack extends Ack {
  code: number;
  reason: string;
}

export const ErrorSeverity = { INFO: 0, WARNING: 1, FAULT: 2 } as const;

export interface ProbeError {
  code: number;
  severity: number;
  message: string;
}

export const StatusFlag = {
  OVER_TEMPERATURE: 1 << 0,
  SUPPLY_OUT_OF_RANGE: 1 << 1,
  TRANSMIT_FAULT: 1 << 2,
  FRAME_OVERRUN: 1 << 3,
  FROZEN: 1 << 4,
} as const;

export interface Status {
  temperatureC: number;
  supplyVoltageV: number;
  errorFlags: number;
  /** Battery state of charge in percent, or -1 where the probe has no battery. */
  batteryPercent: number;
}

/**
 * One RF frame: int16 channel data `[transmit][element][sample]` (sample fastest) with what a
 * beamformer needs. Sample s of every channel was taken at `t0S + s / samplingRateHz`, where time
 * zero is the instant the first element of that transmit fires.
 */
export interface FrameRf {
  frameIndex: number;
  soundSpeedMps: number;
  samplingRateHz: number;
  centerFrequencyHz: number;
  t0S: number;
  transmits: TransmitSequence;
  /** Per-transmit, per-element transmit delays in seconds, `[transmit][element]`, min 0 per transmit. */
  transmitDelaysS: Float32Array;
  transmitCount: number;
  elementCount: number;
  sampleCount: number;
  /** Volts per ADC count is not meaningful here; gainDb is the analogue gain that was applied. */
  gainDb: number;
  samples: Int16Array;
}

/**
 * Image geometry for a B-mode frame. `polar`: rows are radii from the centre of curvature
 * (rows evenly spaced from rMinM to rMaxM), columns angles (evenly spaced from thetaMinRad to
 * thetaMaxRad, 0 = straight down), apothem as in the RF datasets. `cartesian`: rows are depth z,
 * columns lateral x.
 */
export type ImageGeometry =
  | { kind: 'polar'; rMinM: number; rMaxM: number; thetaMinRad: number; thetaMaxRad: number; apothemM: number }
  | { kind: 'cartesian'; xMinM: number; xMaxM: number; zMinM: number; zMaxM: number };

export interface FrameBmode {
  frameIndex: number;
  width: number;
  height: number;
  dynamicRangeDb: number;
  geometry: ImageGeometry;
  /** 8-bit log-compressed image, row-major `[row][column]`. */
  pixels: Uint8Array;
}

/** A decoded message: header fields plus a payload typed by the message type. */
export type ProbeMessage =
  | { type: typeof MessageType.IDENTIFY_REQUEST; body: IdentifyRequest }
  | { type: typeof MessageType.IDENTIFY; body: Identify }
  | { type: typeof MessageType.CONFIGURE; body: Configure }
  | { type: typeof MessageType.START; body: null }
  | { type: typeof MessageType.STOP; body: null }
  | { type: typeof MessageType.FREEZE; body: Freeze }
  | { type: typeof MessageType.ACK; body: Ack }
  | { type: typeof MessageType.NACK; body: Nack }
  | { type: typeof MessageType.ERROR; body: ProbeError }
  | { type: typeof MessageType.STATUS; body: Status }
  | { type: typeof MessageType.FRAME_RF; body: FrameRf }
  | { type: typeof MessageType.FRAME_BMODE; body: FrameBmode };
