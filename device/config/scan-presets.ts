/**
 * Scanning presets the kiosk offers: a starting depth and gain for what the operator wants to
 * see, plus the imaging overrides that `pipeline.beamform.presets[name]` and
 * `pipeline.enhance.presets[name]` give that name in the configuration (docs/imaging.md). The
 * operator can still change depth and gain after choosing one.
 */
export interface ScanPreset {
  name: string;
  depthMm: number;
  gainDb: number;
}

export const SCAN_PRESETS: readonly ScanPreset[] = [
  // The lung exam: pleura, A- and B-lines, small consolidations. The findings model was
  // evaluated at 80–120 mm (docs/models/lung-findings.md).
  { name: 'lung', depthMm: 120, gainDb: 0 },
  // The pleural line and lung sliding up close.
  { name: 'pleura', depthMm: 40, gainDb: 0 },
  // Effusion and large consolidations in the posterior and lateral zones.
  { name: 'deep', depthMm: 180, gainDb: 6 },
];

export function scanPreset(name: string): ScanPreset | undefined {
  return SCAN_PRESETS.find((p) => p.name === name);
}
