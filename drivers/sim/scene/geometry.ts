/**
 * The geometry a lung scene is laid out in: the probe's beam frame, the lateral coordinate `s`
 * (metres along the pleura, see primaries.ts), the field of view, and the resting pleura.
 * The pleura is flat in the probe's x–z plane (the probe flattens the skin over it), so under a
 * convex array it lies deeper along the outer scan lines: u = (R + D) / cos θ - R.
 */
import type { TransducerGeometry } from '../../protocol/messages.js';
import { beamFrame, type BeamFrame } from '../physics/beam-frame.js';
import type { SceneSpec } from './spec.js';

const SOUND_SPEED_MPS = 1540;

export interface SceneGeometry {
  probe: TransducerGeometry;
  frame: BeamFrame;
  /** Imaging depth the scene fills (m below the skin at the centre). */
  depthM: number;
  /** Pleura depth under the probe centre. */
  pleuraDepthM: number;
  /** Beam-frame lat units per metre of s. */
  latPerS: number;
  /** Half the field of view in s, plus room for motion. */
  halfWidthSM: number;
  wavelengthM: number;
  /**
   * Scatterers per mm² for a density given at 3.57 MHz: scaled by (fc / 3.57 MHz)², so speckle
   * is equally developed (scatterers per resolution cell) under every probe.
   */
  densityPerMm2(at3p57MHz: number): number;
  /** One-way amplitude attenuation of soft tissue at fc (nepers per metre), 0.5 dB/cm/MHz. */
  attenuationNpPerM: number;
  /** Radius of curvature (0 for a linear array): a scan line's path length is R + u from the centre. */
  radiusM: number;
  /** Resting pleura depth along the scan line at s (flat in x–z). */
  pleuraBaseU(sM: number): number;
  /** s of the scan line through the point (x, z) of the probe frame. */
  sOfXZ(xM: number, zM: number): number;
}

export function sceneGeometry(probe: TransducerGeometry, spec: SceneSpec, depthM: number): SceneGeometry {
  const frame = beamFrame(probe);
  const pleuraDepthM = spec.chestWall.pleuraDepthMm / 1000;
  const latPerS = frame.latPerM(pleuraDepthM);
  const R = probe.kind === 'convex' ? probe.radiusM : 0;
  const halfWidthSM = frame.halfFieldLat / latPerS + 6e-3;
  const tmp = { lat: 0, uM: 0 };
  return {
    probe,
    frame,
    depthM,
    pleuraDepthM,
    latPerS,
    halfWidthSM,
    wavelengthM: SOUND_SPEED_MPS / probe.centerFrequencyHz,
    densityPerMm2: (d) => d * (probe.centerFrequencyHz / 3.57e6) ** 2,
    attenuationNpPerM: (0.5 * (probe.centerFrequencyHz / 1e6) * 100 * Math.LN10) / 20,
    radiusM: R,
    pleuraBaseU: probe.kind === 'convex' ? (sM) => (R + pleuraDepthM) / Math.cos(sM * latPerS) - R : () => pleuraDepthM,
    sOfXZ(xM, zM) {
      frame.fromXZ(xM, zM, tmp);
      return tmp.lat / latPerS;
    },
  };
}
