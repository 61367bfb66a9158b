/**
 * The simulated probe's frames computed live from the physics (drivers/sim/physics and
 * drivers/sim/scene, docs/simulator.md): in RF mode the pulse-echo channel data of the lung scene
 * at the frame's time, in B-mode the same channel data beamformed by the project's own beamformer
 * and mapped to display levels, as a probe with on-board beamforming would send them. Every frame
 * carries its ground truth. Live frames cost what they cost (~0.1–0.5 s each for lung scenes);
 * the cached loop (loop/loop-source.ts) is the fast path.
 */
import type { Configure, Identify } from '../protocol/messages.js';
import type { ProbeModel } from './physics/probes.js';
import type { SceneSpec } from './scene/spec.js';
import type { FrameSource, SourceFrame } from './simulated-probe.js';
import { FrameSynth } from './synth.js';
import { encodeTruthPayload } from './truth-message.js';

/** Limits this simulated probe accepts in CONFIGURE (beyond them: NACK OUT_OF_RANGE). */
export const SIM_LIMITS = { minDepthM: 0.02, maxDepthM: 0.3, maxTransmits: 16, minFrameRateHz: 1, maxFrameRateHz: 60, minGainDb: -20, maxGainDb: 40 } as const;

export type SimIdentity = Omit<Identify, 'probeMinVersion' | 'probeMaxVersion' | 'selectedVersion'>;

export function simIdentity(probe: ProbeModel, seed: number): SimIdentity {
  return { model: `SIM-${probe.model}`, serial: `SIM${String(seed).padStart(6, '0')}`, firmwareVersion: 'pleura-sim 2.0', geometry: probe.geometry };
}

/** Why this simulated probe refuses a configuration, or null. */
export function checkSimConfigure(probe: ProbeModel, c: Configure): string | null {
  const L = SIM_LIMITS;
  if (!(c.depthM >= L.minDepthM && c.depthM <= L.maxDepthM)) return `depth ${(c.depthM * 1000).toFixed(0)} mm outside ${L.minDepthM * 1000}..${L.maxDepthM * 1000} mm`;
  if (c.transmits.parameters.length > L.maxTransmits) return `${c.transmits.parameters.length} transmits: at most ${L.maxTransmits}`;
  if (!(c.frameRateHz >= L.minFrameRateHz && c.frameRateHz <= L.maxFrameRateHz)) return `frame rate ${c.frameRateHz} Hz outside ${L.minFrameRateHz}..${L.maxFrameRateHz} Hz`;
  if (!(c.gainDb >= L.minGainDb && c.gainDb <= L.maxGainDb)) return `gain ${c.gainDb} dB outside ${L.minGainDb}..${L.maxGainDb} dB`;
  if (probe.geometry.kind === 'linear' && c.transmits.kind === 'diverging') return 'this linear probe sends plane waves, not diverging waves';
  return null;
}

export interface LiveSourceOptions {
  probe: ProbeModel;
  scene: SceneSpec;
  seed: number;
  /** Send each frame's ground truth (vendor message 0xE0). Default true. */
  truth?: boolean;
}

export function createPhysicsSource(opts: LiveSourceOptions): FrameSource {
  const synth = new FrameSynth(opts.probe, opts.scene, { seed: opts.seed });
  let config: Configure | null = null;
  return {
    identity: simIdentity(opts.probe, opts.seed),
    check: (c) => checkSimConfigure(opts.probe, c),
    configure(c: Configure): void {
      synth.configure({ depthM: c.depthM, gainDb: c.gainDb, transmits: c.transmits, mode: c.mode });
      config = c;
    },
    frame(timeS: number, frameIndex: number): SourceFrame {
      if (!config) throw new Error('frame requested before CONFIGURE');
      const channels = synth.rf(timeS, frameIndex);
      const truth = opts.truth === false ? {} : { truth: encodeTruthPayload(synth.truth(timeS, frameIndex)) };
      if (config.mode !== 'bmode') return { type: 'rf', body: channels, ...truth };
      return { type: 'bmode', body: synth.bmode(synth.envelope(channels), frameIndex), ...truth };
    },
  };
}
