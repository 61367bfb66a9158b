/**
 * Loads the configuration: defaults < JSON file (--config or PLEURA_CONFIG) < environment
 * (PLEURA_*) < command-line flags. Anything invalid stops the start with a message that names
 * the field and what is allowed, instead of a device that half works.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { configSchema, type DeviceConfig } from './schema.js';

type Json = { [k: string]: unknown };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Flags and environment variables: each maps to one path in the configuration. */
const SETTINGS: Array<{ flag: string; env: string; path: string[]; parse: (v: string) => unknown }> = [
  { flag: 'port', env: 'PLEURA_KIOSK_PORT', path: ['kiosk', 'port'], parse: Number },
  { flag: 'host', env: 'PLEURA_KIOSK_HOST', path: ['kiosk', 'host'], parse: String },
  { flag: 'probe', env: 'PLEURA_PROBE', path: ['probe', 'transport'], parse: parseTransport },
  { flag: 'mode', env: 'PLEURA_MODE', path: ['probe', 'mode'], parse: String },
  // The simulated probe's lung scene (a preset or a JSON scene file); only with the simulator.
  { flag: 'scene', env: 'PLEURA_SIM_SCENE', path: ['probe', 'transport', 'scene'], parse: String },
  { flag: 'depth-mm', env: 'PLEURA_DEPTH_MM', path: ['probe', 'depthMm'], parse: Number },
  { flag: 'gain-db', env: 'PLEURA_GAIN_DB', path: ['probe', 'gainDb'], parse: Number },
  { flag: 'frame-rate', env: 'PLEURA_FRAME_RATE', path: ['probe', 'frameRateHz'], parse: Number },
  { flag: 'runtime-dir', env: 'PLEURA_RUNTIME_DIR', path: ['pipeline', 'runtimeDir'], parse: String },
  { flag: 'data-dir', env: 'PLEURA_DATA_DIR', path: ['store', 'dataDir'], parse: String },
  { flag: 'log-level', env: 'PLEURA_LOG_LEVEL', path: ['logLevel'], parse: String },
  { flag: 'findings', env: 'PLEURA_FINDINGS', path: ['models', 'findings', 'enabled'], parse: parseOnOff },
  { flag: 'findings-model', env: 'PLEURA_FINDINGS_MODEL', path: ['models', 'findings', 'manifest'], parse: String },
];

/** on/off (also true/false, 1/0); anything else is left for the schema to reject with its name. */
function parseOnOff(v: string): unknown {
  if (['on', 'true', '1'].includes(v)) return true;
  if (['off', 'false', '0'].includes(v)) return false;
  return v;
}

/**
 * `--probe` / PLEURA_PROBE: `sim`, `sim:pty`, `serial:/dev/ttyACM0`, `socket:unix:/run/p.sock`,
 * `socket:tcp:127.0.0.1:7000`, `usb:0x1234:0x5678`.
 */
export function parseTransport(spec: string): Json {
  const [kind, ...rest] = spec.split(':');
  const arg = rest.join(':');
  switch (kind) {
    case 'sim':
      return arg ? { kind: 'sim', link: arg } : { kind: 'sim' };
    case 'serial':
      return { kind: 'serial', path: arg };
    case 'socket':
      return { kind: 'socket', address: arg };
    case 'usb': {
      const [vid, pid] = rest.map((s) => Number.parseInt(s, 16));
      return { kind: 'usb', vendorId: vid, productId: pid };
    }
    default:
      throw new ConfigError(`--probe ${spec}: expected sim, sim:pty, serial:PATH, socket:unix:PATH, socket:tcp:HOST:PORT or usb:VID:PID`);
  }
}

function setPath(target: Json, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1]!] = value;
}

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(v) && isPlain(b) && !('kind' in v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isPlain(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface LoadOptions {
  flags?: Record<string, string | undefined>;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(opts: LoadOptions = {}): DeviceConfig {
  const env = opts.env ?? process.env;
  const flags = opts.flags ?? {};
  let raw: Json = {};
  const file = flags.config ?? env.PLEURA_CONFIG;
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read configuration file ${file}: ${(err as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Json;
    } catch (err) {
      throw new ConfigError(`configuration file ${file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const overrides: Json = {};
  for (const s of SETTINGS) {
    const value = flags[s.flag] ?? env[s.env];
    if (value !== undefined) setPath(overrides, s.path, s.parse(value));
  }
  raw = deepMerge(raw, overrides);
  // A scene given without a transport means the default one: the simulated probe.
  const probe = raw.probe as Json | undefined;
  const transport = probe?.transport as Json | undefined;
  if (transport && transport.kind === undefined) transport.kind = 'sim';
  if (transport && transport.kind !== 'sim' && transport.scene !== undefined) {
    throw new ConfigError(`--scene ${String(transport.scene)}: a lung scene only applies to the simulated probe, not to --probe ${String(transport.kind)}`);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`invalid configuration:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
