/**
 * What a cached simulation loop is: everything that decides its frames (probe, scene, seed,
 * depth, transmit sequence, mode, loop rate, noise). Gain and frame rate are not in it: gain is
 * applied when a frame is played (the loop is simulated at 0 dB), and frames are picked by time.
 * Its key, a hash of all of it, names the files in the cache folder.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { AcquisitionMode, TransmitSequence } from '../../protocol/messages.js';
import type { SceneSpec } from '../scene/spec.js';

/**
 * Bump when the physics or the scene model changes what a frame looks like, so that loops cached
 * by an older simulator are rebuilt instead of replayed.
 */
export const LOOP_PHYSICS_VERSION = 1;

export interface LoopSpec {
  physicsVersion: number;
  probeModel: string;
  scene: SceneSpec;
  seed: number;
  depthM: number;
  transmits: TransmitSequence;
  mode: AcquisitionMode;
  /** Frames per second of scene time in the loop. */
  loopRateHz: number;
  noiseDbBelowFullScale: number;
}

export function loopKey(spec: LoopSpec): string {
  return createHash('sha256').update(stableJson(spec)).digest('hex').slice(0, 24);
}

/** JSON with sorted keys, so equal specs hash equally whatever their key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** One breath, rounded to whole frames: the loop closes without a jump. */
export function loopFrameCount(spec: LoopSpec): number {
  return Math.max(1, Math.round((60 / spec.scene.breathing.ratePerMin) * spec.loopRateHz));
}

/** Scene time of slot k: the breath divided evenly. */
export function loopSlotTimeS(spec: LoopSpec, slot: number): number {
  return (slot * (60 / spec.scene.breathing.ratePerMin)) / loopFrameCount(spec);
}

/** --cache-dir, else $PLEURA_SIM_CACHE, else $XDG_CACHE_HOME/pleura/sim, else ~/.cache/pleura/sim. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLEURA_SIM_CACHE) return env.PLEURA_SIM_CACHE;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pleura', 'sim');
}
