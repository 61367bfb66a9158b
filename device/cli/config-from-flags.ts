/** The device configuration for a CLI command, from its flags; a bad value prints why and exits 2. */
import { ConfigError, loadConfig } from '../config/load.js';
import type { DeviceConfig } from '../config/schema.js';

export type CliValues = Record<string, string | boolean | undefined>;

export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function configFromFlags(command: string, values: CliValues): DeviceConfig {
  const flags = Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  try {
    return loadConfig({ flags });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pleura ${command}: ${err.message}\n`);
      throw new CliExit(2);
    }
    throw err;
  }
}
