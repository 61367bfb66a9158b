/**
 * Scanning protocols: which lung zones an exam has. Zone labels follow the common LUS
 * convention, side then number (R1…R6, L1…L6: anterior upper/lower, lateral upper/lower,
 * posterior upper/lower); the side is the DICOM ImageLaterality of the clip.
 */
export type Laterality = 'R' | 'L';

export interface ScanProtocol {
  id: string;
  description: string;
  zones: readonly string[];
}

const sides = (n: number): string[] => [...['R', 'L'].flatMap((s) => Array.from({ length: n }, (_, i) => `${s}${i + 1}`))];

export const PROTOCOLS: Readonly<Record<string, ScanProtocol>> = {
  'lus-12': { id: 'lus-12', description: '12-zone lung ultrasound (6 zones per side)', zones: sides(6) },
  'lus-8': { id: 'lus-8', description: '8-zone lung ultrasound (4 zones per side)', zones: sides(4) },
  'lus-6': { id: 'lus-6', description: '6-zone lung ultrasound (3 zones per side)', zones: sides(3) },
};

export const DEFAULT_PROTOCOL = 'lus-12';

export function lateralityOf(zone: string): Laterality {
  return zone.startsWith('L') ? 'L' : 'R';
}
