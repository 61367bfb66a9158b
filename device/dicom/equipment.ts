/**
 * Who made the objects: the General Equipment module and the Part 10 file meta. The
 * implementation class UID is fixed for the product (a 2.25 UID until the product has its own
 * registered root).
 */
import fs from 'node:fs';

export const MANUFACTURER = 'Pleura';
export const MODEL_NAME = 'Pleura LUS';
export const IMPLEMENTATION_CLASS_UID = '2.25.303561624815939848710466733213311094361';
/** SH, at most 16 characters. */
export const IMPLEMENTATION_VERSION_NAME = 'PLEURA_0_1';

export const SOFTWARE_VERSION: string = readVersion();

function readVersion(): string {
  // dist/device/dicom/ → package.json three levels up; device/dicom/ (ts sources) two.
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pleura' && pkg.version) return pkg.version;
    } catch {
      // try the next
    }
  }
  return '0.0.0';
}
