/**
 * Named lung scenes (`pleura sim --scene NAME`). Each is a scene in the JSON format of spec.ts,
 * so `pleura sim --scene FILE` can start from a copy of one (docs/simulator.md lists them).
 * Lateral positions are mm along the pleura from the probe centre; the default ribs sit at
 * ±22 mm, so the intercostal window is about ±16 mm wide.
 */
import { parseSceneSpec, type SceneSpec, type SceneSpecInput } from './spec.js';

export const PRESETS = {
  normal: {
    description: 'Aerated lung between two ribs: pleural line, lung sliding, A-lines.',
  },
  'b-lines-3': {
    description: 'Three B-lines (interstitial syndrome, mild), lung sliding.',
    pleura: { irregularityMm: 0.12 },
    bLines: [{ atMm: -9.5, intensity: 0.85 }, { atMm: 1.5 }, { atMm: 10.5, intensity: 0.75, widthMm: 2 }],
  },
  'b-lines-6': {
    description: 'Six B-lines over a slightly irregular pleura (interstitial syndrome).',
    pleura: { irregularityMm: 0.25, thicknessMm: 0.8 },
    bLines: [{ atMm: -14, intensity: 0.7 }, { atMm: -9 }, { atMm: -2.5, intensity: 0.8, widthMm: 3 }, { atMm: 2.5, intensity: 0.6 }, { atMm: 8.5, intensity: 0.9 }, { atMm: 13.5, intensity: 0.75, widthMm: 2 }],
  },
  confluent: {
    description: 'Confluent B-lines ("white lung") under a thickened, irregular pleura.',
    pleura: { thicknessMm: 1.5, irregularityMm: 0.35, fragmentation: 0.12 },
    confluent: [{ fromMm: -13, toMm: 11 }],
    bLines: [{ atMm: 14, intensity: 0.8 }],
  },
  consolidation: {
    description: 'Subpleural consolidation with air bronchograms and a shred border; B-lines beside it.',
    pleura: { irregularityMm: 0.3 },
    consolidation: [{ fromMm: -15, toMm: 13, depthMm: 38 }],
    bLines: [{ atMm: 15, intensity: 0.7 }],
  },
  effusion: {
    description: 'Pleural effusion: anechoic fluid over compressed lung, deeper air surface.',
    effusion: { fromMm: -70, toMm: 70, thicknessMm: [34, 20], atelectasisMm: 14, particles: 0.1 },
  },
  pneumothorax: {
    description: 'Pneumothorax: no lung sliding, no lung pulse, A-lines only (barcode in M-mode).',
    sliding: 'absent',
  },
  'lung-point': {
    description: 'Lung point: sliding lung on the left, pneumothorax on the right, the boundary moving with breath.',
    sliding: { lungPointAtMm: 3, swingMm: 6 },
  },
  'thick-pleura': {
    description: 'Thickened, irregular, fragmented pleural line with two B-lines.',
    pleura: { thicknessMm: 2.5, irregularityMm: 0.45, fragmentation: 0.25 },
    bLines: [{ atMm: -6, intensity: 0.8 }, { atMm: 7, intensity: 0.9 }],
  },
} as const satisfies Record<string, SceneSpecInput>;

export type PresetName = keyof typeof PRESETS;

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

/** The preset as a validated scene. */
export function presetScene(name: PresetName): SceneSpec {
  return parseSceneSpec({ name, ...PRESETS[name] }, `preset "${name}"`);
}
