/**
 * Where the configured models are on disk. Paths in the configuration are relative to the
 * installation (the folder with package.json: the repository in development, the release folder
 * on a device), so one configuration file works wherever the software is installed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceConfig } from './schema.js';

/** The installation root: dist/device/config/ is three levels below it. */
export const INSTALL_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const DEFAULT_FINDINGS_MANIFEST = 'models/lung-findings/lung-findings.json';

export function findingsManifestPath(config: DeviceConfig, installRoot = INSTALL_ROOT): string {
  const configured = config.models.findings.manifest || DEFAULT_FINDINGS_MANIFEST;
  return path.resolve(installRoot, configured);
}
