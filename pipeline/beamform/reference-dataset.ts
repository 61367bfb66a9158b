/**
 * Reading a reference RF dataset (../shared/datasets/rf/<name>/, described in its README):
 * channel data and acquisition (channels.json + channels.f32), the reference DAS grid and
 * metrics (das.json), the phantom truth (phantom.json). Turns them into this project's data
 * model: a TransducerGeometry, ChannelData and the ScanGrid of the reference images.
 *
 * @example
 *   const ds = loadReferenceDataset('../shared/datasets/rf/convex_dw_lung');
 *   const image = new FastBeamformer(ds.probe, ds.grid).beamform(ds.frame);
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TransducerGeometry } from '../../drivers/protocol/messages.js';
import type { ChannelData } from './beamformer.js';
import type { ScanGrid } from './grid.js';
import { elementGeometry } from './probe-geometry.js';

export class DatasetError extends Error {
  override name = 'DatasetError';
}

export interface ChannelsJson {
  binary: { shape: [number, number, number]; file?: string };
  probe: {
    type: 'convex' | 'linear';
    n_elements: number;
    pitch_m: number;
    radius_of_curvature_m: number | null;
    center_frequency_hz: number;
    fractional_bandwidth_6db_percent: number;
    element_x_m: number[];
    element_z_m: number[];
    element_normal_angle_rad: number[];
    apothem_h_m?: number;
  };
  acquisition: {
    sampling_frequency_hz: number;
    speed_of_sound_m_s: number;
    t0_s: number;
    transmits: Array<{ delays_s: number[]; virtual_source_m?: [number, number]; steering_angle_deg?: number }>;
  };
}

export interface GridAxis {
  start: number;
  step?: number;
  stop?: number;
  count: number;
}

export type DasGridJson = { type: 'polar'; r_m: GridAxis; theta_rad: GridAxis; radius_of_curvature_m: number } | { type: 'cartesian'; x_m: GridAxis; z_m: GridAxis };

/** A point-target measurement as stored in das.json. */
export interface PointMetricJson {
  x_true_mm: number;
  z_true_mm: number;
  x_peak_mm: number;
  z_peak_mm: number;
  peak_db: number;
  fwhm_axial_mm: number;
  fwhm_lateral_mm: number;
}

export interface CystMetricJson {
  cnr_picmus_db: number;
  cnr_linear: number;
  contrast_db: number;
  mean_db_inside: number;
  mean_db_outside: number;
  n_inside: number;
  n_outside: number;
  cyst: { x_mm: number; z_mm: number; r_mm: number; contrast_db: number };
  r_inner_mm: number;
  r_outer1_mm: number;
  r_outer2_mm: number;
}

export interface ImageMetricsJson {
  points?: PointMetricJson[];
  points_polar_grid?: PointMetricJson[];
  points_fine_cartesian_patch_0p05mm?: PointMetricJson[];
  cysts?: CystMetricJson[];
  inclusions?: CystMetricJson[];
  speckle_snr_background?: number;
}

export interface DasJson {
  grid: DasGridJson;
  metrics: { compound: ImageMetricsJson; single: ImageMetricsJson };
  method?: Record<string, unknown>;
}

export interface PhantomJson {
  seed: number;
  points_mm?: Array<[number, number]>;
  cysts?: Array<{ x_mm: number; z_mm: number; r_mm: number; contrast_db: number }>;
  description?: string;
}

export interface ReferenceDataset {
  dir: string;
  name: string;
  channels: ChannelsJson;
  das: DasJson;
  phantom: PhantomJson | null;
  probe: TransducerGeometry;
  frame: ChannelData;
  /** The grid of the reference images (das.json). */
  grid: ScanGrid;
  /** The transmit of das_envelope_single (the central one). */
  centralTransmit: number;
}

export function readJsonFile<T>(file: string): T {
  if (!fs.existsSync(file)) throw new DatasetError(`${file} not found; a reference dataset folder holds channels.json, channels.f32, das.json (../shared/datasets/rf/README.md)`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new DatasetError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** A little-endian float32 file; the Buffer is copied because it may not be 4-byte aligned. */
export function readFloat32File(file: string, expectedCount?: number): Float32Array {
  if (!fs.existsSync(file)) throw new DatasetError(`${file} not found`);
  const b = fs.readFileSync(file);
  if (b.byteLength % 4 !== 0) throw new DatasetError(`${file}: ${b.byteLength} bytes is not a whole number of float32 values`);
  const values = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  if (expectedCount !== undefined && values.length !== expectedCount) {
    throw new DatasetError(`${file}: expected ${expectedCount} float32 values, found ${values.length}`);
  }
  return values;
}

/** The transducer a dataset was recorded with, as the probe would report it in IDENTIFY. */
export function probeOf(ch: ChannelsJson): TransducerGeometry {
  return {
    kind: ch.probe.type,
    elementCount: ch.probe.n_elements,
    pitchM: ch.probe.pitch_m,
    radiusM: ch.probe.radius_of_curvature_m ?? 0,
    centerFrequencyHz: ch.probe.center_frequency_hz,
    samplingRateHz: ch.acquisition.sampling_frequency_hz,
    fractionalBandwidth: ch.probe.fractional_bandwidth_6db_percent / 100,
  };
}

/**
 * The beamformer derives element positions from (kind, count, pitch, radius); the dataset lists
 * them. Refuse a dataset whose listed positions differ, rather than beamform it wrongly.
 */
function checkElementPositions(ch: ChannelsJson, probe: TransducerGeometry, file: string): void {
  const el = elementGeometry(probe);
  let worst = 0;
  for (let e = 0; e < el.count; e++) {
    worst = Math.max(worst, Math.abs(el.xM[e]! - ch.probe.element_x_m[e]!), Math.abs(el.zM[e]! - ch.probe.element_z_m[e]!));
  }
  if (worst > 1e-6) {
    throw new DatasetError(`${file}: listed element positions differ from a regular ${probe.kind} array of pitch ${probe.pitchM} m by up to ${(worst * 1e6).toFixed(1)} µm; this beamformer supports regular arrays only`);
  }
}

function gridOf(das: DasJson, ch: ChannelsJson, file: string): ScanGrid {
  const g = das.grid;
  if (g.type === 'polar') {
    if (ch.probe.apothem_h_m === undefined) throw new DatasetError(`${file}: a polar grid needs probe.apothem_h_m in channels.json`);
    return {
      kind: 'polar',
      rMinM: g.r_m.start,
      rMaxM: g.r_m.start + g.r_m.step! * (g.r_m.count - 1),
      thetaMinRad: g.theta_rad.start,
      thetaMaxRad: g.theta_rad.stop!,
      apothemM: ch.probe.apothem_h_m,
      rowCount: g.r_m.count,
      colCount: g.theta_rad.count,
    };
  }
  return {
    kind: 'cartesian',
    xMinM: g.x_m.start,
    xMaxM: g.x_m.start + g.x_m.step! * (g.x_m.count - 1),
    zMinM: g.z_m.start,
    zMaxM: g.z_m.start + g.z_m.step! * (g.z_m.count - 1),
    rowCount: g.z_m.count,
    colCount: g.x_m.count,
  };
}

export function loadReferenceDataset(dir: string): ReferenceDataset {
  const channelsFile = path.join(dir, 'channels.json');
  const channels = readJsonFile<ChannelsJson>(channelsFile);
  const das = readJsonFile<DasJson>(path.join(dir, 'das.json'));
  const phantomFile = path.join(dir, 'phantom.json');
  const phantom = fs.existsSync(phantomFile) ? readJsonFile<PhantomJson>(phantomFile) : null;
  const [T, E, S] = channels.binary.shape;
  if (channels.acquisition.transmits.length !== T) throw new DatasetError(`${channelsFile}: ${channels.acquisition.transmits.length} transmits listed, binary shape says ${T}`);
  const probe = probeOf(channels);
  checkElementPositions(channels, probe, channelsFile);
  const delays = new Float64Array(T * E);
  channels.acquisition.transmits.forEach((tx, k) => {
    if (tx.delays_s.length !== E) throw new DatasetError(`${channelsFile}: transmit ${k} has ${tx.delays_s.length} delays for ${E} elements`);
    tx.delays_s.forEach((d, e) => (delays[k * E + e] = d));
  });
  const frame: ChannelData = {
    transmitCount: T,
    elementCount: E,
    sampleCount: S,
    samples: readFloat32File(path.join(dir, channels.binary.file ?? 'channels.f32'), T * E * S),
    samplingRateHz: channels.acquisition.sampling_frequency_hz,
    centerFrequencyHz: channels.probe.center_frequency_hz,
    t0S: channels.acquisition.t0_s,
    soundSpeedMps: channels.acquisition.speed_of_sound_m_s,
    transmitDelaysS: delays,
  };
  return {
    dir,
    name: path.basename(path.resolve(dir)),
    channels,
    das,
    phantom,
    probe,
    frame,
    grid: gridOf(das, channels, path.join(dir, 'das.json')),
    centralTransmit: Math.floor(T / 2),
  };
}
