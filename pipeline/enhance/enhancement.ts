/**
 * Image enhancement steps on a linear envelope, and their settings as the configuration holds
 * them (device/config/schema.ts, `pipeline.beamform.coherenceFactor` and
 * `pipeline.enhance.{speckleReduction, persistence, autoGain}`, each with `enabled`):
 *
 *   cf           coherence-factor weighting (coherence.ts); needs the beamformer's CF
 *   srad         speckle-reducing anisotropic diffusion (speckle-filter.ts)
 *   agc          automatic depth gain (auto-gain.ts)
 *   persistence  temporal averaging over frames (persistence.ts); a sequence, not one image
 *
 * `parseEnhancementList('cf,srad')` is what `pleura metrics --enhance` and scripts/ use;
 * `applyEnhancements` runs the single-image steps in a fixed order: cf, srad, agc.
 */
import type { ScanGrid } from '../beamform/grid.js';
import { applyCoherenceWeighting, COHERENCE_DEFAULTS, coherenceWindow, smoothCoherence, type CoherenceOptions } from './coherence.js';
import { imageGeometryOf } from '../beamform/grid.js';
import { SpeckleFilter, SRAD_DEFAULTS, type SradOptions } from './speckle-filter.js';
import { AutoGain } from './auto-gain.js';
import { median } from './order-statistics.js';

export type EnhancementName = 'cf' | 'srad' | 'agc';

export interface EnhancementStep {
  name: EnhancementName;
  /** Needs the beamformer's coherence factor. */
  needsEnergy: boolean;
}

export class EnhancementListError extends Error {
  override name = 'EnhancementListError';
}

const STEPS: Record<EnhancementName, EnhancementStep> = {
  cf: { name: 'cf', needsEnergy: true },
  srad: { name: 'srad', needsEnergy: false },
  agc: { name: 'agc', needsEnergy: false },
};

export function parseEnhancementList(list: string): EnhancementStep[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s && s !== 'none');
  return names.map((n) => {
    if (n === 'persistence') throw new EnhancementListError('persistence averages a sequence of frames; one image has nothing to average (scripts/imaging-figures.ts measures it on noisy repeated frames)');
    const step = STEPS[n as EnhancementName];
    if (!step) throw new EnhancementListError(`unknown enhancement "${n}"; known: ${Object.keys(STEPS).join(', ')}, none`);
    return step;
  }).sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
}

const ORDER: EnhancementName[] = ['cf', 'srad', 'agc'];

export interface EnhanceInput {
  envelope: Float32Array;
  /** Coherence factor per pixel, when the beamformer computed it. */
  energy: Float32Array | null;
  grid: ScanGrid;
  /** Sets the coherence-factor averaging window (one wavelength). */
  centerFrequencyHz: number;
}

export interface EnhancementOptions {
  coherence: CoherenceOptions;
  srad: SradOptions;
}

export const ENHANCEMENT_DEFAULTS: EnhancementOptions = { coherence: COHERENCE_DEFAULTS, srad: SRAD_DEFAULTS };

/** Rows spanning AUTO_GAIN_SMOOTHING_MM of depth (odd, at least 3). */
export function autoGainSmoothingRows(grid: ScanGrid): number {
  const depthMm = (grid.kind === 'polar' ? grid.rMaxM - grid.rMinM : grid.zMaxM - grid.zMinM) * 1e3;
  const rows = Math.round((AUTO_GAIN_SMOOTHING_MM / depthMm) * (grid.rowCount - 1));
  return Math.max(3, rows | 1);
}

/** Depth over which automatic gain averages tissue levels: longer than a cyst, shorter than attenuation changes. */
export const AUTO_GAIN_SMOOTHING_MM = 15;

/** One image through the listed steps; returns a new envelope (the input is not changed). */
export function applyEnhancements(steps: readonly EnhancementStep[], input: EnhanceInput, options: EnhancementOptions = ENHANCEMENT_DEFAULTS): Float32Array {
  let env: Float32Array = Float32Array.from(input.envelope);
  const rows = input.grid.rowCount;
  const cols = input.grid.colCount;
  for (const step of steps) {
    if (step.name === 'cf') {
      if (!input.energy) throw new EnhancementListError('coherence-factor weighting needs the coherence computed while beamforming (FastBeamformer `coherence`); an envelope file does not carry it');
      const cf = smoothCoherence(Float32Array.from(input.energy), rows, cols, coherenceWindow(imageGeometryOf(input.grid), rows, input.centerFrequencyHz));
      applyCoherenceWeighting(env, cf, options.coherence);
    } else if (step.name === 'srad') {
      env = new SpeckleFilter(options.srad).apply(env, rows, cols);
    } else {
      // Level every depth to the image's overall median: a depth-gain correction, no overall change.
      new AutoGain({ targetLevel: median(Float32Array.from(env)), temporalSmoothing: 0, smoothingRows: autoGainSmoothingRows(input.grid) }).apply(env, rows, cols);
    }
  }
  return env;
}
