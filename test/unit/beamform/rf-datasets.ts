/**
 * Access to the shared reference RF datasets (../shared/datasets/rf, beside the repository;
 * PLEURA_RF_DATASETS overrides). Tests that need them log what is missing and pass, so the
 * suite runs on a checkout without shared/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import type { TransducerGeometry } from '../../../drivers/protocol/messages.js';
import type { ChannelData } from '../../../pipeline/beamform/beamformer.js';
import type { ScanGrid } from '../../../pipeline/beamform/grid.js';

// Compiled to dist/test/unit/beamform/: five levels up is the directory holding the repository.
export const RF_DATASETS_DIR =
  process.env.PLEURA_RF_DATASETS ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/datasets/rf');

export type DatasetName = 'convex_dw_lung' | 'linear_pw_points' | 'linear_pw_cysts';
export const DATASET_NAMES: readonly DatasetName[] = ['convex_dw_lung', 'linear_pw_points', 'linear_pw_cysts'];

export interface ChannelsJson {
  binary: { shape: [number, number, number] };
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

interface Axis {
  start: number;
  step?: number;
  stop?: number;
  count: number;
}

export interface DasJson {
  grid:
    | { type: 'polar'; r_m: Axis; theta_rad: Axis; radius_of_curvature_m: number }
    | { type: 'cartesian'; x_m: Axis; z_m: Axis };
}

/** The dataset folder, or null after logging which path is missing. */
export function datasetDir(t: ExecutionContext, name: DatasetName): string | null {
  const dir = path.join(RF_DATASETS_DIR, name);
  if (!fs.existsSync(path.join(dir, 'channels.json'))) {
    t.log(`skipped: reference dataset not found at ${dir} (expected ../shared/datasets/rf beside the repository, or set PLEURA_RF_DATASETS)`);
    return null;
  }
  return dir;
}

export function readJson<T>(dir: string, file: string): T {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;
}

export function readFloat32(dir: string, file: string): Float32Array {
  const b = fs.readFileSync(path.join(dir, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

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

export function channelDataOf(dir: string, ch: ChannelsJson): ChannelData {
  const [T, E, S] = ch.binary.shape;
  const delays = new Float64Array(T * E);
  ch.acquisition.transmits.forEach((tx, k) => tx.delays_s.forEach((d, e) => (delays[k * E + e] = d)));
  return {
    transmitCount: T,
    elementCount: E,
    sampleCount: S,
    samples: readFloat32(dir, 'channels.f32'),
    samplingRateHz: ch.acquisition.sampling_frequency_hz,
    centerFrequencyHz: ch.probe.center_frequency_hz,
    t0S: ch.acquisition.t0_s,
    soundSpeedMps: ch.acquisition.speed_of_sound_m_s,
    transmitDelaysS: delays,
  };
}

export function gridOf(das: DasJson, ch: ChannelsJson): ScanGrid {
  const g = das.grid;
  if (g.type === 'polar') {
    return {
      kind: 'polar',
      rMinM: g.r_m.start,
      rMaxM: g.r_m.start + g.r_m.step! * (g.r_m.count - 1),
      thetaMinRad: g.theta_rad.start,
      thetaMaxRad: g.theta_rad.stop!,
      apothemM: ch.probe.apothem_h_m!,
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

export { compareEnvelopes } from '../../../pipeline/metrics/agreement.js';
