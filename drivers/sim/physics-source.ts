/**
 * The simulated probe's frames from the physical model (drivers/sim/physics, docs/simulator.md):
 * in RF mode the pulse-echo channel data of the scene at the frame's time; in B-mode the same
 * channel data beamformed by the project's own beamformer and log-compressed, as a probe with
 * on-board beamforming would send it.
 */
import { Beamformer } from '../../pipeline/beamform/beamformer.js';
import { imageGeometryOf, probeScanGrid } from '../../pipeline/beamform/grid.js';
import { BmodeMapper } from '../../pipeline/enhance/bmode-levels.js';
import type { Configure } from '../protocol/messages.js';
import { foundationLungScene } from './physics/foundation-scene.js';
import { probeModelByName } from './physics/probes.js';
import { RfModel } from './physics/rf-model.js';
import type { Scene } from './physics/scene.js';
import type { FrameSource } from './simulated-probe.js';

/** Limits this simulated probe accepts in CONFIGURE (beyond them: NACK OUT_OF_RANGE). */
export const SIM_LIMITS = { minDepthM: 0.02, maxDepthM: 0.3, maxTransmits: 16, minFrameRateHz: 1, maxFrameRateHz: 60, minGainDb: -20, maxGainDb: 40 } as const;

/** B-mode grid of the simulated probe's on-board beamformer. */
const ONBOARD_GRID = { colCount: 128, rowCount: 512 };

export function createPhysicsSource(modelName: string, seed: number): FrameSource {
  const probe = probeModelByName(modelName);
  // Front-end noise 95 dB below ADC full scale (about one LSB of a 16-bit converter): with the
  // default scene this noise-limits the image beyond about 10 cm at 3.6 MHz, as a small probe would.
  const rf = new RfModel(probe, { seed, noiseDbBelowFullScale: 95 });
  const mapper = new BmodeMapper();
  let scene: Scene | null = null;
  let sceneDepthM = 0;
  let config: Configure | null = null;
  let onboard: Beamformer | null = null;

  return {
    identity: {
      model: `SIM-${probe.model}`,
      serial: `SIM${String(seed).padStart(6, '0')}`,
      firmwareVersion: 'pleura-sim 1.0',
      geometry: probe.geometry,
    },

    check(c: Configure): string | null {
      const L = SIM_LIMITS;
      if (!(c.depthM >= L.minDepthM && c.depthM <= L.maxDepthM)) return `depth ${(c.depthM * 1000).toFixed(0)} mm outside ${L.minDepthM * 1000}..${L.maxDepthM * 1000} mm`;
      if (c.transmits.parameters.length > L.maxTransmits) return `${c.transmits.parameters.length} transmits: at most ${L.maxTransmits}`;
      if (!(c.frameRateHz >= L.minFrameRateHz && c.frameRateHz <= L.maxFrameRateHz)) return `frame rate ${c.frameRateHz} Hz outside ${L.minFrameRateHz}..${L.maxFrameRateHz} Hz`;
      if (!(c.gainDb >= L.minGainDb && c.gainDb <= L.maxGainDb)) return `gain ${c.gainDb} dB outside ${L.minGainDb}..${L.maxGainDb} dB`;
      if (probe.geometry.kind === 'linear' && c.transmits.kind === 'diverging') return 'this linear probe sends plane waves, not diverging waves';
      return null;
    },

    configure(c: Configure): void {
      rf.configure({ depthM: c.depthM, gainDb: c.gainDb, transmits: c.transmits });
      if (!scene || c.depthM > sceneDepthM) {
        scene = foundationLungScene(probe.geometry, { depthM: c.depthM, seed });
        sceneDepthM = c.depthM;
      }
      onboard = c.mode === 'bmode' ? new Beamformer(probe.geometry, probeScanGrid(probe.geometry, c.depthM, ONBOARD_GRID), { window: 'hann' }) : null;
      config = c;
    },

    frame(timeS: number, frameIndex: number) {
      if (!config || !scene) throw new Error('frame requested before CONFIGURE');
      const channels = rf.simulate(scene, timeS, frameIndex);
      if (!onboard) return { type: 'rf', body: channels };
      const image = onboard.beamform(channels);
      const pixels = mapper.map(image.envelope, image.rowCount, image.colCount, image.geometry, {
        centerFrequencyHz: channels.centerFrequencyHz,
        elementCount: channels.elementCount,
        transmitCount: channels.transmitCount,
      });
      return {
        type: 'bmode',
        body: { frameIndex, width: image.colCount, height: image.rowCount, dynamicRangeDb: mapper.levels.dynamicRangeDb, geometry: imageGeometryOf(onboard.grid), pixels },
      };
    },
  };
}
